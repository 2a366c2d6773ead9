"""A piece is a note stream: (onset seconds, key 0..87) sorted by (onset, key), with velocity and duration
kept where the source knows them. A NoteCorpus is a list of pieces, each assigned to a split, plus a
count of what was skipped and why. It is saved as one compressed .npz (concatenated arrays + offsets)."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np

from pianogenie.engine.constants import NUM_KEYS

SPLITS = ("train", "validation", "test")
# An example is a crop of this many notes; shorter pieces are useless for training and are skipped.
MIN_NOTES = 128
# Velocity 0 means "unknown" (a note-on with velocity 0 is a note-off in MIDI, so it never occurs otherwise).
UNKNOWN_VELOCITY = 0
CACHE_ENV = "PIANOGENIE_CACHE"


def cache_dir() -> Path:
    """Where parsed corpora live: $PIANOGENIE_CACHE, else ~/.cache/pianogenie."""
    override = os.environ.get(CACHE_ENV)
    return Path(override) if override else Path.home() / ".cache" / "pianogenie"


def split_for(name: str) -> str:
    """Deterministic split by piece name: 90% train, 5% validation, 5% test (stable across machines)."""
    bucket = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "little") % 100
    if bucket < 90:
        return "train"
    return "validation" if bucket < 95 else "test"


def ensure_held_out(pieces: list["Piece"]) -> None:
    """Small folders can hash every piece into train. Then, with at least 3 pieces, the train pieces that
    hash last (still deterministic) move to the empty validation/test split, one each."""
    if len(pieces) < 3:
        return
    order = sorted((p for p in pieces if p.split == "train"),
                   key=lambda p: hashlib.sha256(p.name.encode("utf-8")).hexdigest(), reverse=True)
    for split in ("validation", "test"):
        if order and not any(p.split == split for p in pieces):
            order.pop(0).split = split


class SkipPiece(Exception):
    """A file that cannot become a piece; the message says why (counted, never fatal)."""


@dataclass
class Piece:
    name: str
    onsets: np.ndarray  # float64 seconds, sorted
    keys: np.ndarray  # uint8 0..87
    velocities: np.ndarray  # uint8, UNKNOWN_VELOCITY where unknown
    durations: np.ndarray  # float32 seconds, NaN where unknown
    split: str = "train"

    def __len__(self) -> int:
        return len(self.onsets)


def make_piece(name: str, notes: Iterable[tuple[float, int, int, float]], split: str | None = None) -> Piece:
    """Build a piece from (onset s, key, velocity, duration s) tuples: keys outside the piano are dropped,
    the stream is sorted by (onset, key), and a key struck twice at the same onset is kept once
    (merged parts often double a voice; a piano cannot)."""
    rows = [(float(t), int(k), int(v), float(d)) for t, k, v, d in notes if 0 <= int(k) < NUM_KEYS]
    rows.sort(key=lambda r: (r[0], r[1]))
    dedup: list[tuple[float, int, int, float]] = []
    for row in rows:
        if dedup and dedup[-1][0] == row[0] and dedup[-1][1] == row[1]:
            continue
        dedup.append(row)
    arr = np.array(dedup, dtype=np.float64).reshape(-1, 4)
    if len(arr) and arr[0, 0] != 0.0:
        arr[:, 0] -= arr[0, 0]  # pieces start at 0 s; only differences matter to the model
    return Piece(
        name=name,
        onsets=arr[:, 0].copy(),
        keys=arr[:, 1].astype(np.uint8),
        velocities=np.clip(arr[:, 2], 0, 127).astype(np.uint8),
        durations=arr[:, 3].astype(np.float32),
        split=split if split is not None else split_for(name),
    )


@dataclass
class NoteCorpus:
    pieces: list[Piece]
    skipped: Counter = field(default_factory=Counter)  # reason -> count
    skipped_files: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)

    def split(self, name: str) -> list[Piece]:
        if name not in SPLITS:
            raise ValueError(f"unknown split {name!r}; expected one of {SPLITS}")
        return [p for p in self.pieces if p.split == name]

    @property
    def num_notes(self) -> int:
        return sum(len(p) for p in self.pieces)

    def summary(self) -> str:
        counts = Counter(p.split for p in self.pieces)
        notes = Counter()
        for p in self.pieces:
            notes[p.split] += len(p)
        parts = [f"{s}: {counts[s]} pieces / {notes[s]} notes" for s in SPLITS]
        skipped = sum(self.skipped.values())
        text = f"{len(self.pieces)} pieces, {self.num_notes} notes ({'; '.join(parts)})"
        if skipped:
            reasons = ", ".join(f"{r}: {n}" for r, n in self.skipped.most_common())
            text += f"; skipped {skipped} files ({reasons})"
        return text

    def save(self, path: str | os.PathLike) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        lengths = np.array([len(p) for p in self.pieces], dtype=np.int64)
        cat = lambda attr, dtype: (np.concatenate([getattr(p, attr) for p in self.pieces]).astype(dtype)
                                   if self.pieces else np.zeros(0, dtype))
        meta = {"skipped": dict(self.skipped), "skipped_files": self.skipped_files}
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp.npz")  # concurrent writers never share a temp file
        np.savez_compressed(
            tmp,
            names=np.array([p.name for p in self.pieces], dtype=str),
            splits=np.array([p.split for p in self.pieces], dtype=str),
            lengths=lengths,
            onsets=cat("onsets", np.float64),
            keys=cat("keys", np.uint8),
            velocities=cat("velocities", np.uint8),
            durations=cat("durations", np.float32),
            meta=np.array(json.dumps(meta)),
        )
        os.replace(tmp, path)  # never leave a half-written cache behind
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "NoteCorpus":
        with np.load(Path(path), allow_pickle=False) as z:
            bounds = np.concatenate([[0], np.cumsum(z["lengths"])])
            onsets, keys, vels, durs = z["onsets"], z["keys"], z["velocities"], z["durations"]
            pieces = [
                Piece(str(name), onsets[a:b], keys[a:b], vels[a:b], durs[a:b], str(split))
                for name, split, a, b in zip(z["names"], z["splits"], bounds[:-1], bounds[1:])
            ]
            meta = json.loads(str(z["meta"]))
        return cls(pieces, Counter(meta.get("skipped", {})), [tuple(x) for x in meta.get("skipped_files", [])])


def report_skips(corpus: NoteCorpus, source: str) -> None:
    """One warning naming how many files were skipped and why (each file is listed in the cache meta)."""
    total = sum(corpus.skipped.values())
    if total:
        reasons = ", ".join(f"{r}: {n}" for r, n in corpus.skipped.most_common())
        warnings.warn(f"{source}: skipped {total} file(s) ({reasons})", stacklevel=2)
