"""`pianogenie replay --events TAKE`: decode a take's inputs again and print (or write) the notes. A take recorded
by serve or play names its model, temperature and seed and holds every state change (resets, key sets,
temperature, sustain, model swaps), so a replay gives the notes as they were played, bit for bit. A take whose
model cannot be found is refused unless --model names one."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pianogenie.engine.constants import DEFAULT_TEMPERATURE
from pianogenie.errors import CommandError


def _temperature(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"temperature must be in [0, 1], got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", required=True, type=Path, help='a take, or JSON: {"events": [{"time", "button", "release"}, ...]}')
    parser.add_argument("--model", type=Path, default=None,
                        help="model directory for the whole take (default: the take's own, else the embedded model)")
    parser.add_argument("--temperature", type=_temperature, default=None,
                        help=f"0 = argmax, 1 = the model's distribution (default: the take's, else {DEFAULT_TEMPERATURE})")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: the take's, else unseeded)")
    parser.add_argument("--out", type=Path, default=None, help="write the notes JSON here instead of stdout")
    parser.add_argument("--midi", type=Path, default=None, help="also write a standard MIDI file")


class ModelLoader:
    """load(directory) for replay_take: each model once. A directory the take names that is gone is refused
    (replaying with another model would give other notes, silently); --model's own is loaded as given."""

    def __init__(self, source: Path, override: Path | None):
        self.source = source
        self.override = None if override is None else str(override)
        self.models: dict[str | None, object] = {}

    def __call__(self, directory: str | None):
        from pianogenie.engine import PianoGenie

        if directory not in self.models:
            if directory is not None and directory != self.override and not Path(directory).is_dir():
                raise CommandError(f"{self.source}: the take's model {directory} is not there; "
                                   "give --model DIR to replay it with another")
            self.models[directory] = PianoGenie.load(directory)
        return self.models[directory]


def run(args: argparse.Namespace) -> int:
    import importlib.util

    from pianogenie.engine import ModelError

    # Before decoding, so a base install fails in one line rather than after printing the notes.
    if args.midi and importlib.util.find_spec("mido") is None:
        raise CommandError("--midi needs mido: pip install 'pianogenie-bridge[midi]'")
    if args.seed is not None and args.seed < 0:
        raise CommandError(f"--seed must be 0 or more, got {args.seed}")
    from pianogenie.engine.takes import Take, notes_document, replay_take

    load = ModelLoader(args.events, args.model)
    try:
        take = Take.load(args.events)
        notes = replay_take(take, load, load.override, args.temperature, args.seed)
    except (ValueError, ModelError) as exc:  # TakeError is a ValueError
        raise CommandError(str(exc)) from None
    text = json.dumps(notes_document(notes), indent=1)
    try:
        if args.out:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
        if args.midi:
            from ..midi import write_midi

            write_midi(notes, args.midi)
    except OSError as exc:
        raise CommandError(f"cannot write {exc.filename or args.out}: {exc.strerror or exc}") from None
    used = ", ".join(str(genie.model_dir) for genie in load.models.values())
    presses = sum(len(track.events) for track in take.tracks.values())
    print(f"replayed {presses} presses -> {len(notes)} notes with model {used}", file=sys.stderr)
    return 0
