"""The output level of every synth (issue 22): `--gain DB` at start, `/genie/volume f` live. One dB value, its
bounds and default; the click-free ramp a block synth applies; and the run's `Volume`, which the OSC route sets
and which passes each change on to the synths of the run.

A level change is never a step: a step in gain under a sounding note is a click. The block synths ramp linearly
over RAMP_SECONDS, pyo glides its mix's level (SigTo) over the same time, and FluidSynth interpolates a voice's
amplitude over its own 64-sample block."""

from __future__ import annotations

import math
from typing import Any

DEFAULT_GAIN_DB = 0.0
# Quieter than -60 dB is silence for a player; louder than +12 dB clips the FM synth's default patch.
MIN_GAIN_DB, MAX_GAIN_DB = -60.0, 12.0
# Long enough that a level change is not heard as a click, short enough that it follows a fader at once.
RAMP_SECONDS = 0.01


def db_to_linear(db: float) -> float:
    return 10.0 ** (db / 20.0)


def gain_problem(db: float, flag: str = "--gain") -> str | None:
    """The one line to print for a level out of bounds, or None."""
    if not (math.isfinite(db) and MIN_GAIN_DB <= db <= MAX_GAIN_DB):
        return f"{flag} must be {MIN_GAIN_DB:g}..{MAX_GAIN_DB:g} dB, got {db:g}"
    return None


class GainRamp:
    """A block synth's level: each block is scaled by a gain that moves linearly to the target over
    RAMP_SECONDS (however many blocks that spans), then holds."""

    def __init__(self, db: float, sample_rate: int):
        self.current = self.target = db_to_linear(db)
        self.step = 1.0 / max(1, round(RAMP_SECONDS * sample_rate))  # of the whole move, per frame
        self._start = self.current
        self._done = 1.0  # how far along the current move is, 0..1

    def set(self, db: float) -> None:
        self._start, self.target, self._done = self.current, db_to_linear(db), 0.0

    def apply(self, block: Any) -> Any:
        """`block` (frames, channels) scaled, in place where it can be; a float array either way."""
        import numpy as np

        if self._done >= 1.0:
            return block if self.current == 1.0 else np.multiply(block, self.current)
        frames = len(block)
        along = np.minimum(self._done + self.step * np.arange(1, frames + 1), 1.0)
        gains = self._start + (self.target - self._start) * along
        self._done = float(along[-1])
        self.current = float(gains[-1])
        return block * gains.reshape(frames, *([1] * (np.ndim(block) - 1)))


class Volume:
    """The run's level in dB: what `/genie/volume` sets and `/genie/status` reports, passed on to every synth
    that has joined (each with a `set_gain(db)`)."""

    def __init__(self, db: float = DEFAULT_GAIN_DB):
        self.db = db
        self.synths: list[Any] = []

    def join(self, synth: Any) -> None:
        self.synths.append(synth)

    def set(self, db: float) -> None:
        self.db = db
        for synth in self.synths:
            synth.set_gain(db)
