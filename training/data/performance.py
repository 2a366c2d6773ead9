"""Make score-timed crops look like a person playing them.

A score corpus has exact timing: a third of its gaps are exactly 0 s and every chord arrives sorted low to
high. A person's fingers never do that: chord notes land 0-40 ms apart in any order, tempo breathes, and
the music spans the whole keyboard, not a choir's range. A decoder that only ever saw scores meets all of
this for the first time on stage (issue 9: 10 % consonant chords in random finger order, against 88 %
when sorted). So each training crop is "performed" before it becomes model input:

- rubato: a slowly wandering tempo (log-factor an AR(1) process), beyond the global stretch;
- rolled chords: some chords spread over 5-40 ms, their notes in random order;
- onset jitter: every onset moved by N(0, sigma), sigma drawn per crop, then the crop is re-sorted by time,
  so simultaneous notes arrive in any order;
- a pianist's hands: in some crops the lowest note of every chord drops an octave, as a left hand plays a
  choir's bass line, and in some the highest rises one, as a right hand takes the tune up. Pitch classes
  stay, so the harmony does too, but the texture spans the keyboard as piano music does (a vocal score
  squeezes 8 buttons into about 20 semitones, and a bass alone stretches only the low buttons);
- a hand that moves: in some crops the music after a random note continues an octave higher or lower, as a
  pianist takes a phrase up or down the keyboard;
- a passage played again: in some crops a run of 8-32 notes, from one chord to another, is repeated at once
  (the rest of the crop follows it), so that the decoder learns that the same buttons in the same context
  come back to the same keys (a refrain that drifts down the keyboard is what a decoder without this does);
- transposition by up to a few octaves, kept inside the piano (a shift that would push a note off the
  keyboard is never drawn, so no note is clamped onto a wrong key).

Everything is vectorised over the batch; a crop costs microseconds next to a training step.
"""

from __future__ import annotations

import numpy as np

from pianogenie.engine.constants import NUM_KEYS

from ..config import Performance


# Fixed parts of the performance; its knobs are Performance's (training.config).
ROLL_MIN_S = 0.005  # a rolled chord spreads over 5-40 ms
ROLL_MAX_S = 0.040
RUBATO_CORR = 0.95  # AR(1) coefficient per note: the tempo drifts over ~20 notes
REPEAT_MIN = 8  # notes in a repeated passage, at least
REPEAT_MAX = 32  # and at most


def _ar1(shape: tuple[int, int], corr: float, rng: np.random.Generator) -> np.ndarray:
    """Unit-variance AR(1) series along the last axis."""
    eps = rng.standard_normal(shape)
    out = np.empty(shape)
    out[:, 0] = eps[:, 0]
    scale = np.sqrt(1.0 - corr * corr)
    for i in range(1, shape[1]):
        out[:, i] = corr * out[:, i - 1] + scale * eps[:, i]
    return out


def transpose_in_range(keys: np.ndarray, max_shift: int, rng: np.random.Generator) -> np.ndarray:
    """Shift each row by an integer in [-max_shift, max_shift] that keeps the whole row on the piano."""
    lo = np.maximum(-keys.min(axis=1), -max_shift)
    hi = np.minimum(NUM_KEYS - 1 - keys.max(axis=1), max_shift)
    hi = np.maximum(hi, lo)  # a row wider than the piano cannot happen (keys are already on it), but be safe
    shift = lo + np.floor(rng.random(len(keys)) * (hi - lo + 1)).astype(np.int64)
    return keys + shift[:, None]


def chord_voice_octave(onsets: np.ndarray, keys: np.ndarray, rows: np.ndarray, shift: int) -> np.ndarray:
    """In the chosen rows, one voice of each simultaneity of two or more notes moves an octave, where the
    piano has room: the lowest key down (shift -12, a left hand's bass) or the highest up (+12, a right
    hand's melody)."""
    b, t = keys.shape
    new_chord = np.concatenate([np.ones((b, 1), bool), np.diff(onsets, axis=1) > 0], axis=1)
    chord_id = np.cumsum(new_chord, axis=1)
    # Sort each row by chord, then by key towards the voice that moves: the first note of each chord in
    # that order is that voice.
    order = np.argsort(chord_id * 1000 - np.sign(shift) * keys, axis=1, kind="stable")
    sorted_ids = np.take_along_axis(chord_id, order, axis=1)
    first = np.concatenate([np.ones((b, 1), bool), np.diff(sorted_ids, axis=1) > 0], axis=1)
    size = np.zeros((b, t + 1), dtype=np.int64)
    np.add.at(size, (np.arange(b)[:, None].repeat(t, 1), chord_id), 1)
    is_voice = np.zeros((b, t), dtype=bool)
    np.put_along_axis(is_voice, order, first, axis=1)
    in_chord = np.take_along_axis(size, chord_id, axis=1) >= 2
    room = (keys + shift >= 0) & (keys + shift <= NUM_KEYS - 1)
    return keys + shift * (is_voice & in_chord & rows[:, None] & room)


