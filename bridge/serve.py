"""`pianogenie serve`: OSC in and out, plus MIDI and audio where this machine has them."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
from pathlib import Path
from typing import Any

from . import protocol as p

# Budgets printed in the banner, from issue 4: the bridge's own press -> note-on, and press -> sound.
BRIDGE_BUDGET_P99_US = 300
SOUND_BUDGET_P99_MS = 3
# --realtime priorities: under JACK's default audio threads (jackd -R uses 10 for clients, more for itself)
# would starve them; SCHED_FIFO 5..9 still preempts every normal process.
BRIDGE_RT_PRIORITY = 8
SYNTH_RT_PRIORITY = 9


def add_arguments(parser: argparse.ArgumentParser) -> None:
    osc = parser.add_argument_group("OSC")
    osc.add_argument("--host", default=p.DEFAULT_HOST, help=f"interface to listen on (default {p.DEFAULT_HOST}: this machine only)")
    osc.add_argument("--port", type=int, default=p.DEFAULT_LISTEN_PORT, help=f"UDP port to listen on (default {p.DEFAULT_LISTEN_PORT}; 0 = any free port)")
    osc.add_argument("--reply-to", action="append", metavar="HOST:PORT",
                     help=f"fixed address that also gets every reply (default {p.DEFAULT_HOST}:{p.DEFAULT_REPLY_PORT}; repeatable; 'none' = senders only)")
    osc.add_argument("--osc-format", choices=p.OSC_FORMATS, default="genie", help="vkb_midi also sends /vkb_midi/<ch>/note/<pitch> for a DAW")
    add_common_arguments(parser)


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    from .audio import AUDIO_CHOICES, DEFAULT_BUFFER_SIZE, DEFAULT_SAMPLE_RATE
    from .core import DEFAULT_IDLE_TIMEOUT
    from .midi import DEFAULT_BASE_NOTE, MAPPINGS

    genie = parser.add_argument_group("decoder")
    genie.add_argument("--model", type=Path, default=None, help="model directory (default: the embedded model)")
    genie.add_argument("--temperature", type=float, default=0.25, help="starting temperature, 0..1")
    genie.add_argument("--seed", type=int, default=None, help="random seed, for reproducible notes")
    genie.add_argument("--idle-timeout", type=float, default=DEFAULT_IDLE_TIMEOUT,
                       help="seconds a performer may stay silent before its notes are turned off (0 = never)")
    genie.add_argument("--record", type=Path, default=None, help="write the performance (events + notes) here on exit")

    midi = parser.add_argument_group("MIDI")
    midi.add_argument("--midi-out", default="virtual", metavar="PORT",
                      help='output port name, "virtual" for a port called "Piano Genie", or "none"')
    midi.add_argument("--midi-in", default=None, metavar="PORT", help='controller input port name, "virtual", or none (default)')
    midi.add_argument("--midi-api", default="auto", choices=("auto", "alsa", "jack", "native"), help="MIDI system")
    midi.add_argument("--midi-channel", type=int, default=1, help="MIDI channel 1..16 of performer 0 (performer n: +n)")
    midi.add_argument("--midi-map", choices=MAPPINGS, default="base", help="base: 8 keys from --base-note; order: whole keyboard in 8 zones")
    midi.add_argument("--base-note", type=int, default=DEFAULT_BASE_NOTE, help="controller key of button 0 (--midi-map base)")

    audio = parser.add_argument_group("audio")
    audio.add_argument("--audio", choices=AUDIO_CHOICES, default="auto", help="synth: pyo, numpy via sounddevice, or none")
    audio.add_argument("--audio-backend", choices=("portaudio", "jack", "coreaudio"), default="portaudio", help="pyo's audio backend")
    audio.add_argument("--audio-device", type=int, default=None, help="output device index (see pianogenie devices)")
    audio.add_argument("--buffer-size", type=int, default=DEFAULT_BUFFER_SIZE, help="audio buffer in frames (default 64)")
    audio.add_argument("--sample-rate", type=int, default=DEFAULT_SAMPLE_RATE, help="audio sample rate")
    audio.add_argument("--voices", type=int, default=16, help="synth polyphony")
    parser.add_argument("--realtime", action="store_true",
                        help="ask for real-time (SCHED_FIFO) scheduling for the bridge and synth (needs the privilege)")
    # For `pianogenie bench osc`: the synth logs arrival -> onset of every note to this file.
    audio.add_argument("--onset-log", default=None, help=argparse.SUPPRESS)


class Outputs:
    """The optional outputs of a run (synth, MIDI, recorder), opened with one line each for the banner."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self.closers: list[Any] = []
        self.inputs: list[Any] = []  # closed before the final note-offs, so nothing can start a note after them
        self.synth = None

    def open(self, args: argparse.Namespace, bridge: Any) -> None:
        from .audio import open_synth
        from .midi import ButtonMap, MidiIn, MidiOut, MidiUnavailable, open_backend
        from .recorder import Recorder
        from .voices import SynthParams

        choice = open_synth(args.audio, args.audio_backend, args.audio_device, args.buffer_size, args.sample_rate,
                            SynthParams(voices=args.voices), getattr(args, "onset_log", None), args.realtime)
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

    def close(self, bridge: Any) -> None:
        self.close_inputs()
        if bridge.recorder is not None:
            bridge.recorder.save(bridge.clock())
        for closer in reversed(self.closers):
            try:
                closer.close()
            except Exception as exc:  # a device gone away must not stop the others from closing
                print(f"pianogenie: closing {type(closer).__name__}: {exc}", file=sys.stderr)


