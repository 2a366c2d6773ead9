"""Time in the bridge: one clock, and the scheduler stage that places each note at a time.

The clock is CLOCK_MONOTONIC. `now_ns` is its reading; `now` is the same reading in seconds, the unit every
arrival stamp and note time in the bridge is in (the transport stamps a datagram with it, MIDI input and the
keyboard player stamp theirs, and each note carries its press's stamp down to every sink).

The scheduler sits between the decoder and the sinks. Immediate (the default) it is not there at all: each sink
is called by the router as before, on the thread that decoded the press, with nothing added. With a latency, a
note leaves exactly that long after its press's arrival stamp, whatever the decoder and the machine took in
between (as long as it took less): a constant-latency output, which a plugin host or a quantised clock (Ableton
Link) needs. A scheduler thread keeps a heap of notes by due time; notes due at the same time leave in the order
they were made, so the router's order (OSC reply first, then each sink in turn) holds."""

from __future__ import annotations

import heapq
import itertools
import math
import sys
import threading
import time as _time
from typing import Any, Callable

from .sound.sink import Sink

NS_PER_S = 1_000_000_000
# Brackets raw_minus_mono_us reads: a preempted bracket is rare, so one of three is almost always a clean one.
OFFSET_TRIES = 3
# --latency-ms: above this a "constant latency" is a delay line, not an instrument.
MAX_LATENCY_MS = 1000.0


# The bridge's clock: CLOCK_MONOTONIC in nanoseconds, and the same clock read in seconds, the unit of every arrival
# stamp. Both are the C functions themselves, not wrappers: the press path reads the clock several times.
now_ns: Callable[[], int] = _time.monotonic_ns
now: Callable[[], float] = _time.monotonic


def raw_minus_mono_us() -> float:
    """CLOCK_MONOTONIC_RAW - CLOCK_MONOTONIC now, in microseconds. Ableton Link's clock and JACK's (jack_get_time)
    are the raw one, which NTP does not slew; the two drift apart by parts per million, so this is read each time.

    The raw reading is bracketed by two monotonic ones, and the tightest of a few brackets kept: a thread preempted
    between two bare reads (a loaded machine; CI once saw a fixed-latency note 0.055 ms early) would put the whole
    preemption into the offset, and every note placed by it."""
    best_width, best = None, 0
    for _ in range(OFFSET_TRIES):
        before = _time.monotonic_ns()
        raw = _time.clock_gettime_ns(_time.CLOCK_MONOTONIC_RAW)
        after = _time.monotonic_ns()
        if best_width is None or after - before < best_width:
            best_width, best = after - before, 2 * raw - before - after  # twice the offset: stays an integer
    return best / 2000.0