def move_octave(keys: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """In the chosen rows, every key from a random note on moves 12 up or down, the way that fits the piano
    (rows where neither fits stay as they are)."""
    b, t = keys.shape
    cut = rng.integers(1, t, size=b)
    after = np.arange(t)[None, :] >= cut[:, None]
    tail_min = np.where(after, keys, 10_000).min(axis=1)
    tail_max = np.where(after, keys, -1).max(axis=1)
    up_ok, down_ok = tail_max + 12 <= NUM_KEYS - 1, tail_min - 12 >= 0
    direction = np.where(rng.random(b) < 0.5, 1, -1)
    direction = np.where(direction > 0, np.where(up_ok, 1, np.where(down_ok, -1, 0)),
                         np.where(down_ok, -1, np.where(up_ok, 1, 0)))
    return keys + 12 * (direction * rows)[:, None] * after


def repeat_passage(onsets: np.ndarray, keys: np.ndarray, rows: np.ndarray, rng: np.random.Generator,
                   min_len: int = REPEAT_MIN, max_len: int = REPEAT_MAX) -> tuple[np.ndarray, np.ndarray]:
    """In the chosen rows, the notes [a, a + L) are played again right after themselves, and the crop goes on
    from note a + L after the repeat (its last L notes fall off the end). a and a + L both start a chord, so
    no chord is cut in two; rows without such a pair stay as they are."""
    onsets, keys = onsets.copy(), keys.copy()
    b, t = keys.shape
    positions = np.arange(t)
    for r in np.flatnonzero(rows):
        starts = np.flatnonzero(np.concatenate([[True], np.diff(onsets[r]) > 0]))
        # Pairs (a, a + L) of chord starts with L in range and the repeat ending inside the crop.
        ends = starts[None, :] - starts[:, None]
        ok = (ends >= min_len) & (ends <= max_len) & (starts[None, :] + ends <= t)
        pairs = np.argwhere(ok)
        if len(pairs) == 0:
            continue
        i, j = pairs[rng.integers(0, len(pairs))]
        a, length = starts[i], starts[j] - starts[i]
        later = positions >= a + length
        src = positions - length * later
        shift = onsets[r, a + length] - onsets[r, a]
        onsets[r], keys[r] = onsets[r, src] + shift * later, keys[r, src]
    return onsets, keys


def perform(onsets: np.ndarray, keys: np.ndarray, cfg: Performance, rng: np.random.Generator
            ) -> tuple[np.ndarray, np.ndarray]:
    """[B, T] onsets (s) and keys of score-timed crops -> performed (onsets, keys), rows re-sorted by time."""
    onsets = np.asarray(onsets, dtype=np.float64)
    keys = np.asarray(keys, dtype=np.int64)
    # On the score's timing, where a chord is exactly simultaneous.
    if cfg.repeat_passage > 0:
        onsets, keys = repeat_passage(onsets, keys, rng.random(len(keys)) < cfg.repeat_passage, rng)
    if cfg.bass_octave > 0:
        keys = chord_voice_octave(onsets, keys, rng.random(len(keys)) < cfg.bass_octave, -12)
    if cfg.top_octave > 0:
        keys = chord_voice_octave(onsets, keys, rng.random(len(keys)) < cfg.top_octave, 12)
    for _ in range(cfg.octave_moves if cfg.octave_move > 0 else 0):
        keys = move_octave(keys, rng.random(len(keys)) < cfg.octave_move, rng)
    if cfg.transpose_range > 0:
        keys = transpose_in_range(keys, cfg.transpose_range, rng)
    b, t = onsets.shape
    performed = rng.random(b) < cfg.perform_prob
    if not performed.any():
        return onsets, keys

    gaps = np.diff(onsets, axis=1)
    if cfg.rubato > 0:
        gaps = gaps * np.exp(cfg.rubato * _ar1((b, t - 1), RUBATO_CORR, rng))
    new = np.concatenate([onsets[:, :1], onsets[:, :1] + np.cumsum(gaps, axis=1)], axis=1)

    # Chords: notes sharing an onset with the note before them. Each chord gets one span; each of its notes
    # a uniform position in it, so the roll's order is random.
    chord_id = np.cumsum(np.concatenate([np.ones((b, 1), bool), gaps > 0], axis=1), axis=1)
    span = np.where(rng.random((b, t)) < cfg.roll_prob, rng.uniform(ROLL_MIN_S, ROLL_MAX_S, (b, t)), 0.0)
    chord_span = np.take_along_axis(span, chord_id - 1, axis=1)  # the span drawn at the chord's index
    new = new + rng.random((b, t)) * chord_span

    sigma = rng.uniform(0.0, cfg.jitter_max_ms / 1000, (b, 1))
    new = new + rng.standard_normal((b, t)) * sigma

    order = np.argsort(new, axis=1, kind="stable")
    new = np.take_along_axis(new, order, axis=1)
    new_keys = np.take_along_axis(keys, order, axis=1)
    onsets = np.where(performed[:, None], new, onsets)
    keys = np.where(performed[:, None], new_keys, keys)
    return onsets, keys


def performer_timing(onsets: np.ndarray, keys: np.ndarray, jitter_s: float, rng: np.random.Generator
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The evaluation's performer-timing condition: every onset jittered by N(0, jitter_s), then re-sorted
    (so chord notes arrive in any order). Works on one piece ([T]) or on windows ([B, T])."""
    onsets = np.asarray(onsets, dtype=np.float64)
    keys = np.asarray(keys)
    new = onsets + rng.standard_normal(onsets.shape) * jitter_s
    order = np.argsort(new, axis=-1, kind="stable")
    return np.take_along_axis(new, order, axis=-1), np.take_along_axis(keys, order, axis=-1)
