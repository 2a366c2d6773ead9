"""The bridge package's subcommands: serve, play, render, devices and `bench osc`. Heavy imports happen inside
the run functions so `pianogenie --help` stays fast."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _serve(args: argparse.Namespace) -> int:
    from .serve import run

    return run(args)


def _play(args: argparse.Namespace) -> int:
    from .play import run

    return run(args)


def _render(args: argparse.Namespace) -> int:
    from engine import ModelError

    from .render import render_file
    from .voices import SynthParams

    try:
        count, seconds = render_file(args.events, args.out, args.sample_rate, SynthParams(voices=args.voices),
                                     args.model, args.temperature, args.seed, args.synth)
    except (ValueError, ModelError) as exc:
        print(f"pianogenie render: {exc}", file=sys.stderr)
        return 2
    print(f"rendered {count} notes -> {args.out} ({seconds:.2f} s at {args.sample_rate} Hz)", file=sys.stderr)
    return 0


def _devices(args: argparse.Namespace) -> int:
    from .audio import list_audio_devices
    from .midi import list_midi_ports

    print("audio outputs:")
    print("\n".join(list_audio_devices()))
    print("MIDI ports:")
    print("\n".join(list_midi_ports()))
    return 0


def _bench(args: argparse.Namespace) -> int:
    from .bench import run

    return run(args)


def register(registry) -> None:  # registry: engine.cli.Registry
    from .serve import add_arguments, add_common_arguments

    serve = registry.command("serve", _serve, "run the bridge: OSC in and out, MIDI and a synth where available")
    add_arguments(serve)

    play = registry.command("play", _play, "play the genie from the computer keyboard or a MIDI controller")
    play.add_argument("--gate", type=float, default=0.35,
                      help="seconds a key sounds (a terminal reports no key releases); +/- change it while playing")
    play.add_argument("--controller", default=None, metavar="PORT", help="play from this MIDI input port instead of the keyboard")
    add_common_arguments(play)

    render = registry.command("render", _render, "render a recorded performance or events file to a WAV, offline")
    render.add_argument("events", type=Path, help="recording or events JSON (pianogenie serve/play --record)")
    render.add_argument("out", type=Path, help="output WAV (16-bit mono)")
    render.add_argument("--synth", choices=("numpy", "pyo"), default="numpy",
                        help="numpy: the sample-exact voice bank; pyo: the live synth in pyo's offline mode")
    render.add_argument("--sample-rate", type=int, default=48000)
    render.add_argument("--voices", type=int, default=16)
    render.add_argument("--model", type=Path, default=None, help="model for files with events only")
    render.add_argument("--temperature", type=float, default=0.25)
    render.add_argument("--seed", type=int, default=0, help="seed for files with events only (default 0: deterministic)")

    registry.command("devices", _devices, "list audio outputs and MIDI ports")

    bench = registry.bench("osc", _bench, "OSC round trip (bare echo floor vs bridge), 16 performers, press -> sound")
    bench.add_argument("--presses", type=int, default=10000, help="presses per contender")
    bench.add_argument("--model", type=Path, default=None, help="model directory (default: the embedded model)")
    bench.add_argument("--seconds", type=float, default=5.0, help="duration of the 16-performer run")
    bench.add_argument("--sound", choices=("auto", "skip"), default="auto", help="press -> sound on a JACK dummy server")

    # The browser app's server (bridge/webapp.py, written with web/): `pianogenie web` and `bench web`.
    from .webapp import register_web

    register_web(registry)
