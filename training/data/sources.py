"""One name for every data source the commands accept (`--data SOURCE`):

- `music21` — the embedded default corpus (parsed once into the cache, see music21_corpus);
- a folder with a `maestro-v*.csv` — MAESTRO, splits from its metadata;
- any other folder — every MIDI file in it, split deterministically by path;
- a `.npz` file — a corpus cache written by `pianogenie corpus`.

Folders are parsed once and cached under the cache directory, keyed by their path and file list."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..config import DEFAULT_SOURCE
from .notes import NoteCorpus, cache_dir, report_skips



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
