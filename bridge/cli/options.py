"""The decoder, MIDI, audio and timing flags that `serve` and `play` share, their checks, and the one place they
become a typed config (bridge/runtime.RunConfig): nothing below the command line sees the flags."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING

from pianogenie.engine.constants import DEFAULT_TEMPERATURE
from pianogenie.errors import CommandError

from ..idle import DEFAULT_IDLE_TIMEOUT
from ..link import DEFAULT_QUANTUM, DEFAULT_TEMPO
from ..button_map import DEFAULT_BASE_NOTE, MAPPINGS
from ..sound import synths
from ..sound.gain import DEFAULT_GAIN_DB, MAX_GAIN_DB, MIN_GAIN_DB, gain_problem
from ..timing import MAX_LATENCY_MS
from ..sound.voices import (AUDIO_CHOICES, BACKEND_CHOICES, DEFAULT_BUFFER_SIZE, DEFAULT_SAMPLE_RATE,
                            FIXED_MARGIN_S, SynthConfig, SynthParams)

if TYPE_CHECKING:
    from ..link import LinkConfig
    from ..models import ModelLibrary
    from ..runtime import RunConfig

# Polyphony beyond this buys nothing audible and costs the synth's buffer deadline.
MAX_VOICES = 256
PLUGIN_BENCH_DEFAULT = "http://drobilla.net/plugins/mda/Piano"  # `bench osc --sound plugin`: Debian's mda-lv2
PLUGIN_BENCH_PARAMS = ("env_release=0",)  # ... its shortest release, so each note falls silent before the next press
SAMPLE_RATES = (8000, 384000)


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    genie = parser.add_argument_group("decoder")
    genie.add_argument("--model", type=Path, default=None, help="model directory (default: the embedded model)")
    genie.add_argument("--temperature", type=float, default=DEFAULT_TEMPERATURE, help="starting temperature, 0..1")
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
    add_synth_arguments(audio)
    audio.add_argument("--soundfont", default=None, metavar="FILE",
                       help="--synth piano: the .sf2/.sf3 SoundFont (default: the best General MIDI one installed)")
    audio.add_argument("--audio", choices=AUDIO_CHOICES, default="auto", help="FM synth: pyo, numpy via sounddevice, or none")
    audio.add_argument("--audio-backend", choices=BACKEND_CHOICES, default="auto",
                       help="pyo's audio backend (auto: jack while a JACK server runs, else portaudio)")
    audio.add_argument("--audio-device", type=int, default=None, help="output device index (see pianogenie devices)")
    audio.add_argument("--buffer-size", type=int, default=DEFAULT_BUFFER_SIZE, help=f"audio buffer in frames (default {DEFAULT_BUFFER_SIZE})")
    audio.add_argument("--sample-rate", type=int, default=DEFAULT_SAMPLE_RATE, help="audio sample rate")
    audio.add_argument("--voices", type=int, default=SynthParams.voices, help="synth polyphony")
    audio.add_argument("--latency", default="asap", metavar="asap|fixed[:MS]",
                       help="the synth: asap (each note at the next audio block, the default) or fixed: every note "
                            f"MS after its press's arrival at its exact frame (default: one buffer + {FIXED_MARGIN_S * 1e3:g} ms, "
                            "the press's way to the synth); FM and plugins")
    parser.add_argument("--latency-ms", type=float, default=0.0, metavar="N",
                        help="every note leaves exactly N ms after its press arrives (0 = at once, the default)")
    link = parser.add_argument_group("Ableton Link (the [link] extra)")
    link.add_argument("--link", action="store_true", help="join the Ableton Link session: tempo and phase shared "
                                                          "with the band (status, banner, OSCQuery show them)")
    link.add_argument("--tempo", type=float, default=DEFAULT_TEMPO, metavar="BPM",
                      help=f"--link: the tempo if this bridge starts the session (default {DEFAULT_TEMPO:g})")
    link.add_argument("--quantum", type=float, default=DEFAULT_QUANTUM, metavar="BEATS",
                      help=f"--link: beats per bar, for phase and quantised starts (default {DEFAULT_QUANTUM:g})")
    link.add_argument("--snap", default=None, metavar="GRID:WINDOW",
                      help="--link: a press at most WINDOW before a GRID point sounds on it (e.g. 1/16:25ms); "
                           "any other press sounds at once; never earlier, never later than the window")
    parser.add_argument("--realtime", action="store_true",
                        help="ask for real-time (SCHED_FIFO) scheduling for the bridge and synth (needs the privilege)")
    # For `pianogenie bench osc`: the synth logs arrival -> onset of every note to this file.
    audio.add_argument("--onset-log", default=None, help=argparse.SUPPRESS)


def add_models_argument(parser: argparse.ArgumentParser) -> None:
    from .. import protocol as p

    parser.add_argument("--models", type=Path, default=None, metavar="DIR",
                        help=f"folder of model directories that {p.IN_MODEL} s:name (play: the m key) switches "
                             "between, by name")


def model_library(args: argparse.Namespace) -> "ModelLibrary | None":
    """--models as the bridge's library, or None; CommandError (one line) for a folder that cannot be one."""
    if args.models is None:
        return None
    from ..models import ModelLibrary

    try:
        return ModelLibrary(args.models)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def check_common(args: argparse.Namespace) -> str | None:
    """The first problem with the shared flags, as the one line to print, or None."""
    if not 0.0 <= args.temperature <= 1.0:
        return f"--temperature must be in [0, 1], got {args.temperature}"
    if not 1 <= args.midi_channel <= 16:
        return f"--midi-channel must be 1..16, got {args.midi_channel}"
    if not 16 <= args.buffer_size <= 8192:
        return f"--buffer-size must be 16..8192 frames, got {args.buffer_size}"
    if not 1 <= args.voices <= MAX_VOICES:
        return f"--voices must be 1..{MAX_VOICES}, got {args.voices}"
    if not 0 <= args.base_note <= 127 - 7:
        return f"--base-note must be 0..120 (buttons 0..7 are 8 keys from it), got {args.base_note}"
    if args.seed is not None and args.seed < 0:
        return f"--seed must be 0 or more, got {args.seed}"
    if not (math.isfinite(args.idle_timeout) and args.idle_timeout >= 0):
        return f"--idle-timeout must be 0 (never) or a number of seconds, got {args.idle_timeout}"
    if not SAMPLE_RATES[0] <= args.sample_rate <= SAMPLE_RATES[1]:
        return f"--sample-rate must be {SAMPLE_RATES[0]}..{SAMPLE_RATES[1]} Hz, got {args.sample_rate}"
    if not (math.isfinite(args.latency_ms) and 0 <= args.latency_ms <= MAX_LATENCY_MS):
        return f"--latency-ms must be 0..{MAX_LATENCY_MS:g}, got {args.latency_ms}"
    if audio_latency(args) is False:
        return f"--latency must be asap, fixed or fixed:MS (0 < MS <= 100), got {args.latency}"
    problem = gain_problem(args.gain)
    if problem:
        return problem
    if (args.snap is not None or args.tempo != DEFAULT_TEMPO or args.quantum != DEFAULT_QUANTUM) and not args.link:
        return "--tempo, --quantum and --snap need --link"
    return None


