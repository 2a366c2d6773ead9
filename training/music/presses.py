"""The presses a person would make to play a real piece on 8 buttons, with no model involved.

A player reading a piece puts each note on the button that matches where its pitch sits in the music around
it: low notes of the passage on low buttons, high ones on high buttons. Two readings of "where it sits" are
given, so that no model can fit one mapping's quirks:

- `range`: the note's place in the local pitch range (lowest to highest key of the nearby notes), in eighths;
- `rank`: the note's rank among the nearby *distinct* pitches, in eighths (a passage on five pitches uses
  five buttons spread over the eight, whatever the intervals).

The notes of a chord always get distinct buttons (a finger each), in the chord's pitch order. Onsets are the
piece's own, each jittered by up to ±10 ms so that the fingers of a chord land in any order; releases come
from the notes' durations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pianogenie.engine.constants import DT_MAX, NUM_BUTTONS

from ..data.notes import Piece
from .defaults import MAPPINGS

CONTEXT_NOTES = 16  # "nearby": this many notes either side
CHORD_S = 0.001  # onsets closer than this are one chord in the score
JITTER_S = 0.010  # each onset moves by U(-x, x)
DEFAULT_DURATION_S = 0.5  # for sources that do not know a note's length (capped by the next onset)


@dataclass
class Presses:
    """One performance of a piece on the buttons, in the order the presses arrive (after jitter)."""
    buttons: np.ndarray  # int64 [T]
    onsets: np.ndarray  # float64 [T], seconds, sorted
    releases: np.ndarray  # float64 [T], seconds, > onsets
    keys: np.ndarray  # int64 [T]: the piece's key for each press, to compare with
    chord: np.ndarray  # int64 [T]: chord index in the score (notes struck together share it)

    def dts(self) -> np.ndarray:
        """The decoder's time input: seconds since the previous press, the first DT_MAX, clipped."""
        return np.clip(np.diff(self.onsets, prepend=self.onsets[0] - DT_MAX), 0.0, DT_MAX).astype(np.float32)


def chord_ids(onsets: np.ndarray) -> np.ndarray:
    """Score notes within CHORD_S of the note before them belong to its chord."""
    return np.cumsum(np.concatenate([[True], np.diff(onsets) > CHORD_S])) - 1


def _windows(n: int, context: int) -> tuple[np.ndarray, np.ndarray]:
    i = np.arange(n)
    return np.maximum(i - context, 0), np.minimum(i + context + 1, n)


def local_buttons(keys: np.ndarray, mapping: str, context: int = CONTEXT_NOTES) -> np.ndarray:
    """Each note's button from its place among the `context` notes either side (before chords are spread)."""
    keys = np.asarray(keys, dtype=np.int64)
    lo_i, hi_i = _windows(len(keys), context)
    out = np.empty(len(keys), dtype=np.int64)
    for i, (a, b) in enumerate(zip(lo_i, hi_i)):
        near = keys[a:b]
        if mapping == "range":
            lo, hi = near.min(), near.max()
            place = (keys[i] - lo) / (hi - lo + 1)
        elif mapping == "rank":
            distinct = np.unique(near)
            place = np.searchsorted(distinct, keys[i]) / len(distinct)
        else:
            raise ValueError(f"unknown button mapping {mapping!r}: use one of {', '.join(MAPPINGS)}")
        out[i] = min(int(place * NUM_BUTTONS), NUM_BUTTONS - 1)
    return out


def spread_chords(buttons: np.ndarray, keys: np.ndarray, chord: np.ndarray) -> np.ndarray:
    """Distinct buttons for the notes of each chord, rising with pitch and as near the local buttons as the
    8 buttons allow (a chord of more than 8 notes keeps its lowest 8 on distinct buttons and doubles the rest
    on the top button; a person would leave them out, but the piece's notes stay comparable)."""
    out = buttons.copy()
    starts = np.flatnonzero(np.diff(chord, prepend=-1))
    ends = np.append(starts[1:], len(chord))
    for a, b in zip(starts, ends):
        if b - a < 2:
            continue
        idx = a + np.argsort(keys[a:b], kind="stable")
        want = out[idx]
        n = min(len(idx), NUM_BUTTONS)
        placed = np.empty(len(idx), dtype=np.int64)
        # Upwards so that each is above the last, then downwards so that none is off the top.
        for j in range(n):
            placed[j] = want[j] if j == 0 else max(want[j], placed[j - 1] + 1)
        placed[n - 1] = min(placed[n - 1], NUM_BUTTONS - 1)
        for j in range(n - 2, -1, -1):
            placed[j] = min(placed[j], placed[j + 1] - 1)
        placed[n:] = NUM_BUTTONS - 1
        out[idx] = placed
    return out


def piece_presses(piece: Piece, mapping: str, rng: np.random.Generator, jitter_s: float = JITTER_S) -> Presses:
    """The piece as a person would press it: mapped, chords spread over fingers, onsets jittered and re-sorted."""
    onsets = np.asarray(piece.onsets, dtype=np.float64)
    keys = np.asarray(piece.keys, dtype=np.int64)
    chord = chord_ids(onsets)
    buttons = spread_chords(local_buttons(keys, mapping), keys, chord)
    durations = np.asarray(piece.durations, dtype=np.float64)
    next_onset = np.append(onsets[1:], onsets[-1] + DEFAULT_DURATION_S)
    durations = np.where(np.isfinite(durations) & (durations > 0), durations,
                         np.minimum(DEFAULT_DURATION_S, np.maximum(next_onset - onsets, 0.05)))
    played = onsets + rng.uniform(-jitter_s, jitter_s, len(onsets))
    order = np.argsort(played, kind="stable")
    played = played[order]
    return Presses(buttons[order], played, played + durations[order], keys[order], chord[order])
