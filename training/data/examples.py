"""From pieces to model inputs: random 128-note crops with augmentation for training, and every
non-overlapping window for evaluation. All numpy, vectorised: a batch costs well under a millisecond,
so the data pipeline is never the bottleneck of a step that takes tens of milliseconds."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from pianogenie.engine.constants import DT_MAX, NUM_KEYS

from ..config import Augmentation
from .notes import Piece
from .performance import Performance, perform

# The first note of a crop has no predecessor: its dt is "very long", which clipping turns into DT_MAX.
FIRST_DT = 1e8


def delta_times(onsets: np.ndarray) -> np.ndarray:
    """[..., T] onsets -> dts: differences, the first set to FIRST_DT, clipped to [0, DT_MAX]."""
    first = np.full(onsets.shape[:-1] + (1,), FIRST_DT, dtype=np.float64)
    return np.clip(np.concatenate([first, np.diff(onsets, axis=-1)], axis=-1), 0.0, DT_MAX).astype(np.float32)


class CropSampler:
    """Draws batches of random crops from a list of pieces, each crop start equally likely
    (long pieces give more crops, as every note is one more possible start), or as likely as its piece's
    weight (`weights`, one per piece), to tilt the corpus toward the textures a pianist plays."""

    def __init__(self, pieces: Sequence[Piece], seq_len: int = 128, augment: Augmentation | None = None,
                 performance: Performance | None = None, weights: Sequence[float] | None = None):
        if weights is not None and len(weights) != len(pieces):
            raise ValueError(f"{len(weights)} weights for {len(pieces)} pieces")
        keep = [i for i, p in enumerate(pieces) if len(p) >= seq_len]
        weights = None if weights is None else [float(weights[i]) for i in keep]
        pieces = [pieces[i] for i in keep]
        if not pieces:
            raise ValueError(f"no piece has at least {seq_len} notes to crop from")
        self.seq_len = seq_len
        self.augment = augment
        self.performance = performance
        self.onsets = np.concatenate([p.onsets for p in pieces]).astype(np.float64)
        self.keys = np.concatenate([p.keys for p in pieces]).astype(np.int64)
        starts = np.cumsum([0] + [len(p) for p in pieces])[:-1]
        # Every valid crop start, as an index into the concatenated arrays.
        self.crop_starts = np.concatenate([s + np.arange(len(p) - seq_len + 1) for s, p in zip(starts, pieces)])
        self.cumulative = None  # None: every crop start equally likely (the same random draws as before weights)
        if weights is not None:
            per_start = np.concatenate([np.full(len(p) - seq_len + 1, w) for w, p in zip(weights, pieces)])
            if not np.all(np.isfinite(per_start)) or per_start.min() < 0 or per_start.sum() <= 0:
                raise ValueError("piece weights must be finite, non-negative and not all zero")
            self.cumulative = np.cumsum(per_start) / per_start.sum()

    def sample(self, batch_size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """-> keys int64 [B, T], dts float32 [B, T]."""
        if self.cumulative is None:
            pick = rng.integers(0, len(self.crop_starts), size=batch_size)
        else:
            pick = np.minimum(np.searchsorted(self.cumulative, rng.random(batch_size), side="right"),
                              len(self.crop_starts) - 1)
        idx = self.crop_starts[pick][:, None] + np.arange(self.seq_len)
        onsets, keys = self.onsets[idx], self.keys[idx]
        if self.augment is not None:
            a = self.augment
            onsets = onsets * (1.0 + rng.uniform(-a.time_stretch_max, a.time_stretch_max, size=(batch_size, 1)))
            shift = rng.integers(-a.transpose_clamped, a.transpose_clamped + 1, size=(batch_size, 1))
            keys = np.clip(keys + shift, 0, NUM_KEYS - 1)  # the reference's clamp: an edge key may repeat
        if self.performance is not None:
            onsets, keys = perform(onsets, keys, self.performance, rng)
        return keys, delta_times(onsets)


def eval_windows(pieces: Sequence[Piece], seq_len: int = 128, max_windows: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every non-overlapping seq_len window of every piece, in order, without augmentation: a fixed,
    deterministic evaluation set. max_windows keeps an evenly spaced subset."""
    keys, dts = [], []
    for p in pieces:
        for s in range(0, len(p) - seq_len + 1, seq_len):
            keys.append(p.keys[s:s + seq_len].astype(np.int64))
            dts.append(delta_times(p.onsets[s:s + seq_len]))
    if not keys:
        raise ValueError(f"no held-out piece has at least {seq_len} notes")
    k, t = np.stack(keys), np.stack(dts)
    if max_windows is not None and len(k) > max_windows:
        pick = np.linspace(0, len(k) - 1, max_windows).round().astype(int)
        k, t = k[pick], t[pick]
    return k, t
