"""Run by tests/bridge/test_link.py inside a network namespace: one Ableton Link peer (bridge/link.py). The leader sets
the tempo to 133 once it sees a peer; both wait until they agree on it, then print one JSON line with the phase
they compute for the same instants on the shared monotonic clock (namespaces do not virtualise time)."""

from __future__ import annotations

import json
import sys
import time

from pianogenie.bridge.link import LinkClock


def main(role: str, t0: float) -> None:
    clock = LinkClock(tempo=120.0 if role == "leader" else 90.0, quantum=4.0)
    clock.start()
    deadline = time.monotonic() + 20
    while clock.peers < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    peers_seen = clock.peers
    if role == "leader" and peers_seen:
        time.sleep(0.3)
        clock.set_tempo(133.0)
    while abs(clock.tempo - 133.0) > 1e-6 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)
    instants = [t0 + 30 + 0.37 * i for i in range(8)]
    print(json.dumps({"role": role, "peers": peers_seen, "tempo": clock.tempo,
                      "phases": [clock.phase_at(t) for t in instants],
                      "beats": [clock.beat_at(t) for t in instants]}), flush=True)
    time.sleep(1.0)  # the other peer may still be reading the session
    clock.close()


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
