"""MAESTRO (Hawthorne et al.): the metadata csv lists every performance's MIDI file and its split."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from .midi_files import parse_many
from .notes import NoteCorpus

# MAESTRO names its splits exactly like ours.
_SPLITS = {"train": "train", "validation": "validation", "test": "test"}


def find_metadata(root: Path) -> Path | None:
    found = sorted(root.glob("maestro-v*.csv"))
    return found[-1] if found else None


def load_maestro(root: str | os.PathLike, progress: bool = True) -> NoteCorpus:
    root = Path(root)
    meta = find_metadata(root)
    if meta is None:
        raise FileNotFoundError(f"{root}: no maestro-v*.csv metadata file")
    with meta.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    missing = {"midi_filename", "split"} - set(rows[0] if rows else {})
    if missing:
        raise ValueError(f"{meta}: missing column(s) {sorted(missing)}")
    items = []
    for row in rows:
        split = _SPLITS.get(row["split"].strip())
        if split is None:
            raise ValueError(f"{meta}: unknown split {row['split']!r} for {row['midi_filename']}")
        items.append((root / row["midi_filename"], row["midi_filename"], split))
    return parse_many(items, len(items), "parsing MAESTRO", progress)
