"""The training package's subcommands, declared in training/cli.py: corpus, train, evaluate, export and
`bench training`. Heavy imports (torch, music21, mido) happen inside the run functions, so parsing a command's
flags imports none of them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def run_corpus(args: argparse.Namespace) -> int:
    import time

    from .data.notes import report_skips
    from .data.sources import DEFAULT_SOURCE, load_source

    if args.source == DEFAULT_SOURCE and (args.files or args.rebuild or args.cache):
        from .data.music21_corpus import build_corpus, corpus_files, default_cache_path

        files = corpus_files()
        if args.files:
            files = files[: args.files]
        t0 = time.time()
        corpus = build_corpus(files, workers=args.workers)
        path = corpus.save(args.cache or default_cache_path())
        print(f"parsed {len(files)} files in {time.time() - t0:.0f} s -> {path}")
        report_skips(corpus, "music21 corpus")
    else:
        corpus = load_source(args.source, workers=args.workers)
    print(corpus.summary())
    return 0


def run_train(args: argparse.Namespace) -> int:
    from .config import config_from_args
    from .train import train

    try:
        train(config_from_args(args))
    except (FileExistsError, FileNotFoundError, ValueError) as exc:
        print(f"pianogenie train: {exc}", file=sys.stderr)
        return 2
    return 0


def _recorded_source(path: str) -> str | None:
    """The data source a checkpoint or model directory says it was trained on, if it says."""
    from pathlib import Path

    try:
        if Path(path).is_dir():
            cfg = json.loads((Path(path) / "cfg.json").read_text())
            return cfg.get("data") if isinstance(cfg, dict) else None
        import torch

        obj = torch.load(path, map_location="cpu", weights_only=True)
        return obj.get("config", {}).get("data") if isinstance(obj, dict) else None
    except Exception:  # a broken model is reported when it is loaded
        return None


def _evaluation_source(args: argparse.Namespace) -> str | None:
    """--data, else the first model's own source when using it costs nothing (a folder or cache that is
    there, or the music21 corpus once it is cached). Parsing the whole music21 corpus takes ~20 minutes, so
    it only ever starts when --data music21 was asked for."""
    if args.data:
        return args.data
    from .data.music21_corpus import default_cache_path
    from .data.sources import DEFAULT_SOURCE

    for path in args.model:
        source = _recorded_source(path)
        if source == DEFAULT_SOURCE and default_cache_path().exists():
            return source
        if source and source != DEFAULT_SOURCE and Path(source).exists():
            return source
    return None


class _Refused(Exception):
    """A one-line reason `pianogenie evaluate` cannot go on (exit 2)."""


def _evaluation_pieces(args: argparse.Namespace, min_notes: int) -> tuple[str, list]:
    from .data.sources import expand_prefixes, load_source

    source = _evaluation_source(args)
    if source is None:
        raise _Refused("say which music to evaluate on with --data (a MIDI folder, a MAESTRO folder, a .npz "
                       "cache, or music21, whose first parse takes ~20 minutes)")
    try:
        corpus = load_source(source, workers=args.workers)
    except (OSError, ValueError) as exc:
        raise _Refused(str(exc)) from None
    pieces = corpus.pieces if args.split == "all" else corpus.split(args.split)
    if args.pieces:
        prefixes = expand_prefixes(args.pieces)
        pieces = [p for p in pieces if p.name.startswith(prefixes)]
    pieces = [p for p in pieces if len(p) >= min_notes]
    if not pieces:
        raise _Refused(f"the {args.split} split of {source} has no piece of {min_notes} notes or more")
    return source, pieces


def _models(args: argparse.Namespace):
    """(name, model, has_encoder) for each --model, in order."""
    from .model import load_for_evaluation

    for path in args.model:
        try:
            model, with_encoder = load_for_evaluation(path)
        except (OSError, ValueError, RuntimeError) as exc:
            raise _Refused(str(exc)) from None
        yield str(path), model, with_encoder


def _evaluate_windows(args: argparse.Namespace) -> None:
    from .evaluate import evaluate as run_evaluation
    from .evaluate import format_table, goal_report

    source, pieces = _evaluation_pieces(args, 128)
    jitter = args.jitter_ms / 1000
    results = {name: run_evaluation(model, pieces, with_encoder, max_windows=args.max_windows, jitter_s=jitter,
                                    live_seeds=tuple(range(args.live_seeds)))
               for name, model, with_encoder in _models(args)}
    print(f"{source}, split {args.split}: {len(pieces)} pieces, {sum(len(p) for p in pieces)} notes; "
          f"a person's buttons = pitch rank in each 128-note window, in eighths; live suite over "
          f"{args.live_seeds} seeds at the default temperature")
    print(format_table(results, jitter))
    names = list(results)
    if len(names) > 1:
        losses = goal_report(results, names[0], names[-1], jitter)
        print(f"\n{names[0]} against {names[-1]} (performer-timing NLL and the live suite): "
              + ("at least as good on every measure" if not losses else f"worse on {len(losses)}:"))
        for line in losses:
            print(f"  - {line}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


def _evaluate_play(args: argparse.Namespace) -> None:
    from .music.compare import format_tables, to_json
    from .music.defaults import MAPPINGS
    from .music.play import MIN_NOTES, play_pieces, playable
    from .music.roll import draw_rolls, find_play, parse_roll

    mappings = tuple(m.strip() for m in args.mappings.split(",") if m.strip())
    unknown = [m for m in mappings if m not in MAPPINGS]
    if not mappings or unknown:
        raise _Refused(f"--mappings {args.mappings!r}: use some of {', '.join(MAPPINGS)}")
    if args.seeds < 1:
        raise _Refused("--seeds must be 1 or more")
    rolls = [parse_roll(spec) for spec in args.roll or []]
    source, pieces = _evaluation_pieces(args, MIN_NOTES)
    pieces = playable(pieces)
    results = {}
    for name, model, _ in _models(args):
        results[name] = play_pieces(model.dec, pieces, args.seeds, mappings)
    print(f"{source}, split {args.split}: {len(pieces)} pieces, {sum(len(p) for p in pieces)} notes, each played "
          f"whole, free-running, as a person would press it ({', '.join(mappings)} mappings x {args.seeds} seeds, "
          f"onsets jittered by up to 10 ms); means over the pieces")
    print(format_tables(results, args.resamples))
    for piece, start in rolls:
        plays = {name: find_play(r, piece) for name, r in results.items()}
        stem = Path(next(iter(plays.values())).name).stem.replace(" ", "_")
        out = draw_rolls(piece, start, plays, Path(args.roll_out) / f"roll_{stem}_{start:g}.png")
        print(f"piano roll: {out}")
    if args.json:
        Path(args.json).write_text(json.dumps(to_json(results), indent=2) + "\n")


def run_evaluate(args: argparse.Namespace) -> int:
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        (_evaluate_play if args.play else _evaluate_windows)(args)
    except (_Refused, ValueError) as exc:
        print(f"pianogenie evaluate: {exc}", file=sys.stderr)
        return 2
    return 0


def run_export(args: argparse.Namespace) -> int:
    from .export import export

    piece = None
    if args.data:
        from .data.sources import load_source

        held_out = [p for p in load_source(args.data, workers=args.workers).split(args.split) if len(p) >= 128]
        if not held_out:
            print(f"pianogenie export: no {args.split} piece of {args.data} has 128 notes for the fixture", file=sys.stderr)
            return 2
        piece = held_out[0]
    try:
        out = export(args.checkpoint, args.out, piece)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"pianogenie export: {exc}", file=sys.stderr)
        return 2
    print(f"exported {args.checkpoint} -> {out}" + (f" (fixture from {piece.name})" if piece else ""))
    return 0


def run_bench(args: argparse.Namespace) -> int:
    from .bench import run

    return run(args)


def corpus_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", nargs="?", default="music21", help="music21 | MIDI folder | MAESTRO folder | .npz")
    p.add_argument("--workers", type=int, default=2, help="parsing processes (default: 2)")
    p.add_argument("--files", type=int, default=0, help="music21 only: parse just the first N files")
    p.add_argument("--cache", help="music21 only: cache file to write (default: $PIANOGENIE_CACHE or ~/.cache/pianogenie)")
    p.add_argument("--rebuild", action="store_true", help="music21 only: parse again even if cached")


def train_arguments(p: argparse.ArgumentParser) -> None:
    from .config import add_arguments

    add_arguments(p)


def evaluate_arguments(p: argparse.ArgumentParser) -> None:
    from .music.defaults import DEFAULT_SEEDS, MAPPINGS, RESAMPLES

    p.add_argument("--model", action="append", required=True,
                   help="checkpoint (.pt) or model directory; repeat to compare side by side (put the one to "
                        "beat last: a summary lists where the first model is worse)")
    p.add_argument("--data", help="MIDI folder, MAESTRO folder, .npz cache or music21 (default: the first model's "
                                  "own training data, when that is at hand without parsing)")
    p.add_argument("--split", default="test", choices=["train", "validation", "test", "all"],
                   help="which pieces (default: test; all = every piece, e.g. a folder never trained on)")
    p.add_argument("--pieces", help="only pieces whose names start with these comma-separated prefixes "
                                    "(music21 groups: keyboard, folk)")
    p.add_argument("--jitter-ms", type=float, default=10.0, help="performer timing: onset jitter sigma (default: 10)")
    p.add_argument("--live-seeds", type=int, default=3, help="seeds of the live-input suite (default: 3)")
    p.add_argument("--max-windows", type=int, default=None, help="evaluate an evenly spaced subset of windows")
    p.add_argument("--json", help="also write the results as JSON here")
    p.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    p.add_argument("--workers", type=int, default=2)
    play = p.add_argument_group("--play: whole pieces, as a person would press them, against the music itself")
    play.add_argument("--play", action="store_true",
                      help="play each piece whole, free-running, and compare with the piece measure by measure, "
                           "with 95 %% bootstrap intervals over pieces between the models")
    play.add_argument("--seeds", type=int, default=DEFAULT_SEEDS,
                      help=f"seeds per piece and mapping (default: {DEFAULT_SEEDS})")
    play.add_argument("--mappings", default=",".join(MAPPINGS),
                      help=f"button mappings, comma-separated (default: {','.join(MAPPINGS)})")
    play.add_argument("--resamples", type=int, default=RESAMPLES, help=f"bootstrap resamples (default: {RESAMPLES})")
    play.add_argument("--roll", action="append", metavar="PIECE:START",
                      help="draw a 20 s piano roll of the piece and of each model from START seconds (repeatable; "
                           "needs matplotlib, the 'plot' extra)")
    play.add_argument("--roll-out", default=".", help="folder for the piano-roll PNGs (default: .)")


def export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("checkpoint", help="training checkpoint or state dict (.pt)")
    p.add_argument("--out", required=True, help="model directory to write")
    p.add_argument("--data", help="data source for the test.json fixture (a held-out piece); none = no fixture")
    p.add_argument("--split", default="test", choices=["validation", "test"])
    p.add_argument("--workers", type=int, default=2)


def bench_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", default="music21")
    p.add_argument("--synthetic", action="store_true", help="use synthetic pieces instead of a corpus")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--threads", type=int, default=1)
