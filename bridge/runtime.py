"""Wiring a run's optional outputs (synth, MIDI out and in, recorder) to a bridge, and closing them in order.

An output the user did not name (the virtual MIDI port, the default audio device) that cannot open is one banner
line and the run goes on; a port, device or file the user named that cannot be used is a FlagError: one line,
exit 2, before anything starts."""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path
from typing import Any

from pianogenie.engine import ModelError, PianoGenie

from .core import Bridge
from .midi import ButtonMap, MidiIn, MidiOut, MidiUnavailable, find_port, open_backend
from .recorder import Recorder, recover
from .sound.choose import open_synth
from .sound.devices import output_devices
from .sound.soundfont import SoundFontError
from .sound.voices import SynthConfig
from .system import BRIDGE_RT_PRIORITY, request_realtime


class FlagError(ValueError):
    """A flag names something that does not exist or cannot be used; the text is the one line to print."""


def check_record_path(path: Path) -> None:
    """--record: the take must be writable now, not only when the run ends (a take lost at exit is a
    performance lost)."""
    probe = path.with_name(path.name + ".tmp")
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "is a directory")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(probe, "w", encoding="utf-8"):
            pass
        probe.unlink()
    except OSError as exc:
        raise FlagError(f"--record {path}: cannot write there ({exc.strerror or exc})") from None


def check_audio_device(synth: SynthConfig) -> None:
    if synth.device is None or synth.audio == "none":
        return
    devices = output_devices()
    if devices is None:
        raise FlagError(f"--audio-device {synth.device}: no audio library to list outputs with "
                        "(pip install 'pianogenie-bridge[audio]')")
    if synth.device not in devices:
        listing = ", ".join(f"{index}: {name}" for index, name in devices.items()) or "none"
        raise FlagError(f"--audio-device {synth.device} is not an audio output (outputs: {listing})")


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
        """Raises FlagError for a named port or device that does not exist, before opening anything."""
        if getattr(args, "realtime", False):
            self.lines.append(("scheduling", request_realtime(BRIDGE_RT_PRIORITY)))
        recovered = None
        if args.record is not None:
            check_record_path(args.record)
            try:  # the take of a run that died, before this run's journal takes its place
                recovered = recover(args.record)
            except (ValueError, OSError) as exc:
                raise FlagError(f"--record {args.record}: {exc}") from None
        check_audio_device(synth)
        in_flag = getattr(args, "midi_in_flag", "--midi-in")
        named = {flag: name for flag, name in (("--midi-out", args.midi_out), (in_flag, args.midi_in))
                 if name not in (None, "none", "virtual")}
        backend = api = None
        want_out = args.midi_out != "none"
        want_in = args.midi_in not in (None, "none")
        midi_problem = None
        if want_out or want_in:
            try:
                backend, api = open_backend(args.midi_api)
            except MidiUnavailable as exc:
                midi_problem = str(exc)
        for flag, name in named.items():
            if midi_problem:
                raise FlagError(f"{flag} {name}: {midi_problem}")
            names = backend.get_output_names() if flag == "--midi-out" else backend.get_input_names()
            try:
                find_port(names, name)
            except MidiUnavailable as exc:
                raise FlagError(f"{flag} {name}: {exc}") from None

        try:
            choice = open_synth(synth)
        except SoundFontError as exc:  # --synth piano without its library or SoundFont: the user asked for it
            raise FlagError(str(exc)) from None
        self.lines.append(("audio", choice.description))
        if choice.synth is not None:
            self.synth = choice.synth
            bridge.sinks.append(choice.synth)
            self.closers.append(choice.synth)

        if want_out or want_in:
            if midi_problem:
                self.lines.append(("midi", midi_problem))
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
            # A take must replay as it was played: an unseeded run gets a seed drawn now (before any performer
            # exists; performer n plays with seed + n), and the take keeps it.
            if bridge.seed is None:
                bridge.seed = secrets.randbelow(2**31)
            meta = {"model": str(bridge.genie.model_dir), "temperature": args.temperature, "seed": bridge.seed}
            bridge.recorder = Recorder(args.record, bridge.started, meta)
            bridge.sinks.append(bridge.recorder)
            self.lines.append(("recording", str(args.record)))
            if recovered is not None:
                self.lines.append(("recovered", f"{recovered} (the take of a run that died)"))

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
