"""What the Link namespace probes share (tests/link_serve_probe.py, record_link_probe.py, link_jack_probe.py): a
`pianogenie serve --link` of their own, and a Link peer of the probe's that has joined its session."""

from __future__ import annotations

import re
import subprocess
import sys
import time

from pianogenie.bridge.link import LinkClock

# Every probe's serve: Link at 120 BPM, presses up to 100 ms before a quarter note snapped onto it.
LINK_SERVE = ["--port", "0", "--midi-out", "none", "--no-zeroconf", "--seed", "1", "--link", "--tempo", "120",
              "--snap", "1/4:100ms"]


def start_serve(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, int, str]:
    """serve with LINK_SERVE and `args`, once it says it is ready: the process, its UDP port and its banner."""
    serve = subprocess.Popen([sys.executable, "-m", "pianogenie", "serve", *LINK_SERVE, *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    banner = []
    for line in serve.stdout:
        banner.append(line)
        if line.strip() == "pianogenie serve: ready":
            break
    found = re.findall(r"udp [\w.:-]+:(\d+)", "".join(banner))
    if not found:
        serve.kill()
        raise SystemExit(f"serve did not start:\n{''.join(banner)}{serve.stderr.read()}")
    return serve, int(found[0]), "".join(banner)


def joined_peer(timeout: float = 10.0) -> LinkClock:
    """A Link peer at serve's tempo, once it has found another peer (or the timeout has passed)."""
    peer = LinkClock(tempo=120.0, quantum=4.0)
    peer.start()
    deadline = time.monotonic() + timeout
    while peer.peers < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    return peer
