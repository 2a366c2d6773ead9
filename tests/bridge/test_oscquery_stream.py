"""The OSCQuery websocket hub (bridge/osc/stream.py) with a real websocket client (the `websockets` library's),
over loopback: LISTEN and IGNORE, values as the exact datagrams, PATH_CHANGED, bad commands, slow clients."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

pytest.importorskip("websockets")
from websockets.sync.client import connect  # noqa: E402

from pianogenie.bridge.osc import stream  # noqa: E402

PATHS = {"/genie/noteon", "/genie/noteoff", "/genie/5/noteon"}


@pytest.fixture
def hub_port():
    hub = stream.StreamHub(exists=lambda path: path in PATHS)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def accepting() -> None:
        while True:
            try:
                sock, _ = listener.accept()
            except OSError:
                return
            head = sock.recv(4096, socket.MSG_PEEK)
            if not (stream.is_websocket_request(head) and hub.accept(sock)):
                sock.close()

    threading.Thread(target=accepting, daemon=True).start()
    yield hub, port
    hub.close()
    listener.close()


def listen(ws, *paths: str) -> None:
    for path in paths:
        ws.send(json.dumps({"COMMAND": "LISTEN", "DATA": path}))


def wait_for_listeners(hub, count: int, path: str) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if sum(path in c.paths for c in list(hub._clients)) >= count:
            return
        time.sleep(0.005)
    raise AssertionError(f"{count} clients are not listening on {path}")


def test_a_listener_gets_the_datagrams_of_its_paths_only_in_order(hub_port) -> None:
    hub, port = hub_port
    with connect(f"ws://127.0.0.1:{port}/") as ws:
        listen(ws, "/genie/noteon")
        wait_for_listeners(hub, 1, "/genie/noteon")
        for n in range(50):
            hub.publish("/genie/noteon", b"on%d" % n)
            hub.publish("/genie/noteoff", b"off%d" % n)  # not listened to
        got = [ws.recv(timeout=2) for _ in range(50)]
        assert got == [b"on%d" % n for n in range(50)]
        ws.send(json.dumps({"COMMAND": "IGNORE", "DATA": "/genie/noteon"}))
        deadline = time.monotonic() + 2
        while hub._clients and hub._clients[0].paths and time.monotonic() < deadline:
            time.sleep(0.005)
        hub.publish("/genie/noteon", b"after")
        hub.tree_changed("/genie")
        assert json.loads(ws.recv(timeout=2)) == {"COMMAND": "PATH_CHANGED", "DATA": "/genie"}


def test_bad_commands_get_an_error_frame_and_the_connection_lives(hub_port) -> None:
    hub, port = hub_port
    with connect(f"ws://127.0.0.1:{port}/") as ws:
        for bad in ("not json", json.dumps({"COMMAND": "EXPLODE", "DATA": "/genie/noteon"}),
                    json.dumps({"COMMAND": "LISTEN", "DATA": "/no/such/path"}), json.dumps(["LISTEN"]),
                    json.dumps({"COMMAND": "LISTEN", "DATA": 7})):
            ws.send(bad)
            reply = json.loads(ws.recv(timeout=2))
            assert reply["COMMAND"] == "ERROR", (bad, reply)
        ws.send(b"\x00binary")
        assert json.loads(ws.recv(timeout=2))["COMMAND"] == "ERROR"
        listen(ws, "/genie/5/noteon")
        wait_for_listeners(hub, 1, "/genie/5/noteon")
        hub.publish("/genie/5/noteon", b"still here")
        assert ws.recv(timeout=2) == b"still here"
    assert hub.stats.bad_frames == 6


def test_an_oversized_frame_closes_only_that_client(hub_port) -> None:
    hub, port = hub_port
    with connect(f"ws://127.0.0.1:{port}/") as good, connect(f"ws://127.0.0.1:{port}/", max_size=None) as bad:
        listen(good, "/genie/noteon")
        wait_for_listeners(hub, 1, "/genie/noteon")
        bad.send("x" * (stream.MAX_MESSAGE + 1))
        with pytest.raises(Exception):
            bad.recv(timeout=2)
        hub.publish("/genie/noteon", b"ok")
        assert good.recv(timeout=2) == b"ok"


def test_a_client_that_never_reads_is_dropped_and_others_keep_up(hub_port) -> None:
    hub, port = hub_port
    slow = socket.create_connection(("127.0.0.1", port))
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    assert b" 101 " in slow.recv(4096)
    # A LISTEN frame, masked as a client's must be (mask of zeros).
    command = json.dumps({"COMMAND": "LISTEN", "DATA": "/genie/noteon"}).encode()
    slow.sendall(bytes([0x81, 0x80 | len(command)]) + b"\0\0\0\0" + command)
    with connect(f"ws://127.0.0.1:{port}/") as good:
        listen(good, "/genie/noteon")
        wait_for_listeners(hub, 2, "/genie/noteon")
        payload = b"n" * 1000
        total = 3 * stream.MAX_QUEUE
        received: list[bytes] = []
        reader = threading.Thread(target=lambda: received.extend(good.recv(timeout=10) for _ in range(total)))
        reader.start()
        for n in range(total):  # 2,000 notes a second: far more than a player makes, far less than a burst
            hub.publish("/genie/noteon", payload)
            time.sleep(0.0005)
        reader.join(timeout=20)
        assert len(received) == total, f"the reading client got {len(received)} of {total}"
        deadline = time.monotonic() + 10
        while hub.stats.clients > 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert hub.stats.clients == 1 and hub.stats.dropped_slow >= 1, hub.stats
    slow.close()


def test_clients_beyond_the_limit_are_refused(hub_port, monkeypatch) -> None:
    hub, port = hub_port
    monkeypatch.setattr(stream, "MAX_CLIENTS", 2)
    with connect(f"ws://127.0.0.1:{port}/"), connect(f"ws://127.0.0.1:{port}/"):
        with pytest.raises(Exception):
            with connect(f"ws://127.0.0.1:{port}/", open_timeout=2):
                pass
    assert hub.stats.refused == 1