class Scheduler:
    """Places notes at arrival + latency. latency 0: `place` hands each sink back as it is, and nothing runs."""

    def __init__(self, latency: float = 0.0, clock: Callable[[], float] = now,
                 snap: Callable[[float], float] | None = None):
        """snap: when a note-on struck at a time should sound (Link's grid, bridge/link.py): never earlier."""
        if not 0.0 <= latency <= MAX_LATENCY_MS / 1000.0:
            raise ValueError(f"latency must be 0..{MAX_LATENCY_MS / 1000.0:g} s, got {latency}")
        self.latency = latency
        self.clock = clock
        self.snap = snap
        self._snapped_from, self._snapped_to = math.nan, math.nan
        self._heap: list[tuple[float, int, Callable[..., None], tuple]] = []
        self._order = itertools.count()
        self._last_due = -math.inf
        self._wake = threading.Condition()
        self._delivering = threading.Lock()  # one deliverer at a time (the thread, or a flush), so order holds
        self._thread: threading.Thread | None = None
        self._closed = False
        self._failed: set[str] = set()

    @property
    def immediate(self) -> bool:
        return self.latency == 0.0 and self.snap is None

    def place(self, sink: Any) -> Any:
        """The sink as the router should call it: the sink itself when immediate, else one that queues."""
        return self._placed(sink, Delayed)

    def place_link(self, link: Any) -> Any:
        """The OSC transport's link (bridge.core.Link): its notes are placed too; its other replies are not."""
        return self._placed(link, DelayedLink)

    def _placed(self, sink: Any, kind: type["Delayed"]) -> Any:
        if self.immediate:
            return sink
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="pianogenie-scheduler", daemon=True)
            self._thread.start()
        return kind(sink, self)

    def at(self, time: float, call: Callable[..., None], args: tuple, snapped: bool = False) -> None:
        """call(*args) at `time` + latency (a snapped note-on: its grid point + latency), or later: right after
        the note placed before it."""
        if snapped and self.snap is not None:
            # Every placed sink asks for the same note-on: the grid point is worked out once per press.
            if time != self._snapped_from:
                self._snapped_from, self._snapped_to = time, max(time, self.snap(time))
            time = self._snapped_to
        with self._wake:
            # Never before an earlier note: a sweep's note-off stamped "now" must not overtake the note-on of a
            # datagram that waited in the socket and carries an older arrival stamp.
            due = self._last_due = max(time + self.latency, self._last_due)
            heapq.heappush(self._heap, (due, next(self._order), call, args))
            if self._heap[0][0] == due:
                self._wake.notify()

    def flush(self) -> None:
        """Every queued note now, in order: before a sink closes, so no note-off is left behind."""
        with self._delivering:
            with self._wake:
                batch = [heapq.heappop(self._heap) for _ in range(len(self._heap))]
            self._deliver(batch)

    def close(self) -> None:
        self.flush()
        with self._wake:
            self._closed = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._closed and (not self._heap or self._heap[0][0] > self.clock()):
                    self._wake.wait(self._heap[0][0] - self.clock() if self._heap else None)
                if self._closed:
                    return
            # Not holding the wake lock while delivering: a press arriving meanwhile queues without waiting.
            with self._delivering:
                with self._wake:
                    t = self.clock()
                    batch = []
                    while self._heap and self._heap[0][0] <= t:
                        batch.append(heapq.heappop(self._heap))
                self._deliver(batch)

    def _deliver(self, batch: list) -> None:
        for _, _, call, args in batch:
            try:
                call(*args)
            except Exception as exc:  # as the router does: a failing output must not stop the others
                name = type(getattr(call, "__self__", call)).__name__
                if name not in self._failed:
                    self._failed.add(name)
                    print(f"pianogenie: {name} failed ({exc}); the other outputs carry on", file=sys.stderr)


class Delayed(Sink):
    """A sink behind the scheduler: its notes leave at their press's arrival + the latency."""

    def __init__(self, sink: Any, scheduler: Scheduler):
        self.sink = sink
        self.scheduler = scheduler
        self.description = getattr(sink, "description", "")

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: Any = None) -> None:
        self.scheduler.at(time, self.sink.note_on, (performer, pitch, velocity, button, time, sender), snapped=True)

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: Any = None) -> None:
        self.scheduler.at(time, self.sink.note_off, (performer, pitch, button, time, sender))

    def all_off(self) -> None:
        self.scheduler.flush()
        self.sink.all_off()

    def close(self) -> None:
        self.scheduler.flush()
        self.sink.close()


class DelayedLink(Delayed):
    """The transport's link behind the scheduler: notes are placed, replies leave at once, and anything else
    asked of it or set on it (the OSCQuery server hands it its websocket stream) is the link's own."""

    _OWN = ("sink", "scheduler", "description")

    def reply(self, sender: Any, address: str, values: tuple) -> None:
        self.sink.reply(sender, address, values)

    def udp_drops(self) -> int:
        return self.sink.udp_drops()

    def __getattr__(self, name: str) -> Any:  # only for what this class does not have itself
        return getattr(self.sink, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._OWN:
            object.__setattr__(self, name, value)
        else:
            setattr(self.sink, name, value)
