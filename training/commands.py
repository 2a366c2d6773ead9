"""The training package's subcommands: corpus, train, evaluate, export. Heavy imports (torch, music21,
mido) happen inside the run functions so `pianogenie --help` stays fast."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _corpus(args: argparse.Namespace) -> int:
    import time

    from .data.notes import NoteCorpus, report_skips
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


def _train(args: argparse.Namespace) -> int:
    from .config import config_from_args
    from .train import train

    train(config_from_args(args))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from .data.sources import load_source
    from .evaluate import evaluate, format_table
    from .model import load_model

    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    corpus = load_source(args.data, workers=args.workers)
    pieces = corpus.split(args.split)
    if not pieces:
        print(f"pianogenie evaluate: the {args.split} split of {args.data} is empty", file=sys.stderr)
        return 2
    results = {}
    for path in args.model:
        try:
            model = load_model(path)
        except (OSError, ValueError, RuntimeError) as exc:
            print(f"pianogenie evaluate: {exc}", file=sys.stderr)
            return 2
        results[Path(path).name if len(args.model) == 1 else str(path)] = evaluate(model, pieces, max_windows=args.max_windows)
    print(f"{args.data}, split {args.split}: {len(pieces)} pieces, {sum(len(p) for p in pieces)} notes")
    print(format_table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


def _export(args: argparse.Namespace) -> int:
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


def _bench(args: argparse.Namespace) -> int:
    from .bench import run

    return run(args)


def register(registry) -> None:  # registry: engine.cli.Registry
    from .config import add_arguments

    p = registry.command("corpus", _corpus, "parse a data source into the cache and summarise it")
    p.add_argument("source", nargs="?", default="music21", help="music21 | MIDI folder | MAESTRO folder | .npz")
    p.add_argument("--workers", type=int, default=2, help="parsing processes (default: 2)")
    p.add_argument("--files", type=int, default=0, help="music21 only: parse just the first N files")
    p.add_argument("--cache", help="music21 only: cache file to write (default: $PIANOGENIE_CACHE or ~/.cache/pianogenie)")
    p.add_argument("--rebuild", action="store_true", help="music21 only: parse again even if cached")

    p = registry.command("train", _train, "train Piano Genie (single process, or under torchrun with DDP)")
    add_arguments(p)

    p = registry.command("evaluate", _evaluate, "held-out metrics and the intuitiveness check of checkpoints")
    p.add_argument("--model", action="append", required=True, help="checkpoint (.pt); repeat to compare side by side")
    p.add_argument("--data", default="music21", help="data source (default: music21)")
    p.add_argument("--split", default="test", choices=["train", "validation", "test"])
    p.add_argument("--max-windows", type=int, default=None, help="evaluate an evenly spaced subset of windows")
    p.add_argument("--json", help="also write the results as JSON here")
    p.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    p.add_argument("--workers", type=int, default=2)

    p = registry.command("export", _export, "export a checkpoint's decoder as a model directory")
    p.add_argument("checkpoint", help="training checkpoint or state dict (.pt)")
    p.add_argument("--out", required=True, help="model directory to write")
    p.add_argument("--data", help="data source for the test.json fixture (a held-out piece); none = no fixture")
    p.add_argument("--split", default="test", choices=["validation", "test"])
    p.add_argument("--workers", type=int, default=2)

    p = registry.bench("training", _bench, "training steps/s and the data pipeline's share of a step")
    p.add_argument("--data", default="music21")
    p.add_argument("--synthetic", action="store_true", help="use synthetic pieces instead of a corpus")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--threads", type=int, default=1)
