"""`pianogenie replay --events TAKE`: decode a take's button events again and print (or write) the notes. A take
recorded by serve or play names its model, temperature and seed; they are the defaults, so a replay gives the
notes as they were played (unless the run changed temperature or range on the way), model swaps included."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from pianogenie.engine.constants import DEFAULT_TEMPERATURE


def _temperature(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"temperature must be in [0, 1], got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", required=True, type=Path, help='JSON: {"events": [{"time", "button", "release"}, ...]}')
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the take's, else the embedded model)")
    parser.add_argument("--temperature", type=_temperature, default=None,
                        help=f"0 = argmax, 1 = the model's distribution (default: the take's, else {DEFAULT_TEMPERATURE})")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: the take's, else unseeded)")
    parser.add_argument("--out", type=Path, default=None, help="write the notes JSON here instead of stdout")
    parser.add_argument("--midi", type=Path, default=None, help="also write a standard MIDI file")


def _model_changes(take: dict, source: str) -> list[tuple[float, Path]]:
    """A take's "model_changes" as (time, model directory), in time order."""
    changes = take.get("model_changes", [])
    if not isinstance(changes, list) or not all(
            isinstance(c, dict) and isinstance(c.get("time"), (int, float)) and isinstance(c.get("model"), str)
            for c in changes):
        raise ValueError(f'{source}: "model_changes" must be a list of {{"time": seconds, "model": directory}}')
    return sorted((float(c["time"]), Path(c["model"])) for c in changes)


def run(args: argparse.Namespace) -> int:
    import importlib.util

    from pianogenie.engine import ModelError, PianoGenie

    # Before decoding, so a base install fails in one line rather than after printing the notes.
    if args.midi and importlib.util.find_spec("mido") is None:
        print("pianogenie replay --midi needs mido: pip install 'pianogenie-bridge[midi]'", file=sys.stderr)
        return 2
    from pianogenie.engine.takes import notes_document, parse_events, read_take, replay

    try:
        take = read_take(args.events)
        events = parse_events(take, str(args.events))
        recorded = take if isinstance(take, dict) else {}
        model = args.model
        if model is None and isinstance(recorded.get("model"), str) and Path(recorded["model"]).is_dir():
            model = Path(recorded["model"])
        temperature = args.temperature if args.temperature is not None else recorded.get("temperature", DEFAULT_TEMPERATURE)
        seed = args.seed if args.seed is not None else recorded.get("seed")
        seed = None if seed is None else int(seed)
        # A take with model swaps (serve --models): each stretch between swaps is decoded by its own model from a
        # fresh start, as the bridge played it. An explicit --model decodes all of it with that one.
        stretches = [(-math.inf, model)] + ([] if args.model else _model_changes(recorded, str(args.events)))
        notes = []
        for i, (start, path) in enumerate(stretches):
            end = stretches[i + 1][0] if i + 1 < len(stretches) else math.inf
            genie = PianoGenie.load(path)
            notes += replay(genie, [e for e in events if start <= e.time < end], float(temperature), seed)
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
