"""`pianogenie replay --events TAKE`: decode a take's button events again and print (or write) the notes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.constants import DEFAULT_TEMPERATURE


def _temperature(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"temperature must be in [0, 1], got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", required=True, type=Path, help='JSON: {"events": [{"time", "button", "release"}, ...]}')
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the embedded model)")
    parser.add_argument("--temperature", type=_temperature, default=DEFAULT_TEMPERATURE, help="0 = argmax, 1 = the model's distribution")
    parser.add_argument("--seed", type=int, default=None, help="random seed, for a reproducible replay")
    parser.add_argument("--out", type=Path, default=None, help="write the notes JSON here instead of stdout")
    parser.add_argument("--midi", type=Path, default=None, help="also write a standard MIDI file")


def run(args: argparse.Namespace) -> int:
    import importlib.util

    from engine import ModelError, PianoGenie

    # Before decoding, so a base install fails in one line rather than after printing the notes.
    if args.midi and importlib.util.find_spec("mido") is None:
        print("pianogenie replay --midi needs mido: pip install 'pianogenie-bridge[midi]'", file=sys.stderr)
        return 2
    from engine.takes import load_events, notes_document, replay

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
        from ..midi import write_midi

        write_midi(notes, args.midi)
    print(f"replayed {len(events)} presses -> {len(notes)} notes with model {genie.model_dir}", file=sys.stderr)
    return 0
