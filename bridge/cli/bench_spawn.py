"""Starting a bench contender (a serve, an echo server) and waiting for its ready line: shared by `bench osc`
(cli/bench.py) and its plugin latency run (cli/bench_plugin.py)."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path


def spawn(args: list[str], ready: str = "ready", cwd: Path | None = None,
          env: dict[str, str] | None = None) -> tuple[subprocess.Popen, tuple[str, int]]:
    """The process and the UDP address its banner names; its banner is left in spawn.banner."""
    if cwd is not None:
        env = dict(env or os.environ, PYTHONPATH=str(cwd))
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=cwd, env=env)
    lines = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{args[:4]} exited: {''.join(lines)}")
        lines.append(line)
        if ready in line:
            break
    match = re.search(r"udp ([\d.]+):(\d+)", "".join(lines))
    spawn.banner = "".join(lines)
    return proc, (match.group(1), int(match.group(2)))
