"""Run by tests/bridge/test_link.py inside a network namespace of its own (loopback only, multicast routed on it):
a `pianogenie serve --link --snap 1/4:100ms` and a Link peer of this probe's. Mid-bar, `/genie/record/start
s:linked.json` starts a take on the next bar: a press 400 ms before the bar (released after it) is not in the take;
one 50 ms before it sounds on the bar (the snap) and is the take's at time 0, beat 0; one 300 ms after the bar is
at take time 0.3 s and beat 0.6 (120 BPM). Prints one JSON line: what the probe sent, when, by the peer's bar,
and the take as written."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from pianogenie.bridge import protocol as p
from pianogenie.bridge.osc.client import OscClient

from link_probes import joined_peer, start_serve  # beside this script

# Where in the bar the start is sent, and the presses around the bar it waits for (seconds; 120 BPM: 2 s a bar).
START_INTO_BAR_S = 0.75
BEFORE_BAR_S = 0.4
SNAPPED_BEFORE_BAR_S = 0.05
AFTER_BAR_S = 0.3


def _at(when: float) -> float:
    time.sleep(max(0.0, when - time.monotonic()))
    return time.monotonic()


def _tap(client: OscClient, button: int) -> None:
    client.send(p.IN_PRESS, button, 90)
    client.wait_for(lambda m: m[0] == p.OUT_NOTEON, 2.0)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="pg-record-link-"))
    serve, port, banner = start_serve("--audio", "none", "--oscquery-port", "none", "--record", str(folder / "first.json"))
    peer = joined_peer()
    client = OscClient(("127.0.0.1", port))
    seen: dict = {"banner": banner, "peers_seen": peer.peers}  # read while joined: a closed peer counts none
    try:
        time.sleep(0.5)
        client.send(p.IN_RECORD_STOP)  # --record's take, so the OSC one may start
        seen["first"] = client.wait_for(lambda m: m[0] in (p.OUT_RECORD_STOP, p.OUT_ERROR), 5.0)[0]
        bar = peer.next_boundary(time.monotonic() + 0.2)  # a bar the probe can reach mid-way into
        sent = _at(bar + START_INTO_BAR_S)
        client.send(p.IN_RECORD_START, "linked.json")
        seen["start"] = client.wait_for(lambda m: m[0] in (p.OUT_RECORD_START, p.OUT_ERROR), 2.0)[0]
        seen["status_waiting"] = client.status()["recording"]
        take_bar = peer.next_boundary(sent)  # the bar the take waits for, by the peer's clock
        seen["peer_wait_s"] = take_bar - sent
        pressed_before = _at(take_bar - BEFORE_BAR_S)
        _tap(client, 2)
        pressed_snapped = _at(take_bar - SNAPPED_BEFORE_BAR_S)
        _tap(client, 4)
        _at(take_bar + 0.1)
        client.send(p.IN_RELEASE, 2)  # a note held across the bar: not the take's
        client.wait_for(lambda m: m[0] == p.OUT_NOTEOFF, 2.0)
        client.send(p.IN_RELEASE, 4)
        client.wait_for(lambda m: m[0] == p.OUT_NOTEOFF, 2.0)
        pressed_after = _at(take_bar + AFTER_BAR_S)
        _tap(client, 5)
        client.send(p.IN_RELEASE, 5)
        client.wait_for(lambda m: m[0] == p.OUT_NOTEOFF, 2.0)
        seen["status_recording"] = client.status()["recording"]
        _at(take_bar + 1.0)
        client.send(p.IN_RECORD_STOP)
        seen["stop"] = client.wait_for(lambda m: m[0] in (p.OUT_RECORD_STOP, p.OUT_ERROR), 5.0)[0]
        seen["pressed_before_bar_s"] = take_bar - pressed_before
        seen["snapped_before_bar_s"] = take_bar - pressed_snapped
        seen["pressed_after_bar_s"] = pressed_after - take_bar
    finally:
        client.close()
        peer.close()
        serve.terminate()
        serve.wait(10)
    taken = folder / "linked.json"
    seen["take"] = json.loads(taken.read_text()) if taken.exists() else None
    shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(seen), flush=True)


if __name__ == "__main__":
    main()
