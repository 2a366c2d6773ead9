"""Ableton Link: the band's tempo and phase, for `serve --link` (the `[link]` extra: LinkPython-extern, GPL).

Times here are the bridge's clock (time.monotonic seconds, what arrival stamps and takes use); Link's own clock
is CLOCK_MONOTONIC_RAW in microseconds, so each conversion reads both clocks (their offset drifts by parts per
million, so it is read again each time). The output latency is added to every time passed to Link, as Link's README
asks: a beat is when it is heard, not when it is computed.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from ..engine.constants import MAX_QUANTUM
from .timing import raw_minus_mono_us

DEFAULT_TEMPO = 120.0
DEFAULT_QUANTUM = 4.0
# Joining enabled at once can impose our tempo on the session before we have heard it (aalink #7).
ENABLE_AFTER_S = 0.5
TEMPO_RANGE = (20.0, 999.0)  # Link's own bounds


class LinkMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class LinkConfig:
    """serve --link [--tempo BPM] [--quantum BEATS] [--snap GRID:WINDOW]."""

    tempo: float = DEFAULT_TEMPO
    quantum: float = DEFAULT_QUANTUM
    snap_beats: float | None = None   # the grid, in beats (a quarter note is one beat): 1/16 is 0.25
    snap_window: float = 0.0          # seconds before a grid point within which a press waits for it


def parse_snap(text: str) -> tuple[float, float]:
    """--snap 1/16:25ms -> (0.25 beats, 0.025 s); the window may be in ms or s. ValueError names the flag."""
    grid, sep, window = text.partition(":")
    try:
        numerator, slash, denominator = grid.partition("/")
        note = float(numerator) / float(denominator) if slash else float(numerator)
        seconds = float(window[:-2]) / 1000 if window.endswith("ms") else float(window.rstrip("s"))
    except (ValueError, ZeroDivisionError):
        note, seconds = math.nan, math.nan
    if not sep or not (note > 0 and math.isfinite(note)) or not (0 < seconds <= 0.25):
        raise ValueError(f"--snap {text}: expected GRID:WINDOW, e.g. 1/16:25ms (a window of at most 250 ms)")
    return 4.0 * note, seconds


@dataclass(frozen=True)
class LinkState:
    """What /genie/status, the banner and the OSCQuery tree show."""

    tempo: float
    beat: float
    phase: float
    peers: int
    quantum: float


class LinkClock:
    """One Link session member. `start()` joins after ENABLE_AFTER_S; `close()` leaves."""

    def __init__(self, tempo: float = DEFAULT_TEMPO, quantum: float = DEFAULT_QUANTUM,
                 output_latency_s: float = 0.0, enable_after_s: float = ENABLE_AFTER_S):
        if not TEMPO_RANGE[0] <= tempo <= TEMPO_RANGE[1]:
            raise ValueError(f"--tempo must be within {TEMPO_RANGE[0]:g}..{TEMPO_RANGE[1]:g} BPM, got {tempo:g}")
        if not 0 < quantum <= MAX_QUANTUM:
            raise ValueError(f"--quantum must be a number of beats in (0, {MAX_QUANTUM:g}], got {quantum:g}")
        try:
            import link
        except ImportError:
            raise LinkMissing("--link needs Ableton Link: pip install 'pianogenie-bridge[link]'") from None
        self.quantum = float(quantum)
        self.latency_us = output_latency_s * 1e6
        self._link = link.Link(float(tempo))
        self._enable_after_s = enable_after_s
        self._timer: threading.Timer | None = None

    def start(self) -> None:
        if self._enable_after_s <= 0:
            self._link.enabled = True
            return
        self._timer = threading.Timer(self._enable_after_s, self._enable)
        self._timer.daemon = True
        self._timer.start()

    def _enable(self) -> None:
        self._link.enabled = True

    @property
    def enabled(self) -> bool:
        return bool(self._link.enabled)

    def _link_us(self, t: float) -> int:
        """A bridge time as Link's clock, output latency included."""
        return int(round(t * 1e6 + raw_minus_mono_us() + self.latency_us))

    def _bridge_s(self, link_us: float) -> float:
        return (link_us - self.latency_us - raw_minus_mono_us()) / 1e6

    def beat_at(self, t: float) -> float:
        return float(self._link.captureAppSessionState().beatAtTime(self._link_us(t), self.quantum))

    def phase_at(self, t: float) -> float:
        return float(self._link.captureAppSessionState().phaseAtTime(self._link_us(t), self.quantum))

    def time_at_beat(self, beat: float) -> float:
        return self._bridge_s(self._link.captureAppSessionState().timeAtBeat(float(beat), self.quantum))

    @property
    def tempo(self) -> float:
        return float(self._link.captureAppSessionState().tempo())

    def set_tempo(self, bpm: float) -> None:
        if not TEMPO_RANGE[0] <= bpm <= TEMPO_RANGE[1]:
            raise ValueError(f"tempo must be within {TEMPO_RANGE[0]:g}..{TEMPO_RANGE[1]:g} BPM, got {bpm:g}")
        state = self._link.captureAppSessionState()
        state.setTempo(float(bpm), self._link.clock().micros())
        self._link.commitAppSessionState(state)

    @property
    def peers(self) -> int:
        return int(self._link.numPeers())

    def state(self, t: float | None = None) -> LinkState:
        t = time.monotonic() if t is None else t
        session = self._link.captureAppSessionState()
        at = self._link_us(t)
        return LinkState(float(session.tempo()), float(session.beatAtTime(at, self.quantum)),
                         float(session.phaseAtTime(at, self.quantum)), self.peers, self.quantum)

    def next_boundary(self, t: float, beats: float | None = None) -> float:
        """The bridge time of the next multiple of `beats` (the quantum by default) at or after t."""
        beats = self.quantum if beats is None else beats
        beat = self.beat_at(t)
        target = math.ceil(beat / beats - 1e-9) * beats
        return self.time_at_beat(target)

    def snap(self, t: float, grid_beats: float, window_s: float) -> float:
        """When a press at t should sound: the next grid point if it is at most window_s away, else t. Never
        earlier than t, never later than the window."""
        point = self.next_boundary(t, grid_beats)
        return point if 0.0 <= point - t <= window_s else t

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._link.enabled = False
