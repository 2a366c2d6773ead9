"""The frame meter's mapping of onset frames onto the monotonic clock (bridge/frame_meter.py), on readings shaped
as a JACK dummy server gives them: every callback late by some wake-up delay, and a stall after which the
server's frames stay behind the monotonic clock for good (it does not catch up)."""

from __future__ import annotations

import numpy as np

from pianogenie.bridge.frame_meter import onset_times

RATE, PERIOD = 48_000, 64


def _readings(stall_at: int, stall_s: float, callbacks: int = 3000, seed: int = 0) -> list[float]:
    """(wake-up - frame time) of each callback: the true offset (0, then stall_s from callback stall_at on) plus a
    wake-up delay that is often near zero and sometimes up to 2 ms."""
    rng = np.random.default_rng(seed)
    delay = np.where(rng.random(callbacks) < 0.2, rng.uniform(0, 2e-5, callbacks), rng.uniform(0, 2e-3, callbacks))
    truth = np.where(np.arange(callbacks) >= stall_at, stall_s, 0.0)
    return list(truth + delay)


def test_an_onset_after_a_stall_is_mapped_by_the_offset_after_it() -> None:
    offsets = _readings(stall_at=1500, stall_s=0.02)
    onsets = [(index * PERIOD + 10, index) for index in (100, 1400, 1600, 2900)]
    heard = onset_times(onsets, offsets, RATE, PERIOD)
    truth = [(frame / RATE) + (0.02 if index >= 1500 else 0.0) for frame, index in onsets]
    errors = np.array(heard) - np.array(truth)
    assert np.all(errors >= 0) and np.all(errors < 1e-4), errors * 1e3


def test_a_stall_just_after_an_onset_errs_late_never_early() -> None:
    offsets = _readings(stall_at=1502, stall_s=0.005)
    (heard,) = onset_times([(1500 * PERIOD, 1500)], offsets, RATE, PERIOD)
    assert heard >= 1500 * PERIOD / RATE
