"""`pianogenie render TAKE out.wav|out.mid`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pianogenie.engine.constants import DEFAULT_TEMPERATURE

from ..sound.voices import DEFAULT_SAMPLE_RATE, SynthParams
from .options import add_synth_arguments, plugin_params


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("events", type=Path, help="recording or events JSON (pianogenie serve/play --record)")
    parser.add_argument("out", type=Path, help="output file: .wav (16-bit audio: mono, or stereo from pyo and plugins) or .mid/.midi (the notes)")
    add_synth_arguments(parser)
    parser.add_argument("--soundfont", type=Path, default=None, metavar="FILE",
                        help="--synth piano: the .sf2/.sf3 SoundFont (default: the best General MIDI one installed)")
    parser.add_argument("--sample-rate", type=int, default=DEFAULT_SAMPLE_RATE)
    parser.add_argument("--voices", type=int, default=SynthParams.voices)
    parser.add_argument("--model", type=Path, default=None, help="model for files with events only")
    parser.add_argument("--temperature", type=float, default=DEFAULT_TEMPERATURE)
    parser.add_argument("--seed", type=int, default=0, help="seed for files with events only (default 0: deterministic)")


def run(args: argparse.Namespace) -> int:
    from pianogenie.engine import ModelError

    from ..sound.gain import gain_problem
    from ..sound.render import RenderConfig, render_file

    from .options import MAX_VOICES, SAMPLE_RATES

    problem = None
    if not SAMPLE_RATES[0] <= args.sample_rate <= SAMPLE_RATES[1]:
        problem = f"--sample-rate must be {SAMPLE_RATES[0]}..{SAMPLE_RATES[1]} Hz, got {args.sample_rate}"
    elif not 1 <= args.voices <= MAX_VOICES:
        problem = f"--voices must be 1..{MAX_VOICES}, got {args.voices}"
    else:
        problem = gain_problem(args.gain)
    if problem is None and not args.out.parent.is_dir():
        # No folder is made that the user did not ask for: a typo in a path is one line, not a new tree.
        problem = f"{args.out}: the folder {args.out.parent} does not exist"
    if problem:
        print(f"pianogenie render: {problem}", file=sys.stderr)
        return 2
    config = RenderConfig(args.sample_rate, SynthParams(voices=args.voices), args.synth, args.model, args.temperature, args.seed,
                          args.soundfont, plugin_params=plugin_params(args), gain_db=args.gain)
    try:
        count, seconds = render_file(args.events, args.out, config)
    except (ValueError, ModelError) as exc:
        print(f"pianogenie render: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the folder is there but cannot be written (permissions, /proc, a full disk)
        print(f"pianogenie render: cannot write {args.out} ({exc.strerror or exc})", file=sys.stderr)
        return 2
    audio = "" if args.out.suffix.lower() in (".mid", ".midi") else f" at {args.sample_rate} Hz"
    print(f"rendered {count} notes -> {args.out} ({seconds:.2f} s{audio})", file=sys.stderr)
    return 0