def link_config(args: argparse.Namespace) -> "LinkConfig | None":
    from ..link import LinkConfig, parse_snap

    if not args.link:
        return None
    beats, window = parse_snap(args.snap) if args.snap is not None else (None, 0.0)  # ValueError: one line
    return LinkConfig(args.tempo, args.quantum, beats, window)


def run_config(args: argparse.Namespace, midi_in: str | None = None, midi_in_flag: str = "--midi-in") -> "RunConfig":
    """The shared flags, checked (CommandError: one line, exit 2), as the run's config. midi_in: a controller
    named by another flag (play's --controller) instead of --midi-in."""
    from ..runtime import MidiConfig, RunConfig

    problem = check_common(args)
    if problem:
        raise CommandError(problem)
    midi = MidiConfig(args.midi_out, args.midi_in if midi_in is None else midi_in, midi_in_flag, args.midi_api,
                      args.midi_channel, args.midi_map, args.base_note)
    try:
        link = link_config(args)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    return RunConfig(args.model, args.temperature, args.seed, args.idle_timeout, args.record, midi,
                     synth_config(args), args.realtime, args.latency_ms / 1000.0, link)


def audio_latency(args: argparse.Namespace) -> float | None | bool:
    """--latency: None (asap), seconds (fixed), or False when it is neither."""
    mode, _, ms = args.latency.partition(":")
    if mode == "asap" and not ms:
        return None
    if mode != "fixed":
        return False
    if not ms:
        return args.buffer_size / args.sample_rate + FIXED_MARGIN_S
    try:
        seconds = float(ms) / 1000.0
    except ValueError:
        return False
    return seconds if 0 < seconds <= 0.1 else False


