"""What the attack tests (tests/bridge/test_attacks.py) share: another performer's press round trip, measured over
real OSC against a running `pianogenie serve`, and the server's resident memory."""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field

from pianogenie.bridge import protocol as p
from pianogenie.bridge.osc.client import OscClient

PERFORMER = 5  # "another performer": not the bare-address performer 0 that attacks may touch
LOST_AFTER_S = 2.0  # a press unanswered this long counts as lost


@dataclass
class RoundTrips:
    """Press -> note-on round trips in milliseconds, and the presses that got no note-on at all."""

    ms: list[float] = field(default_factory=list)
    lost: int = 0

    def p(self, q: float) -> float:
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("inf")

    def describe(self) -> str:
        return (f"{len(self.ms)} presses, median {statistics.median(self.ms) if self.ms else float('nan'):.2f} ms, "
                f"p99 {self.p(0.99):.2f} ms, max {max(self.ms, default=float('nan')):.2f} ms, {self.lost} lost")


def press_round_trips(port: int, count: int = 0, seconds: float = 0.0, gap: float = 0.01,
                      stop: threading.Event | None = None) -> RoundTrips:
    """Press and release a button of PERFORMER `count` times (or for `seconds`, or until `stop`), one at a time,
    timing each press until its note-on comes back; every note it struck is released before it returns."""
    client = OscClient(("127.0.0.1", port))
    press, release = p.performer_address(p.IN_PRESS, PERFORMER), p.performer_address(p.IN_RELEASE, PERFORMER)
    noteon = p.output_address(p.OUT_NOTEON, PERFORMER)
    noteoff = p.output_address(p.OUT_NOTEOFF, PERFORMER)
    result = RoundTrips()
    end = time.monotonic() + seconds
    n = 0
    try:
        while (n < count if count else (time.monotonic() < end and not (stop and stop.is_set()))):
            button = n % 8
            t0 = time.perf_counter()
            client.send(press, button, 90)
            message, _ = client.wait_for(lambda m: m[0] == noteon, LOST_AFTER_S)
            if message is None:
                result.lost += 1
            else:
                result.ms.append((time.perf_counter() - t0) * 1000)
            client.send(release, button)
            client.wait_for(lambda m: m[0] == noteoff, LOST_AFTER_S)
            n += 1
            time.sleep(gap)
    finally:
        client.close()
    return result


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def within_bound(attacked: RoundTrips, baseline: RoundTrips, slack_ms: float = 10.0) -> bool:
    """The issue's goal is p99 within 2x of the baseline; on a shared CI core some scheduler noise is allowed on
    top (the benchmark figures in the notes are the measurement, this is the regression guard). 10 ms: an
    oversized swap on a 2-core machine also running training and a second suite reached 6.97 ms against a 0.94 ms
    baseline; the failures this guards against stalled presses for seconds."""
    return attacked.lost == 0 and attacked.p(0.99) <= 2 * baseline.p(0.99) + slack_ms
