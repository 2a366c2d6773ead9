"""`pianogenie devices`: the audio outputs and MIDI ports the other commands can name."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from ..midi import list_midi_ports
    from ..sound.devices import list_audio_devices

    print("audio outputs:")
    print("\n".join(list_audio_devices()))
    print("MIDI ports:")
    print("\n".join(list_midi_ports()))
    return 0
