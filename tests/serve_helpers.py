"""Starting a real `pianogenie serve` for the tests that drive it with outside OSC peers (Pd, liblo)."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

from pianogenie.bridge.protocol import DEFAULT_HOST
from pianogenie.engine import default_model_dir
from tests.conftest import REPO, UPSTREAM
READY_LINE = "pianogenie serve: ready"


def interrupt(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Ctrl-C a command, as a user would (so it turns its notes off), and kill it if it does not stop."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def reader(proc: subprocess.Popen) -> "queue.Queue[str | None]":
    """A thread that queues every stdout line of proc, then None when it closes (so reads can time out)."""
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout] + [lines.put(None)], daemon=True).start()
    return lines


def read_until(lines: "queue.Queue[str | None]", proc: subprocess.Popen, ready: Callable[[str], bool], timeout: float,
               what: str) -> list[str]:
    """The lines up to and including the first that is `ready`; fails the test with everything the command printed
    if it exits or stays silent for `timeout` seconds first."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while not (seen and ready(seen[-1])):
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"{what} not ready after {timeout} s:\n{''.join(seen)}") from None
        if line is None:
            rest = proc.stderr.read() if proc.stderr else ""
            raise AssertionError(f"{what} exited ({proc.wait()}):\n{''.join(seen)}{rest}")
        seen.append(line)
    return seen


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((DEFAULT_HOST, 0))
        return sock.getsockname()[1]


def model_arguments(request) -> list[str]:
    """The project's model: the embedded default once it exists, else the upstream reference weights, else a
    small random model in the same format (the round trip tests transport, not taste)."""
    if (default_model_dir() / "weights_manifest.json").exists():
        return []
    if (UPSTREAM / "weights_manifest.json").exists():
        return ["--model", str(UPSTREAM)]
    return ["--model", str(request.getfixturevalue("random_model_dir"))]


@contextmanager
def running_serve(extra: list[str], reply_port: int, timeout: float = 60.0,
                  launcher: tuple[str, ...] = ("-m", "pianogenie")) -> Iterator[tuple[int, subprocess.Popen]]:
    """Start `pianogenie serve` on a port the OS picks (its banner names it), with replies to `reply_port`;
    yield (port, process); always stop it. No Zeroconf: the suite keeps mDNS off the host's network (the
    discovery test runs its own in a network namespace). `launcher`: how Python starts the shell (a probe's
    `-c CODE` that wraps it); what it printed after serve stopped is left in `proc.rest`."""
    command = [sys.executable, *launcher, "serve", "--port", "0",
               "--reply-to", f"{DEFAULT_HOST}:{reply_port}", "--audio", "none", "--midi-out", "none",
               "--seed", "7", "--no-zeroconf", *extra]
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines = reader(proc)
    try:
        banner = read_until(lines, proc, lambda line: line.strip() == READY_LINE, timeout, "serve")
        ports = re.findall(r"udp [\w.:-]+:(\d+)", "".join(banner))
        assert ports, f"the banner names no bound UDP port:\n{''.join(banner)}"
        proc.banner = "".join(banner)  # type: ignore[attr-defined] - for tests that read more than the port
        yield int(ports[0]), proc
        assert proc.poll() is None, "serve died during the test"
    finally:
        interrupt(proc)
    # A bug the receive loop survived still fails the test that met it: the stop line counts them.
    rest = []
    while (line := lines.get(timeout=10)) is not None:
        rest.append(line)
    proc.rest = rest  # type: ignore[attr-defined]
    assert not any("INTERNAL ERRORS" in line for line in rest), "serve counted internal errors:\n" + "".join(rest)
