"""The engine's subcommands: `replay` and `bench engine`."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from .cli import Registry


def _replay(args: argparse.Namespace) -> int:
    from .genie import PianoGenie
    from .model_format import ModelError
    from .replay import load_events, notes_document, replay, write_midi

    try:
        events = load_events(args.events)
        genie = PianoGenie.load(args.model)
        notes = replay(genie, events, temperature=args.temperature, seed=args.seed)
    except (ValueError, ModelError) as exc:
        print(f"pianogenie replay: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(notes_document(notes), indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    if args.midi:
        write_midi(notes, args.midi)
    print(f"replayed {len(events)} presses -> {len(notes)} notes with model {genie.model_dir}", file=sys.stderr)
    return 0


def _bench(args: argparse.Namespace) -> int:
    # A fresh interpreter, so thread counts are pinned before numpy and torch load their thread pools.
    from .bench import THREAD_ENV

    env = dict(os.environ, **{name: "1" for name in THREAD_ENV})
    command = [sys.executable, "-m", "engine.bench", "--presses", str(args.presses), "--batch", str(args.batch)]
    if args.model:
        command += ["--model", str(args.model)]
    return subprocess.call(command, env=env)


def _temperature(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"temperature must be in [0, 1], got {text}")
    return value


def register(registry: Registry) -> None:
    p = registry.command("replay", _replay, "play a recorded events file through the decoder and print the notes")
    p.add_argument("--events", required=True, type=Path, help='JSON: {"events": [{"time", "button", "release"}, ...]}')
    p.add_argument("--model", type=Path, default=None, help="model directory (default: the embedded model)")
    p.add_argument("--temperature", type=_temperature, default=0.25, help="0 = argmax, 1 = the model's distribution")
    p.add_argument("--seed", type=int, default=None, help="random seed, for a reproducible replay")
    p.add_argument("--out", type=Path, default=None, help="write the notes JSON here instead of stdout")
    p.add_argument("--midi", type=Path, default=None, help="also write a standard MIDI file")

    b = registry.bench("engine", _bench, "press -> key latency against a PyTorch eager step, one thread")
    b.add_argument("--model", type=Path, default=None, help="model directory (default: the embedded model)")
    b.add_argument("--presses", type=int, default=20000, help="presses per contender")
    b.add_argument("--batch", type=int, default=64, help="sessions per batched call")
