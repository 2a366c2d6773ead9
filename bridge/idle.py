"""The idle sweep and shutdown: notes no one is playing any more are turned off, to the performer's last sender."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # a type only: the flags' default below must not load the engine (`serve --help`)
    from .ensemble import Ensemble

# Seconds a performer may stay silent before its sounding notes are turned off.
DEFAULT_IDLE_TIMEOUT = 30.0


class IdleSweep:
    def __init__(self, ensemble: Ensemble, timeout: float, clock: Callable[[], float], lock: threading.RLock,
                 recorder: Callable[[], Any] = lambda: None):
        self.ensemble = ensemble
        self.recorder = recorder  # the take being recorded, if any: it hears each performer's notes turned off
        self.timeout = float(timeout)
        self.clock = clock
        self.lock = lock

    def sweep(self, now: float | None = None) -> int:
        """Turn off the notes of performers silent for longer than the idle timeout; returns how many."""
        if self.timeout <= 0:
            return 0
        now = self.clock() if now is None else now
        count = 0
        with self.lock:
            for performer in self.ensemble.performers.values():
                if performer.sounding and now - performer.last_activity > self.timeout:
                    count += performer.all_off(now, performer.last_sender)
                    if self.recorder() is not None:
                        self.recorder().all_off(performer.number, now)
        return count

    def credit_pause(self, seconds: float) -> None:
        """The process could not run for `seconds` (stopped, starved): nobody could be heard, so nobody has been
        silent for that long."""
        with self.lock:
            for performer in self.ensemble.performers.values():
                performer.last_activity += seconds

    def shutdown(self) -> int:
        """All notes off before the process goes: each performer's note-offs go to its last sender too."""
        with self.lock:
            now = self.clock()
            if self.recorder() is not None:
                self.recorder().all_off(None, now)
            return sum(performer.all_off(now, performer.last_sender) for performer in self.ensemble.performers.values())
