"""OSCQuery LISTEN against a real `pianogenie serve` (issue 20): a real websocket client (the `websockets`
library's) on the OSCQuery port gets every note the UDP peer gets, as the same datagrams in the same order, soon
after; a model swap says PATH_CHANGED; 50 listening clients that never read cost another performer little."""

from __future__ import annotations

import contextlib
import json
import socket
import statistics
import threading
import time

import pytest

pytest.importorskip("websockets")
from websockets.sync.client import connect  # noqa: E402

from pianogenie.bridge import protocol as p  # noqa: E402
from pianogenie.bridge.osc.send import Encoder  # noqa: E402
from tests.attack_helpers import press_round_trips, within_bound  # noqa: E402
from tests.bridge.test_bridge_oscquery import server  # noqa: E402,F401 - the fixture


@pytest.fixture(scope="module")
def serving(server):
    """test_bridge_oscquery's bridge with two models (alpha, beta): (osc port, http port)."""
    return server


def subscribe(ws, *paths: str) -> None:
    for path in paths:
        ws.send(json.dumps({"COMMAND": "LISTEN", "DATA": path}))
    time.sleep(0.2)  # the commands are taken before the first note


def test_a_listener_gets_every_note_as_the_udp_peer_does(serving) -> None:
    port, http = serving
    encoder = Encoder()
    peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    peer.bind(("127.0.0.1", 0))
    peer.settimeout(2)
    over_udp: list[tuple[float, bytes]] = []
    over_ws: list[tuple[float, bytes]] = []
    with connect(f"ws://127.0.0.1:{http}/") as ws:
        subscribe(ws, p.output_address(p.OUT_NOTEON, 0), p.output_address(p.OUT_NOTEOFF, 0))
        stop = threading.Event()

        def reading() -> None:
            while not stop.is_set():
                try:
                    message = ws.recv(timeout=0.2)
                except TimeoutError:
                    continue
                over_ws.append((time.perf_counter(), message))

        reader = threading.Thread(target=reading)
        reader.start()
        for n in range(50):
            for data in (encoder.ints(p.IN_PRESS, n % 8, 90), encoder.ints(p.IN_RELEASE, n % 8)):
                peer.sendto(data, ("127.0.0.1", port))
                reply, _ = peer.recvfrom(65536)
                over_udp.append((time.perf_counter(), reply))
            time.sleep(0.005)
        deadline = time.monotonic() + 5
        while len(over_ws) < len(over_udp) and time.monotonic() < deadline:
            time.sleep(0.01)
        stop.set()
        reader.join()
    peer.close()
    assert [data for _t, data in over_ws] == [data for _t, data in over_udp]
    lags = [(w - u) * 1000 for (u, _), (w, _) in zip(over_udp, over_ws)]
    print(f"\nwebsocket after UDP: median {statistics.median(lags):.3f} ms, max {max(lags):.3f} ms")
    assert statistics.median(lags) < 2.0, lags


def test_a_model_swap_reaches_listeners_with_path_changed(serving) -> None:
    port, http = serving
    with connect(f"ws://127.0.0.1:{http}/") as ws:
        subscribe(ws, p.OUT_MODEL)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.sendto(Encoder().message(p.IN_MODEL, "beta"), ("127.0.0.1", port))
        got = [ws.recv(timeout=10), ws.recv(timeout=10)]
        sock.sendto(Encoder().message(p.IN_MODEL, "alpha"), ("127.0.0.1", port))
        got += [ws.recv(timeout=10), ws.recv(timeout=10)]
        sock.close()
    assert got[0] == Encoder().message(p.OUT_MODEL, "beta")
    assert json.loads(got[1]) == {"COMMAND": "PATH_CHANGED", "DATA": p.PREFIX}
    assert got[2] == Encoder().message(p.OUT_MODEL, "alpha")


def test_bad_commands_are_answered_and_serve_lives(serving) -> None:
    port, http = serving
    with connect(f"ws://127.0.0.1:{http}/") as ws:
        ws.send("{nope")
        assert json.loads(ws.recv(timeout=5))["COMMAND"] == "ERROR"
        ws.send(json.dumps({"COMMAND": "LISTEN", "DATA": "/genie/0/noteon"}))  # performer 0 has no /0/ outputs
        assert "no such path" in json.loads(ws.recv(timeout=5))["DATA"]
    assert press_round_trips(port, count=5).lost == 0  # serve lives


def test_fifty_listeners_that_never_read_cost_another_performer_little(serving) -> None:
    port, http = serving
    press_round_trips(port, count=20)
    baseline = press_round_trips(port, count=150)
    performer = p.output_address(p.OUT_NOTEON, 5)
    with contextlib.ExitStack() as stack:
        for _ in range(50):  # each reads nothing after this
            ws = stack.enter_context(connect(f"ws://127.0.0.1:{http}/", max_queue=1))
            ws.send(json.dumps({"COMMAND": "LISTEN", "DATA": performer}))
        time.sleep(0.5)
        listened = press_round_trips(port, count=200)
    print(f"\n50 listeners: baseline {baseline.describe()}; listened {listened.describe()}")
    assert within_bound(listened, baseline), (baseline.describe(), listened.describe())


def test_a_command_flood_is_closed_and_counted_and_others_play_on(serving) -> None:
    """One client sends 2,000 LISTEN/IGNORE commands as fast as it can: it is closed (1008) once past its budget,
    the status counts it, and a listener beside it still gets its notes and a performer its replies."""
    from pianogenie.bridge.osc.client import OscClient

    port, http = serving
    client = OscClient(("127.0.0.1", port))
    status_of = lambda _port: client.status()  # noqa: E731
    before = status_of(port)
    with connect(f"ws://127.0.0.1:{http}/") as listener, connect(f"ws://127.0.0.1:{http}/") as flood:
        subscribe(listener, p.OUT_NOTEON)
        closed = None
        try:
            for n in range(2000):
                flood.send(json.dumps({"COMMAND": "LISTEN" if n % 2 else "IGNORE", "DATA": p.OUT_NOTEON}))
            flood.recv(timeout=5)
        except Exception as exc:  # the server's close frame ends the client's send or receive
            closed = exc
        # 1008 when the close frame is read; 1006 when the flood's own unread frames made the kernel reset the
        # connection first
        assert closed is not None and flood.close_code in (1008, 1006), (closed, flood.close_code)
        assert press_round_trips(port, count=5).lost == 0
        client.send(p.IN_PRESS, 3, 100)
        assert listener.recv(timeout=5)  # the listener still gets performer 0's notes
        client.send(p.IN_RELEASE, 3)
    after = status_of(port)
    assert after["ws_dropped"] == before["ws_dropped"] + 1, (before, after)
    client.close()
    assert after["ws_clients"] >= 0 and after["ws_refused"] >= 0 and after["ws_bad_frames"] >= before["ws_bad_frames"]