def request_realtime(priority: int) -> str:
    """SCHED_FIFO for this process, below JACK's own audio threads; one line saying what happened."""
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(priority))
        return f"SCHED_FIFO priority {priority}"
    except (AttributeError, OSError) as exc:
        return f"normal scheduling (real-time refused: {getattr(exc, 'strerror', None) or exc})"


def check_common(args: argparse.Namespace) -> str | None:
    if not 0.0 <= args.temperature <= 1.0:
        return f"--temperature must be in [0, 1], got {args.temperature}"
    if not 1 <= args.midi_channel <= 16:
        return f"--midi-channel must be 1..16, got {args.midi_channel}"
    if not 16 <= args.buffer_size <= 8192:
        return f"--buffer-size must be 16..8192 frames, got {args.buffer_size}"
    if args.voices < 1:
        return f"--voices must be at least 1, got {args.voices}"
    return None


def load_genie(model: Path | None):
    from engine import ModelError, PianoGenie

    try:
        return PianoGenie.load(model), None
    except (ModelError, ValueError, OSError) as exc:
        return None, str(exc)


def run(args: argparse.Namespace) -> int:
    from .core import Bridge
    from .transport import OscTransport, StartupError, parse_host_port

    def fail(message: str) -> int:
        print(f"pianogenie serve: {message}", file=sys.stderr)
        return 2

    problem = check_common(args)
    if problem:
        return fail(problem)
    try:
        replies = [] if args.reply_to and args.reply_to[-1] == "none" else [
            parse_host_port(text) for text in (args.reply_to or [f"{p.DEFAULT_HOST}:{p.DEFAULT_REPLY_PORT}"])
        ]
    except StartupError as exc:
        return fail(str(exc))
    genie, error = load_genie(args.model)
    if genie is None:
        return fail(error)
    bridge = Bridge(genie, args.temperature, args.seed, args.idle_timeout)
    try:
        transport = OscTransport(bridge, args.host, args.port, replies, args.osc_format, args.midi_channel)
    except StartupError as exc:
        return fail(str(exc))

    outputs = Outputs()
    try:
        if args.realtime:
            outputs.lines.append(("scheduling", request_realtime(BRIDGE_RT_PRIORITY)))
        outputs.open(args, bridge)
        signal.signal(signal.SIGTERM, lambda *_: transport.stop())
        signal.signal(signal.SIGINT, lambda *_: transport.stop())
        host, port = transport.address
        reply_text = ", ".join(f"{h}:{rp}" for h, rp in replies) or "none"
        print("Piano Genie bridge", flush=False)
        print(f"  listening   osc udp {host}:{port}  ({p.IN_PRESS} i:button [velocity], ... see docs/osc.md)")
        print(f"  replies     to each sender and to {reply_text}  (format {args.osc_format})")
        print(f"  model       {genie.model_dir}  ({genie.kernel.name} kernel)")
        for name, line in outputs.lines:
            print(f"  {name:<11} {line}")
        print(f"  latency     budget: press -> note-on p99 <= {BRIDGE_BUDGET_P99_US} us in the bridge, "
              f"press -> sound p99 <= {SOUND_BUDGET_P99_MS} ms; idle timeout {args.idle_timeout:g} s")
        # Everything loaded so far (numpy, numba, the model) lives for the whole run: moving it out of the
        # collector's reach keeps a full collection from stalling a press for milliseconds.
        gc.collect()
        gc.freeze()
        print("pianogenie serve: ready", flush=True)
        transport.serve_forever()
    finally:
        outputs.close_inputs()
        turned_off = bridge.shutdown()
        outputs.close(bridge)
        transport.close()
    c = bridge.counters
    print(f"pianogenie serve: stopped; {c.presses} presses, {c.notes_on} notes on, {c.notes_off} notes off "
          f"({turned_off} at shutdown), {c.errors} errors", flush=True)
    return 0
