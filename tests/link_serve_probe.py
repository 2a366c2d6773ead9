"""Run by tests/bridge/test_link.py inside a network namespace of its own (loopback only, multicast routed on it): a
`pianogenie serve --link --snap 1/4:100ms` and a Link peer of this probe's. Presses 50 ms before a beat must
sound on the beat; presses 200 ms before it sound at once. A websocket client LISTENs on /genie/link/beat and the
tree's /genie/link is read by HTTP. Prints one JSON line."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request

from pianogenie.bridge import protocol as p
from pianogenie.bridge.osc.client import OscClient
from pianogenie.bridge.osc.wire import parse_datagram

from link_probes import joined_peer, start_serve  # beside this script


def _listen(http: int, beats: list, stop: threading.Event) -> None:
    from websockets.sync.client import connect

    with connect(f"ws://127.0.0.1:{http}/") as ws:
        ws.send(json.dumps({"COMMAND": "LISTEN", "DATA": "/genie/link/beat"}))
        while not stop.is_set():
            try:
                frame = ws.recv(timeout=0.2)
            except TimeoutError:
                continue
            if isinstance(frame, bytes):
                (message,), _ = parse_datagram(frame)
                beats.append(message[1][0])


def main() -> None:
    serve, port, banner = start_serve("--audio", "none", "--oscquery-port", "0")
    http = int(re.findall(r"http://127\.0\.0\.1:(\d+)/", banner)[0])
    beats: list[float] = []
    stop = threading.Event()
    listener = threading.Thread(target=_listen, args=(http, beats, stop), daemon=True)
    listener.start()
    peer = joined_peer()
    client = OscClient(("127.0.0.1", port))
    snapped, at_once = [], []
    try:
        time.sleep(0.5)
        for n in range(8):
            lead = 0.05 if n % 2 == 0 else 0.2
            beat = peer.next_boundary(time.monotonic() + 0.3, 1.0)
            time.sleep(max(0.0, beat - lead - time.monotonic()))
            pressed = time.monotonic()
            client.send(p.IN_PRESS, n % 8, 90)
            message, _ = client.wait_for(lambda m: m[0] == p.OUT_NOTEON, 2.0)
            heard = time.monotonic()
            client.send(p.IN_RELEASE, n % 8)
            client.wait_for(lambda m: m[0] == p.OUT_NOTEOFF, 2.0)
            (snapped if lead == 0.05 else at_once).append({"after_beat": heard - beat, "after_press": heard - pressed,
                                                          "answered": message is not None})
        client.send(p.IN_STATUS)
        status, _ = client.wait_for(lambda m: m[0] == p.OUT_STATUS, 2.0)
        with urllib.request.urlopen(f"http://127.0.0.1:{http}/genie/link", timeout=5) as answer:
            tree = {name: node["VALUE"][0] for name, node in json.loads(answer.read())["CONTENTS"].items()}
    finally:
        stop.set()
        listener.join(5)
        client.close()
        peer.close()
        serve.terminate()
        serve.wait(10)
    fields = dict(zip(status[1][0::2], status[1][1::2])) if status else {}
    print(json.dumps({"banner": banner, "peers_seen": peer.peers, "snapped": snapped, "at_once": at_once,
                      "status": {k: v for k, v in fields.items() if k.startswith("link_")},
                      "listened_beats": beats, "tree": tree}), flush=True)


if __name__ == "__main__":
    main()
