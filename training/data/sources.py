"""One name for every data source the commands accept (`--data SOURCE`):

- `music21` — the embedded default corpus (parsed once into the cache, see music21_corpus);
- a folder with a `maestro-v*.csv` — MAESTRO, splits from its metadata;
- any other folder — every MIDI file in it, split deterministically by path;
- a `.npz` file — a corpus cache written by `pianogenie corpus`.

Folders are parsed once and cached under the cache directory, keyed by their path and file list."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Sequence

from ..config import DEFAULT_SOURCE
from .notes import NoteCorpus, Piece, cache_dir, report_skips


def _folder_cache(folder: Path, kind: str) -> Path:
    files = sorted(str(p.relative_to(folder)) + f":{p.stat().st_size}:{p.stat().st_mtime_ns}"
                   for p in folder.rglob("*") if p.is_file())
    digest = hashlib.sha256("\n".join([str(folder.resolve()), *files]).encode()).hexdigest()[:16]
    return cache_dir() / f"{kind}-{folder.name}-{digest}.npz"


def load_source(source: str, workers: int = 2, progress: bool = True, use_cache: bool = True) -> NoteCorpus:
    """Load a data source by name (see module docstring); skipped files are reported as one warning."""
    if source == DEFAULT_SOURCE:
        from .music21_corpus import load_or_build

        corpus = load_or_build(workers=workers)
        report_skips(corpus, "music21 corpus")
        return corpus
    path = Path(source).expanduser()
    if path.is_file() and path.suffix == ".npz":
        return NoteCorpus.load(path)
    if not path.is_dir():
        raise FileNotFoundError(f"data source {source!r}: not 'music21', a folder or a .npz cache")
    from .maestro import find_metadata, load_maestro
    from .midi_files import load_midi_folder

    kind = "maestro" if find_metadata(path) else "midi"
    cache = _folder_cache(path, kind) if use_cache else None
    if cache is not None and cache.exists():
        corpus = NoteCorpus.load(cache)
    else:
        corpus = load_maestro(path, progress) if kind == "maestro" else load_midi_folder(path, progress)
        if cache is not None:
            corpus.save(cache)
    report_skips(corpus, str(path))
    if not corpus.pieces:
        raise ValueError(f"data source {source!r}: no usable piece (every file was skipped)")
    return corpus


def expand_prefixes(spec: str) -> tuple[str, ...]:
    """Comma-separated piece-name prefixes; "folk" and "keyboard" name groups of the music21 corpus."""
    from .music21_corpus import FOLK_TUNE_COLLECTIONS, KEYBOARD_WORKS

    groups = {"folk": FOLK_TUNE_COLLECTIONS, "keyboard": KEYBOARD_WORKS}
    return tuple(x for p in spec.split(",") if p.strip() for x in groups.get(p.strip(), (p.strip(),)))


def piece_weights(pieces: Sequence[Piece], spec: str) -> list[float] | None:
    """Sampling weights from "prefix=weight,...": each piece takes its first matching prefix's weight (groups
    such as "folk" expand), the rest 1. None for an empty spec, so sampling stays exactly as without weights."""
    if not spec.strip():
        return None
    rules = []
    for item in spec.split(","):
        if not item.strip():
            continue
        prefix, sep, value = item.partition("=")
        try:
            weight = float(value)
        except ValueError:
            weight = math.nan
        if not sep or not prefix.strip() or not math.isfinite(weight) or weight < 0:
            raise ValueError(f"--piece-weights {item.strip()!r}: write PREFIX=WEIGHT with a weight >= 0")
        rules.append((expand_prefixes(prefix.strip()), weight))
    return [next((w for names, w in rules if p.name.startswith(names)), 1.0) for p in pieces]


def select_pieces(corpus: NoteCorpus, source: str, exclude: str = "", holdout: str = "auto"
                  ) -> tuple[list[Piece], list[Piece], list[Piece]]:
    """(train, validation, held-out) pieces. `exclude` prefixes leave pieces out entirely; `holdout`
    prefixes keep pieces out of training, whatever their split, for the live validation ("auto": the
    music21 corpus's keyboard works, none for other sources; "folk" and "keyboard" name the music21
    groups)."""
    from .music21_corpus import KEYBOARD_WORKS

    expand = expand_prefixes
    drop = expand(exclude)
    held = KEYBOARD_WORKS if holdout == "auto" and source == DEFAULT_SOURCE else expand("" if holdout == "auto" else holdout)
    kept = [p for p in corpus.pieces if not (drop and p.name.startswith(drop))]
    live = [p for p in kept if held and p.name.startswith(held)]
    rest = [p for p in kept if not (held and p.name.startswith(held))]
    train = [p for p in rest if p.split == "train"]
    validation = [p for p in rest if p.split == "validation"]
    if not train:
        raise ValueError(f"data source {source!r}: no training piece left after --exclude {exclude!r} --holdout {holdout!r}")
    return train, validation or live, live
