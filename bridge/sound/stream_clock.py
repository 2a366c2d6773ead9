"""Where an audio stream's block starts on the monotonic clock, for --latency fixed (bridge/sound/sounddevice_synth.py).

Each callback reads (wake-up time - frames played / rate). A callback wakes late, never early, so the truth is the
lower envelope of those readings. The envelope falls at once to any lower reading; it rises only slowly (the two
clocks' drift), or by whole periods when the stream has lost blocks. A window's minimum, which this replaces, rose
with the readings whenever every callback of a window woke late (a loaded machine), and placed notes before their
fixed time."""

from __future__ import annotations

# The fastest the envelope follows readings upward: two crystals drift apart by well under 200 parts per million.
# A drift faster than this is followed late (notes later than fixed), never early.
DRIFT_PPM = 200.0
# The stream's first blocks come in a burst that fills the device's buffers, faster than they play: until then
# only the latest reading counts.
SETTLE_S = 0.5
# Readings in a row, each a whole period or more above the envelope, that mean the stream lost blocks (an xrun
# that skipped cycles) rather than a callback that woke late once.
SKIP_READINGS = 3


class StreamClock:
    """block_start(frames_played / rate, woke) -> the block's first frame on the monotonic clock."""

    def __init__(self, period_s: float):
        self.period = period_s
        self.offset: float | None = None  # monotonic - stream time, the lower envelope
        self._stream_time = 0.0
        self._last_woke: float | None = None
        self._above: list[float] = []  # the latest readings a period or more above the envelope

    def block_start(self, stream_time: float, woke: float) -> float:
        reading = woke - stream_time
        # A block computed hard on the last one is the stream catching up after a stall: its reading is early by
        # the stall, and would place every note after it late.
        catching_up = self._last_woke is not None and woke - self._last_woke < 0.5 * self.period
        self._last_woke = woke
        if self.offset is None or stream_time < SETTLE_S:
            self.offset = reading
        elif not catching_up:
            self._follow(reading, stream_time - self._stream_time)
        self._stream_time = stream_time
        return stream_time + self.offset

    def _follow(self, reading: float, elapsed: float) -> None:
        assert self.offset is not None
        if reading <= self.offset:
            self.offset, self._above = reading, []
            return
        excess = reading - self.offset
        self._above = self._above + [excess] if excess >= self.period else []
        if len(self._above) >= SKIP_READINGS:
            # Lost blocks move the stream's clock by whole periods; the rest of the excess is wake-up delay.
            self.offset += int(min(self._above) / self.period) * self.period
            self._above = []
        self.offset = min(reading, self.offset + max(elapsed, 0.0) * DRIFT_PPM * 1e-6)
