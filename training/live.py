"""The live-input suite: the decoder played free-running, as on stage, from synthetic human input.

A held-out NLL says how well a decoder rebuilds music from buttons. A musician hears something else: does a
random walk over the buttons stay on one key, does it use the keyboard, does a scale go where the fingers
go, is a chord struck in any finger order consonant? Each scenario here is a batch of button sequences
with human timing (seeded); the decoder samples its own keys at the instrument's default temperature, its
previous key fed back as in the engine. Every measure is computed the same way for every model.

Scenarios:
- walk: random walks (steps of -2..2, clamped at the ends) with log-normal gaps around 0.2 s;
- scale: the 8 buttons up and down, four times, gaps around 0.15 s;
- chords: 3-note chords on buttons (b, b+2, b+4) struck within 30 ms in random finger order, one every ~0.6 s;
  and the same chords struck strictly low to high (score order) for comparison;
- repeat: one button pressed fast (~8 per second).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from pianogenie.engine.constants import DEFAULT_TEMPERATURE, DT_MAX, NUM_BUTTONS

from .model import Decoder, IntegerQuantizer

# Interval classes heard as consonant in a triad: thirds, fourths, fifths, sixths, octaves.
CONSONANT = frozenset({0, 3, 4, 5, 7, 8, 9})
CHORD_BUTTONS = np.array([0, 2, 4])  # a triad shape on the buttons, shifted by its lowest button
STEPS = 128
SEQUENCES = 32  # per scenario and seed


@dataclass
class Scenario:
    buttons: np.ndarray  # int [S, T]
    dts: np.ndarray  # float32 [S, T], the first DT_MAX


def _gaps_to_dts(gaps: np.ndarray) -> np.ndarray:
    dts = np.clip(gaps, 0.0, DT_MAX).astype(np.float32)
    dts[:, 0] = DT_MAX
    return dts


def random_walk(rng: np.random.Generator, n: int = SEQUENCES, t: int = STEPS) -> Scenario:
    steps = rng.integers(-2, 3, size=(n, t))
    b = np.empty((n, t), dtype=np.int64)
    b[:, 0] = rng.integers(0, NUM_BUTTONS, n)
    for i in range(1, t):
        b[:, i] = np.clip(b[:, i - 1] + steps[:, i], 0, NUM_BUTTONS - 1)
    gaps = np.exp(rng.normal(np.log(0.2), 0.5, size=(n, t)))
    return Scenario(b, _gaps_to_dts(gaps))


def scale(rng: np.random.Generator, n: int = SEQUENCES, t: int = STEPS) -> Scenario:
    one = np.concatenate([np.arange(NUM_BUTTONS), np.arange(NUM_BUTTONS - 2, 0, -1)])  # 0..7..1
    b = np.tile(one, t // len(one) + 1)[:t][None].repeat(n, axis=0)
    gaps = 0.15 * np.exp(rng.normal(0.0, 0.15, size=(n, t)))
    return Scenario(b.astype(np.int64), _gaps_to_dts(gaps))


def chords(rng: np.random.Generator, n: int = SEQUENCES, t: int = STEPS, sorted_order: bool = False) -> Scenario:
    per = len(CHORD_BUTTONS)
    count = t // per
    low = rng.integers(0, NUM_BUTTONS - CHORD_BUTTONS[-1], size=(n, count))
    notes = low[:, :, None] + CHORD_BUTTONS[None, None, :]
    if not sorted_order:
        notes = rng.permuted(notes, axis=2)
    b = notes.reshape(n, count * per)
    # Within a chord: the fingers land 0-30 ms apart; between chords ~0.6 s.
    within = rng.uniform(0.0, 0.015, size=(n, count, per))
    within[:, :, 0] = 0.6 * np.exp(rng.normal(0.0, 0.2, size=(n, count)))
    return Scenario(b.astype(np.int64), _gaps_to_dts(within.reshape(n, count * per)))


def repeat(rng: np.random.Generator, n: int = SEQUENCES, t: int = STEPS) -> Scenario:
    b = rng.integers(0, NUM_BUTTONS, size=(n, 1)).repeat(t, axis=1)
    gaps = 0.125 * np.exp(rng.normal(0.0, 0.1, size=(n, t)))
    return Scenario(b.astype(np.int64), _gaps_to_dts(gaps))


def play(dec: Decoder, scenario: Scenario, temperature: float, seed: int) -> np.ndarray:
    """Free-running keys [S, T]: each step samples a key from the decoder and feeds it back."""
    dec.eval()
    b = IntegerQuantizer(NUM_BUTTONS).to_real(torch.from_numpy(scenario.buttons))
    keys, _ = dec.generate(b, torch.from_numpy(scenario.dts), temperature, torch.Generator().manual_seed(seed))
    return keys.numpy()


def _contour_agreement(keys: np.ndarray, buttons: np.ndarray, moving_only: bool) -> float:
    dk, db = np.sign(np.diff(keys, axis=1)), np.sign(np.diff(buttons, axis=1))
    if moving_only:
        return float(np.mean(dk[db != 0] == db[db != 0]))
    return float(np.mean(dk == db))


def _chord_measures(keys: np.ndarray) -> tuple[float, float]:
    """(share of chords fully consonant, share with two fingers on one key) for keys [S, T] in triads."""
    per = len(CHORD_BUTTONS)
    n, t = keys.shape
    triads = np.sort(keys[:, : t // per * per].reshape(n, -1, per), axis=2)
    collision = np.any(np.diff(triads, axis=2) == 0, axis=2)
    pairs = [(0, 1), (0, 2), (1, 2)]
    consonant = np.ones(triads.shape[:2], dtype=bool)
    for i, j in pairs:
        consonant &= np.isin((triads[:, :, j] - triads[:, :, i]) % 12, list(CONSONANT))
    return float(np.mean(consonant & ~collision)), float(np.mean(collision))


def live_suite(dec: Decoder, seeds: tuple[int, ...] = (0, 1, 2), temperature: float = DEFAULT_TEMPERATURE
               ) -> dict[str, float]:
    """Every live measure, averaged over seeds (each seed draws new input and new samples)."""
    rows: dict[str, list[float]] = {}

    def add(name: str, value: float) -> None:
        rows.setdefault(name, []).append(value)

    for seed in seeds:
        rng = np.random.default_rng([seed, 9])
        walk = random_walk(rng)
        k = play(dec, walk, temperature, seed)
        add("walk_repeated_keys", float(np.mean(np.diff(k, axis=1) == 0)))
        lo, hi = np.percentile(k, [5, 95], axis=1)
        add("walk_register", float(np.mean(hi - lo)))
        add("walk_contour", _contour_agreement(k, walk.buttons, moving_only=True))

        sc = scale(rng)
        k = play(dec, sc, temperature, seed + 1000)
        add("scale_span", float(np.mean(k.max(axis=1) - k.min(axis=1))))
        add("scale_contour", _contour_agreement(k, sc.buttons, moving_only=True))

        for name, ordered in (("chords", False), ("chords_sorted", True)):
            ch = chords(rng, sorted_order=ordered)
            k = play(dec, ch, temperature, seed + 2000)
            consonant, collision = _chord_measures(k)
            add(f"{name}_consonant", consonant)
            add(f"{name}_collision", collision)

        rp = repeat(rng)
        k = play(dec, rp, temperature, seed + 3000)
        add("repeat_repeated_keys", float(np.mean(np.diff(k, axis=1) == 0)))
    return {name: float(np.mean(v)) for name, v in rows.items()}


# (key, label, better): the direction a musician wants each measure to go.
LIVE_ROWS = [
    ("walk_repeated_keys", "random walk: repeated keys", "lower"),
    ("walk_register", "random walk: register used, 5-95 % (semitones)", "higher"),
    ("walk_contour", "random walk: key steps follow the buttons", "higher"),
    ("scale_span", "8-button scale: keys spanned (semitones)", "higher"),
    ("scale_contour", "8-button scale: steps follow the buttons", "higher"),
    ("chords_consonant", "chords, random finger order: fully consonant", "higher"),
    ("chords_collision", "chords, random finger order: two fingers on one key", "lower"),
    ("chords_sorted_consonant", "chords, low to high: fully consonant", "higher"),
    ("chords_sorted_collision", "chords, low to high: two fingers on one key", "lower"),
    ("repeat_repeated_keys", "one button repeated fast: repeated keys", "info"),
]


# Changes whenever live_penalty does: a best score from another version is not comparable (train.py resets it).
PENALTY_VERSION = 2  # 2: a register under four octaves (1: three)


def live_penalty(m: dict[str, float]) -> float:
    """One number for checkpoint selection (lower is better), from absolute musical targets only: keys that
    stick, chords that clash or collide, steps against the buttons, a register under four octaves."""
    return (m["walk_repeated_keys"] + m["chords_collision"] + (1.0 - m["chords_consonant"])
            + (1.0 - m["walk_contour"]) + (1.0 - m["scale_contour"]) + max(0.0, 1.0 - m["walk_register"] / 48.0))
