"""What the bridge asks of the operating system: quiet C libraries, JACK's presence, real-time scheduling, and
the latency budgets the serve banner and `bench osc` both hold the bridge to."""

from __future__ import annotations

import contextlib
import os
import sys
import time as _time
from typing import Callable, Iterator

# Budgets from issue 4: the bridge's own press -> note-on, and press -> sound.
BRIDGE_BUDGET_P99_US = 300
SOUND_BUDGET_P99_MS = 3
# --realtime priorities: under JACK's default audio threads (jackd -R uses 10 for clients, more for itself)
# would starve them; SCHED_FIFO 5..9 still preempts every normal process.
BRIDGE_RT_PRIORITY = 8
SYNTH_RT_PRIORITY = 9
# How long a thread holding the GIL runs before one that is waiting (the scheduler waking for a placed note, a
# reply sender) may take it. Python's 5 ms is a whole note's lateness on a loaded machine; the bridge's threads
# each hold it for microseconds, so a short interval costs nothing.
GIL_SWITCH_INTERVAL_S = 0.0005
# What ends serve, play and web cleanly (every note off, the take written): Ctrl-C, kill, a closed terminal or
# ssh session (SIGHUP) and Ctrl-\\ (SIGQUIT, whose default would dump core and skip the note-offs).
STOP_SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT")


def on_stop_signals(stop: Callable[[], None]) -> None:
    """Call `stop` (from the main thread, between two Python steps) on any of STOP_SIGNALS."""
    import signal

    for name in STOP_SIGNALS:
        signal.signal(getattr(signal, name), lambda *_: stop())


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """PortAudio and ALSA print pages of probe errors to fd 2 on machines without sound cards."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            sys.stderr.flush()
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def jack_running() -> bool:
    """Whether a JACK server is up, without starting one (JACK autostarts a server on connect otherwise)."""
    os.environ["JACK_NO_START_SERVER"] = "1"
    try:
        # jackd2 keeps /dev/shm/jack_<server>_<uid>_<n> while it runs (the registry file outlives it); libjack
        # clients connect to the server JACK_DEFAULT_SERVER names, else to "default".
        server = os.environ.get("JACK_DEFAULT_SERVER") or "default"
        return any(name.startswith(f"jack_{server}_") for name in os.listdir("/dev/shm"))
    except OSError:
        return False


def prompt_thread_handoff() -> None:
    """Let a woken thread take the GIL within GIL_SWITCH_INTERVAL_S (serve and play: several threads per note)."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)


def request_realtime(priority: int) -> str:
    """SCHED_FIFO for this process, below JACK's own audio threads; one line saying what happened."""
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(priority))
        return f"SCHED_FIFO priority {priority}"
    except (AttributeError, OSError) as exc:
        return f"normal scheduling (real-time refused: {getattr(exc, 'strerror', None) or exc})"


class LogLimiter:
    """One kind of log line that a peer can cause, at most once per `interval` seconds: the first in full, then
    one line now and then saying how many were left out. A flood of bad packets must not become a flood of
    stderr (which costs the server more than the packets do)."""

    def __init__(self, interval: float = 10.0, clock: Callable[[], float] = _time.monotonic):
        self.interval = interval
        self.clock = clock
        self.count = 0
        self._next = -float("inf")
        self._left_out = 0

    def log(self, line: str, detail: str = "") -> bool:
        """Print `line` (and, the first time only, `detail`) unless one was printed in the last interval;
        returns whether it printed."""
        self.count += 1
        now = self.clock()
        if now < self._next:
            self._left_out += 1
            return False
        self._next = now + self.interval
        suffix = f" ({self._left_out} more since the last report)" if self._left_out else ""
        self._left_out = 0
        try:
            print(line + suffix + ("\n" + detail if detail and self.count == 1 else ""), file=sys.stderr, flush=True)
        except Exception:  # a closed stderr must not turn a logged error into a fatal one
            pass
        return True
