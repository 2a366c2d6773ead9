"""Where the current JACK cycle starts on the monotonic clock, as the JACK server itself knows it, for --latency
fixed under JACK (bridge/sound/sounddevice_synth.py) and for the frame meter (bridge/frame_meter.py).

JACK times every cycle with a delay-locked loop over its driver's wake-ups (jack_get_cycle_times): the cycle's
first frame, its start and the next cycle's start on JACK's clock (CLOCK_MONOTONIC_RAW, microseconds). Any client
may read it during a cycle, and every client of the cycle reads the same numbers. A callback's own wake-up time,
which StreamClock bounds from below instead, jitters by tens to hundreds of microseconds on a loaded machine; and
on JACK's dummy driver the frames run slower than the monotonic clock by about 0.1 % (each sleep overshoots),
faster than StreamClock follows. Placing a note by JACK's numbers puts it where JACK says that time falls.

Under PortAudio the synth's callback runs inside JACK's process cycle, one callback per cycle when its block
equals JACK's period; with any other block size the callback's place in the cycle is PortAudio's, and the synth
keeps StreamClock."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

from ..timing import raw_minus_mono_us
from .audio_timing import _libjack, open_client

# The client name the clock opens with: it has no ports and is never activated, so it is in no process graph.
CLOCK_CLIENT = "pianogenie-clock"


@dataclass(frozen=True)
class Cycle:
    first_frame: int      # JACK's frame counter at the cycle's first frame (wraps at 2**32)
    start: float          # the cycle's first frame on the monotonic clock, seconds
    frame_s: float        # seconds per frame over this cycle (JACK's estimate, not the nominal rate)

    def time_of(self, frame: int) -> float:
        """A frame's time on the monotonic clock, for a frame counted by JACK's frame counter."""
        return self.start + ((frame - self.first_frame) % 2**32) * self.frame_s


class JackCycleClock:
    """`cycle()` during a JACK process cycle; `close()` when the stream ends."""

    def __init__(self, lib: ctypes.CDLL, client: int, period: int):
        self._lib, self._client, self.period = lib, client, period
        self._frames, self._usecs = ctypes.c_uint32(), ctypes.c_uint64()
        self._next, self._period_us = ctypes.c_uint64(), ctypes.c_float()

    @classmethod
    def open(cls, block: int) -> "JackCycleClock | None":
        """A clock for a stream whose callbacks are `block` frames; None where no JACK server answers or its
        period is not `block` (the callback's place in the cycle is then not the cycle's start)."""
        lib = _libjack()
        if lib is None:
            return None
        lib.jack_get_cycle_times.restype = ctypes.c_int
        lib.jack_get_cycle_times.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint32),
                                             ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_uint64),
                                             ctypes.POINTER(ctypes.c_float)]
        client = open_client(lib, CLOCK_CLIENT)
        if not client:
            return None
        if int(lib.jack_get_buffer_size(client)) != block:
            lib.jack_client_close(client)
            return None
        return cls(lib, client, block)

    def cycle(self) -> Cycle | None:
        """The current cycle's timing; None if JACK has none to give (no cycle has run yet)."""
        if self._lib.jack_get_cycle_times(self._client, ctypes.byref(self._frames), ctypes.byref(self._usecs),
                                          ctypes.byref(self._next), ctypes.byref(self._period_us)) != 0:
            return None
        start_us = self._usecs.value - raw_minus_mono_us()
        span_us = self._next.value - self._usecs.value
        if span_us <= 0:
            return None
        return Cycle(int(self._frames.value), start_us / 1e6, span_us / 1e6 / self.period)

    def close(self) -> None:
        if self._client:
            self._lib.jack_client_close(self._client)
            self._client = 0
