"""Wiring a run's optional outputs (synth, MIDI out and in, recorder) to a bridge, and closing them in order."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from engine import ModelError, PianoGenie

from .core import Bridge
from .midi import ButtonMap, MidiIn, MidiOut, MidiUnavailable, open_backend
from .recorder import Recorder
from .sound.choose import open_synth
from .sound.voices import SynthConfig


def load_genie(model: Path | None) -> tuple[PianoGenie | None, str | None]:
    """The model, or None and the one line that says why not."""
    try:
        return PianoGenie.load(model), None
    except (ModelError, ValueError, OSError) as exc:
        return None, str(exc)


class Outputs:
    """The optional outputs of a run (synth, MIDI, recorder), opened with one line each for the banner."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self.closers: list[Any] = []
        self.inputs: list[Any] = []  # closed before the final note-offs, so nothing can start a note after them
        self.synth = None

    def open(self, args: argparse.Namespace, bridge: Bridge, synth: SynthConfig) -> None:
        choice = open_synth(synth)
        self.lines.append(("audio", choice.description))
        if choice.synth is not None:
            self.synth = choice.synth
            bridge.sinks.append(choice.synth)
            self.closers.append(choice.synth)

        want_out = args.midi_out != "none"
        want_in = args.midi_in not in (None, "none")
        if want_out or want_in:
            try:
                backend, api = open_backend(args.midi_api)
            except MidiUnavailable as exc:
                self.lines.append(("midi", str(exc)))
            else:
                if want_out:
                    try:
                        out = MidiOut.open(backend, None if args.midi_out == "virtual" else args.midi_out, args.midi_channel, api)
                        bridge.sinks.append(out)
                        self.closers.append(out)
                        self.lines.append(("midi out", out.description))
                    except MidiUnavailable as exc:
                        self.lines.append(("midi out", str(exc)))
                if want_in:
                    try:
                        mapping = ButtonMap(args.midi_map, args.base_note)
                        port = MidiIn.open(backend, None if args.midi_in == "virtual" else args.midi_in, mapping, bridge.handle)
                        self.inputs.append(port)
                        self.lines.append(("midi in", port.description))
                    except (MidiUnavailable, ValueError) as exc:
                        self.lines.append(("midi in", str(exc)))
        else:
            self.lines.append(("midi", "off (--midi-out none)"))

        if args.record is not None:
            bridge.recorder = Recorder(args.record, bridge.started, {"model": str(bridge.genie.model_dir), "temperature": args.temperature})
            bridge.sinks.append(bridge.recorder)
            self.lines.append(("recording", str(args.record)))

    def close_inputs(self) -> None:
        for port in self.inputs:
            try:
                port.close()
            except Exception as exc:
                print(f"pianogenie: closing {type(port).__name__}: {exc}", file=sys.stderr)
        self.inputs.clear()

    def close(self, bridge: Bridge) -> None:
        self.close_inputs()
        if bridge.recorder is not None:
            bridge.recorder.save(bridge.clock())
        for closer in reversed(self.closers):
            try:
                closer.close()
            except Exception as exc:  # a device gone away must not stop the others from closing
                print(f"pianogenie: closing {type(closer).__name__}: {exc}", file=sys.stderr)
