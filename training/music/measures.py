"""Measures of a played note stream, each computed the same way on a model's output and on the piece itself.

A measure is a number a listener would notice (how much of the keyboard, how big the leaps, how consonant
the chords...). `pianogenie evaluate --play` compares a model with the music as |model - piece| for each
one, so that no measure rewards "more": a register wider than the piece's is as far from it as a narrower one.
Every measure is declared once in MEASURES, with its unit and the scale that puts it beside the others in
the combined distance (training's checkpoint selection).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..live import CONSONANT
from .presses import Presses

WINDOW_NOTES = 64  # register per window, and the register's path through the piece
PASSAGE = 8  # presses in a recurring passage
MAX_INTERVAL = 12  # melody intervals beyond an octave share one n-gram symbol


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    fmt: str
    scale: float  # a typical size of a distance that matters: the combined distance divides by it
    # Measures the piece scores 0 on by construction (how stable, how spread): the model's value is the
    # distance.
    piece_zero: bool = False


def _register(keys: np.ndarray) -> float:
    lo, hi = np.percentile(keys, [5, 95])
    return float(hi - lo)


def _windowed(keys: np.ndarray) -> list[np.ndarray]:
    return [keys[i:i + WINDOW_NOTES] for i in range(0, len(keys) - WINDOW_NOTES + 1, WINDOW_NOTES)] or [keys]


def melody_line(keys: np.ndarray, chord: np.ndarray) -> np.ndarray:
    """The top note of each chord of the score, in order: the line a listener follows."""
    order = np.argsort(chord, kind="stable")
    top = np.full(chord.max() + 1, -1)
    np.maximum.at(top, chord[order], keys[order])
    return top[top >= 0]


def _chords(keys: np.ndarray, chord: np.ndarray) -> list[np.ndarray]:
    groups = np.split(keys[np.argsort(chord, kind="stable")], np.flatnonzero(np.diff(np.sort(chord))) + 1)
    return [np.sort(g) for g in groups if len(g) >= 2]


def _consonant(c: np.ndarray) -> bool:
    return all(((c[j] - c[i]) % 12) in CONSONANT for i in range(len(c)) for j in range(i + 1, len(c)))


def _step_leap(keys: np.ndarray, buttons: np.ndarray, chord: np.ndarray, steps: int) -> np.ndarray:
    """|interval| of consecutive presses in different chords whose buttons are `steps` apart (3 = 3 or more)."""
    between = np.diff(chord) != 0
    db, dk = np.abs(np.diff(buttons)), np.abs(np.diff(keys))
    pick = between & ((db >= steps) if steps >= 3 else (db == steps))
    return dk[pick]


def _mean(x: np.ndarray) -> float:
    return float(np.mean(x)) if len(x) else float("nan")


def pitch_class_profile(keys: np.ndarray) -> np.ndarray:
    return np.bincount(np.asarray(keys) % 12, minlength=12).astype(np.float64)


def best_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """The cosine of two pitch-class profiles under the transposition that fits best (a model may play in
    another key: it never hears the piece's)."""
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        return float("nan")
    return float(max(np.dot(np.roll(a, s), b) for s in range(12)) / (na * nb))


def score_order(presses: Presses) -> np.ndarray:
    """The presses in the score's order (chord by chord, low to high): a chord whose fingers landed in
    another order is still the same chord when it comes back."""
    return np.lexsort((presses.keys, presses.chord))


def recurrences(presses: Presses) -> list[tuple[int, int]]:
    """(first, later) starts, in score order, of PASSAGE-note passages where the piece plays the same keys on
    the same buttons again, later and not overlapping: a refrain, a repeated bar. Each later start is paired
    with the first time."""
    order = score_order(presses)
    k, b = presses.keys[order], presses.buttons[order]
    first: dict[bytes, int] = {}
    pairs = []
    i = 0
    while i + PASSAGE <= len(k):
        sig = np.concatenate([k[i:i + PASSAGE], b[i:i + PASSAGE]]).tobytes()
        j = first.setdefault(sig, i)
        if j != i and i - j >= PASSAGE:
            pairs.append((j, i))
            i += PASSAGE
        else:
            i += 1
    return pairs


def recurrence_distance(keys: np.ndarray, presses: Presses, pairs: list[tuple[int, int]]) -> float:
    """Mean |key now - key the first time| over the notes of the recurring passages."""
    if not pairs:
        return float("nan")
    keys = np.asarray(keys)[score_order(presses)]
    return float(np.mean([np.abs(keys[j:j + PASSAGE] - keys[i:i + PASSAGE]).mean() for i, j in pairs]))


class IntervalModel:
    """A trigram model of melody intervals (clipped to ±MAX_INTERVAL), add-k smoothed and interpolated with the
    bigram and unigram: how likely a line's steps are under real music."""

    def __init__(self, lines: list[np.ndarray], k: float = 0.1):
        size = 2 * MAX_INTERVAL + 1
        self.k, self.size = k, size
        self.uni = np.zeros(size)
        self.bi = np.zeros((size, size))
        self.tri = np.zeros((size, size, size))
        for line in lines:
            s = self.symbols(line)
            np.add.at(self.uni, s, 1)
            if len(s) > 1:
                np.add.at(self.bi, (s[:-1], s[1:]), 1)
            if len(s) > 2:
                np.add.at(self.tri, (s[:-2], s[1:-1], s[2:]), 1)

    @staticmethod
    def symbols(line: np.ndarray) -> np.ndarray:
        return np.clip(np.diff(np.asarray(line, dtype=np.int64)), -MAX_INTERVAL, MAX_INTERVAL) + MAX_INTERVAL

    def log_likelihood(self, line: np.ndarray) -> float:
        """Mean natural-log probability per interval (from the third on)."""
        s = self.symbols(line)
        if len(s) < 3:
            return float("nan")
        a, b, c = s[:-2], s[1:-1], s[2:]
        k, n = self.k, self.size
        p_uni = (self.uni[c] + k) / (self.uni.sum() + k * n)
        p_bi = (self.bi[b, c] + k) / (self.bi[b].sum(axis=1) + k * n)
        p_tri = (self.tri[a, b, c] + k) / (self.tri[a, b].sum(axis=1) + k * n)
        return float(np.mean(np.log(0.6 * p_tri + 0.3 * p_bi + 0.1 * p_uni)))


@dataclass
class Context:
    """What some measures need beyond the stream itself: the piece's own performance and the n-gram model
    fitted on the other pieces."""
    piece: Presses
    intervals: IntervalModel
    pairs: list[tuple[int, int]]


def _chord_span(keys, p, ctx):
    return _mean(np.array([c[-1] - c[0] for c in _chords(keys, p.chord)]))


def _chord_consonant(keys, p, ctx):
    return _mean(np.array([_consonant(np.unique(c)) for c in _chords(keys, p.chord)], dtype=float))


def _chord_collision(keys, p, ctx):
    return _mean(np.array([len(np.unique(c)) < len(c) for c in _chords(keys, p.chord)], dtype=float))


def _melody_interval(keys, p, ctx):
    return _mean(np.abs(np.diff(melody_line(keys, p.chord))))


def _melody_steps(keys, p, ctx):
    return _mean((np.abs(np.diff(melody_line(keys, p.chord))) <= 2).astype(float))


def _melody_leaps(keys, p, ctx):
    return _mean((np.abs(np.diff(melody_line(keys, p.chord))) >= 12).astype(float))


def _window_register(keys, p, ctx):
    return _mean(np.array([_register(w) for w in _windowed(keys)]))


def _drift(keys, p, ctx):
    """Semitones per minute of a straight line through the keys over time."""
    if p.onsets[-1] - p.onsets[0] <= 0:
        return float("nan")
    return float(np.polyfit(p.onsets - p.onsets[0], keys, 1)[0] * 60.0)


def _path(keys, p, ctx):
    """How far the register's path (mean key per window, less the whole mean) strays from the piece's."""
    ours = np.array([w.mean() for w in _windowed(keys)])
    theirs = np.array([w.mean() for w in _windowed(ctx.piece.keys)])
    return float(np.mean(np.abs((ours - ours.mean()) - (theirs - theirs.mean()))))


def _contour(keys, p, ctx):
    db, dk = np.sign(np.diff(p.buttons)), np.sign(np.diff(keys))
    moving = (db != 0) & (np.diff(p.chord) != 0)
    return _mean((dk[moving] == db[moving]).astype(float))


def _octave_leaps(keys, p, ctx):
    return _mean((_step_leap(keys, p.buttons, p.chord, 1) >= 12).astype(float))


def _leap(steps: int) -> Callable:
    return lambda keys, p, ctx: _mean(_step_leap(keys, p.buttons, p.chord, steps).astype(float))


# (measure, function(keys, presses, context) -> value). The value of the piece itself is the same function
# on the piece's keys; `piece_zero` measures compare the model with the piece directly and are 0 for the piece.
MEASURES: list[tuple[Measure, Callable]] = [
    (Measure("register", "register, 5-95 % (semitones)", "{:.1f}", 6.0),
     lambda keys, p, ctx: _register(keys)),
    (Measure("window_register", f"register per {WINDOW_NOTES} notes (semitones)", "{:.1f}", 6.0), _window_register),
    (Measure("mean_key", "mean key (key 0 = A0)", "{:.1f}", 6.0), lambda keys, p, ctx: float(np.mean(keys))),
    (Measure("drift", "drift (semitones per minute)", "{:.2f}", 3.0), _drift),
    (Measure("path", "register path against the piece's (semitones)", "{:.2f}", 3.0, piece_zero=True), _path),
    (Measure("leap_0", "same button again: leap (semitones)", "{:.2f}", 2.0), _leap(0)),
    (Measure("leap_1", "one-button step: leap (semitones)", "{:.2f}", 2.0), _leap(1)),
    (Measure("leap_2", "two-button step: leap (semitones)", "{:.2f}", 2.0), _leap(2)),
    (Measure("leap_3", "three or more buttons: leap (semitones)", "{:.2f}", 3.0), _leap(3)),
    (Measure("octave_leaps", "one-button step -> a leap of an octave or more", "{:.3f}", 0.05), _octave_leaps),
    (Measure("melody_interval", "melody line: mean interval (semitones)", "{:.2f}", 1.0), _melody_interval),
    (Measure("melody_steps", "melody line: steps of 0-2 semitones", "{:.3f}", 0.1), _melody_steps),
    (Measure("melody_leaps", "melody line: leaps of an octave or more", "{:.3f}", 0.05), _melody_leaps),
    (Measure("ngram", "melody intervals: trigram log-likelihood (other pieces)", "{:.2f}", 0.3),
     lambda keys, p, ctx: ctx.intervals.log_likelihood(melody_line(keys, p.chord))),
    (Measure("chord_span", "chords: mean span (semitones)", "{:.1f}", 4.0), _chord_span),
    (Measure("chord_consonant", "chords: consonant (inside a triad's intervals)", "{:.3f}", 0.1), _chord_consonant),
    (Measure("chord_collision", "chords: two fingers on one key", "{:.3f}", 0.05), _chord_collision),
    (Measure("pitch_classes", "pitch-class profile: 1 - cosine, best transposition", "{:.3f}", 0.1, piece_zero=True),
     lambda keys, p, ctx: 1.0 - best_cosine(pitch_class_profile(keys), pitch_class_profile(ctx.piece.keys))),
    (Measure("recurrence", "same passage on the same buttons: keys away from the first time", "{:.2f}", 2.0,
             piece_zero=True), lambda keys, p, ctx: recurrence_distance(keys, p, ctx.pairs)),
    (Measure("repeats", "the same key twice in a row", "{:.3f}", 0.05),
     lambda keys, p, ctx: _mean((np.diff(keys) == 0).astype(float))),
    (Measure("contour", "the key moves the way the button moves", "{:.3f}", 0.05), _contour),
]
# Over seeds rather than per stream: how much one piece's playing changes from one seed to the next.
SEED_MEASURES = [
    Measure("seed_mean_key", "mean key, spread over seeds (semitones)", "{:.2f}", 1.0, piece_zero=True),
    Measure("seed_register", "register, spread over seeds (semitones)", "{:.2f}", 2.0, piece_zero=True),
]
ALL_MEASURES = [m for m, _ in MEASURES] + SEED_MEASURES


def measure_stream(keys: np.ndarray, presses: Presses, ctx: Context) -> dict[str, float]:
    """Every per-stream measure of `keys` played on `presses` (the model's keys, or the piece's own)."""
    return {m.key: fn(np.asarray(keys, dtype=np.int64), presses, ctx) for m, fn in MEASURES}
