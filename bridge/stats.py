"""What /genie/status reports: the counters, the press latency window and the performer asked about."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from . import protocol as p
from .ensemble import Ensemble
from .models import model_name
from .performer import Counters

# Presses kept for the latency percentiles in /genie/status.
LATENCY_WINDOW = 4096


class Stats:
    def __init__(self, counters: Counters, clock: Callable[[], float]):
        self.counters = counters
        self.clock = clock
        self.started = clock()
        self._latency = np.zeros(LATENCY_WINDOW)
        self._count = 0
        self.link: Any = None  # bridge.link.LinkClock under serve --link: its tempo, beat and phase in the status
        self.volume: Any = None  # bridge.sound.gain.Volume: the synths' level in the status
        self.stream: Any = None  # bridge.osc.stream.StreamStats: the OSCQuery websocket's counts in the status
        self.recording: Any = None  # bridge.recording.Recording: whether a take records, in the status

    def pressed(self, seconds: float) -> None:
        """One press's arrival -> note sent."""
        self._latency[self._count % LATENCY_WINDOW] = seconds
        self._count += 1

    def latency_percentiles(self) -> tuple[float, float]:
        """Arrival -> note sent over the recent presses, in microseconds (p50, p99); NaN before any press."""
        n = min(self._count, LATENCY_WINDOW)
        if n == 0:
            return math.nan, math.nan
        p50, p99 = np.percentile(self._latency[:n], [50, 99]) * 1e6
        return float(p50), float(p99)

    def _link_fields(self) -> dict[str, object]:
        link = self.link
        if link is None:
            return {"link_peers": -1, "link_tempo": math.nan, "link_beat": math.nan, "link_phase": math.nan}
        state = link.state()
        return {"link_peers": state.peers, "link_tempo": state.tempo, "link_beat": state.beat, "link_phase": state.phase}

    def _stream_fields(self) -> dict[str, object]:
        s = self.stream
        if s is None:
            return {"ws_clients": -1, "ws_refused": -1, "ws_dropped": -1, "ws_bad_frames": -1}
        return {"ws_clients": s.clients, "ws_refused": s.refused, "ws_dropped": s.dropped_slow + s.flooded,
                "ws_bad_frames": s.bad_frames}

    def status(self, ensemble: Ensemble, number: int, udp_drops: int) -> dict[str, object]:
        """The status fields, about performer `number` (whom asking does not create)."""
        performer = ensemble.performers.get(number)
        c = self.counters
        p50, p99 = self.latency_percentiles()
        values = {
            "performer": number,
            "temperature": performer.temperature if performer else ensemble.temperature,
            "sustain": int(performer.sustain) if performer else 0,
            "sounding": len(performer.sounding) if performer else 0,
            "performers": len(ensemble.performers),
            "packets": c.packets,
            "messages": c.messages,
            "bundles": c.bundles,
            "presses": c.presses,
            "releases": c.releases,
            "notes_on": c.notes_on,
            "notes_off": c.notes_off,
            "errors": c.errors,
            "malformed": c.malformed,
            "send_errors": c.send_errors,
            "internal_errors": c.internal_errors,
            "udp_drops": udp_drops,
            "latency_p50_us": p50,
            "latency_p99_us": p99,
            "uptime_s": self.clock() - self.started,
            "model": model_name(ensemble.genie),
            "model_errors": c.model_errors,
            **self._link_fields(),
            "volume_db": self.volume.db if self.volume is not None else math.nan,
            **self._stream_fields(),
            "recording": self.recording.state(self.clock()) if self.recording is not None else 0,
        }
        assert tuple(values) == p.STATUS_FIELDS
        return values
