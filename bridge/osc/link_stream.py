"""The Ableton Link session's values to LISTENing OSCQuery clients (serve --link with the websocket): once a beat,
on the beat, one datagram per value (/genie/link/tempo, beat, phase, peers), the same the tree's GET gives. Link's
values change at every instant; a beat is what a show controller follows, and it costs four datagrams a beat."""

from __future__ import annotations

import threading
import time
from typing import Any

from ..handlers import LINK_FIELDS, link_address

# Waking no later than this after a beat; a tempo change or a session join moves the next beat, so each wait is
# recomputed from the session, never from the last beat.
MAX_WAIT_S = 1.0
# How near a whole beat the session must still be at the time waited for (beats; float32 keeps ~1e-6 here).
ON_BEAT = 1e-4


class LinkPublisher:
    """`start()` runs one daemon thread; `close()` stops it."""

    def __init__(self, link: Any, stream: Any):
        self.link, self.stream = link, stream
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="link-stream", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def publish(self, t: float, state: Any = None) -> None:
        """The session's values at bridge time t (or `state`, captured already), to every client listening on each."""
        state = self.link.state(t) if state is None else state
        for name in LINK_FIELDS:
            self.stream.publish_value(link_address(name), getattr(state, name))

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic()
            beat = self.link.next_boundary(now + 1e-3, 1.0)
            if self._stop.wait(min(max(beat - now, 0.0), MAX_WAIT_S)):
                return
            if time.monotonic() < beat:
                continue
            # A peer that joined during the wait realigns the session: the time waited for is then no longer a
            # beat (CI saw 1.258), and the wait is made again against the new timeline.
            state = self.link.state(beat)
            if abs(state.beat - round(state.beat)) <= ON_BEAT:
                self.publish(beat, state)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