def synth_config(args: argparse.Namespace) -> SynthConfig:
    return SynthConfig(args.audio, args.audio_backend, args.audio_device, args.buffer_size, args.sample_rate,
                       SynthParams(voices=args.voices), args.onset_log, args.realtime, args.synth, args.soundfont,
                       plugin_params(args), audio_latency(args), args.gain)


def plugin_params(args: argparse.Namespace) -> tuple[tuple[str, float], ...]:
    """--plugin-preset's values, then --plugin-param's (which win); CommandError for a preset that cannot be used."""
    values: dict[str, float] = {}
    if args.plugin_preset is not None:
        from ..sound.preset import PresetError, load_preset

        try:
            values = load_preset(args.plugin_preset, args.synth)
        except PresetError as exc:
            raise CommandError(str(exc)) from None
    values.update(args.plugin_param)
    return tuple(values.items())


def _synth(name: str) -> str:
    if not synths.known(name):
        raise argparse.ArgumentTypeError(f"unknown synth {name!r} (one of {', '.join(synths.names())}, or "
                                         f"{synths.PLUGIN_HELP})")
    return name


def _plugin_param(text: str) -> tuple[str, float]:
    from ..sound.plugin_synth import parse_param

    try:
        return parse_param(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_synth_arguments(group) -> None:
    """--synth and --plugin-param, the same in serve, play and render."""
    group.add_argument("--synth", type=_synth, default=synths.DEFAULT_SYNTH, metavar="NAME", help=synths.help_text())
    group.add_argument("--plugin-param", type=_plugin_param, action="append", default=[], metavar="NAME=VALUE",
                       help="a plugin synth's parameter, by its symbol or name (LV2: in its own range; VST3: "
                            "normalised 0..1); repeat for more")
    group.add_argument("--plugin-preset", type=Path, default=None, metavar="FILE",
                       help='a plugin synth\'s parameters from a JSON file {"uri": ..., "params": {NAME: VALUE}} '
                            "(`pianogenie plugins --params NAME --json` prints one); --plugin-param wins over it")
    group.add_argument("--gain", type=float, default=DEFAULT_GAIN_DB, metavar="DB",
                       help=f"the synth's level in dB, {MIN_GAIN_DB:g}..{MAX_GAIN_DB:g} (default {DEFAULT_GAIN_DB:g}); "
                            "live, /genie/volume changes it")


def add_bench_osc_arguments(parser: argparse.ArgumentParser) -> None:
    """`pianogenie bench osc`: here, not in cli/bench.py, so its --help loads no numpy."""
    parser.add_argument("--presses", type=int, default=10000, help="presses per contender")
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the embedded model)")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of the 16-performer run")
    parser.add_argument("--sound", choices=("auto", "skip", "plugin"), default="auto",
                        help="press -> sound on a JACK dummy server: auto (pyo, after the round trips), skip, or plugin "
                             "(only: --plugin's arrival -> onset at 64 frames, --latency asap and fixed side by side)")
    parser.add_argument("--plugin", default=PLUGIN_BENCH_DEFAULT, metavar="URI",
                        help=f"--sound plugin: the LV2 instrument (default {PLUGIN_BENCH_DEFAULT})")
    parser.add_argument("--notes", type=int, default=100, help="--sound plugin: presses per latency mode (default 100)")
    parser.add_argument("--plugin-param", action="append", default=None, metavar="NAME=VALUE",
                        help=f"--sound plugin: serve's --plugin-param (default for {PLUGIN_BENCH_DEFAULT}: "
                             f"{' '.join(PLUGIN_BENCH_PARAMS)})")
    parser.add_argument("--baseline", type=Path, default=None, metavar="CHECKOUT",
                        help="also time the bridge of another checkout (e.g. a git worktree of an older commit), interleaved")


def plugin_bench_params(args: argparse.Namespace) -> list[str]:
    """`bench osc --sound plugin`: the --plugin-param given, else the default plugin's own."""
    if args.plugin_param is not None:
        return list(args.plugin_param)
    return list(PLUGIN_BENCH_PARAMS) if args.plugin == PLUGIN_BENCH_DEFAULT else []
