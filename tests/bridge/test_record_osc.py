"""Takes started and stopped over OSC (/genie/record/start [s:path], /genie/record/stop) on a real `pianogenie serve`
driven over real UDP: each stop writes the take it replies about, no take is written over another, bad requests are
one /genie/error each and the server lives, and a take still recording at exit is written. The Link case (the take
starts on the next quantum boundary) is tests/record_link_probe.py, run by tests/bridge/test_link.py."""

from __future__ import annotations

import json
from pathlib import Path

from pianogenie.bridge import protocol as p
from pianogenie.bridge.osc.client import OscClient
from pianogenie.engine.takes import Take
from tests.serve_helpers import free_udp_port, running_serve


def _answer(client: OscClient, address: str, timeout: float = 5.0) -> tuple[str, list]:
    """The reply on `address` or the /genie/error that came instead: (which, its values)."""
    message, _ = client.wait_for(lambda m: m[0] in (address, p.OUT_ERROR), timeout)
    assert message is not None, f"no {address} nor {p.OUT_ERROR} within {timeout} s"
    return message[0], message[1]


def _play(client: OscClient, buttons: list[int]) -> None:
    for button in buttons:
        client.send(p.IN_PRESS, button, 90)
        client.wait_for(lambda m: m[0] == p.OUT_NOTEON, 2.0)
        client.send(p.IN_RELEASE, button)
        client.wait_for(lambda m: m[0] == p.OUT_NOTEOFF, 2.0)


def test_takes_start_and_stop_over_osc_and_none_is_written_over(random_model_dir, tmp_path: Path) -> None:
    take = tmp_path / "take.json"
    with running_serve(["--model", str(random_model_dir), "--record", str(take)], free_udp_port()) as (port, proc):
        client = OscClient(("127.0.0.1", port))
        try:
            assert client.status()["recording"] == 2  # --record's take runs from the start
            _play(client, [1, 2])
            client.send(p.IN_RECORD_START)  # a second start while --record's take runs: refused, not cut
            kind, values = _answer(client, p.OUT_RECORD_START)
            assert kind == p.OUT_ERROR and "already recording take.json" in values[0], values
            client.send(p.IN_RECORD_STOP)
            kind, values = _answer(client, p.OUT_RECORD_STOP)
            assert (kind, values[0], values[1]) == (p.OUT_RECORD_STOP, "take.json", 2), values
            first = take.read_bytes()
            assert len(Take.load(take).notes()) == 2 and values[2] > 0
            assert client.status()["recording"] == 0
            _play(client, [3])  # between takes: in neither

            client.send(p.IN_RECORD_START)  # the --record path again: a numbered take beside it, never over it
            kind, values = _answer(client, p.OUT_RECORD_START)
            assert (kind, values) == (p.OUT_RECORD_START, ["take-2.json", 0.0]), values
            assert client.status()["recording"] == 2
            _play(client, [4, 5, 6])
            client.send(p.IN_RECORD_STOP)
            kind, values = _answer(client, p.OUT_RECORD_STOP)
            assert (kind, values[:2]) == (p.OUT_RECORD_STOP, ["take-2.json", 3]), values
            second = Take.load(tmp_path / "take-2.json")
            assert [n.button for n in second.notes()] == [4, 5, 6] and take.read_bytes() == first
            assert second.events[0].time < 0.5  # its time 0 is its start, not the server's

            client.send(p.IN_RECORD_STOP)
            kind, values = _answer(client, p.OUT_RECORD_STOP)
            assert kind == p.OUT_ERROR and "no take is recording" in values[0], values

            client.send(p.IN_RECORD_START, "last.json")  # still recording when the server stops
            assert _answer(client, p.OUT_RECORD_START) == (p.OUT_RECORD_START, ["last.json", 0.0])
            _play(client, [7])
        finally:
            client.close()
    assert [n.button for n in Take.load(tmp_path / "last.json").notes()] == [7]
    assert not list(tmp_path.glob("*.journal")) and not list(tmp_path.glob("*.tmp"))


def test_bad_record_requests_are_one_error_each_and_the_server_lives(random_model_dir, tmp_path: Path) -> None:
    take = tmp_path / "take.json"
    bad = [
        ((3,), "path must be a string"),
        (("a.json", "b.json"), "expected [path]"),
        (("/tmp/evil.json",), "path must be relative"),
        (("../evil.json",), "without '..'"),
        (("take.txt",), "must end in .json"),
        (("",), "path must be relative"),
        (("nofolder/a.json",), "cannot write there"),
    ]
    with running_serve(["--model", str(random_model_dir), "--record", str(take)], free_udp_port()) as (port, _):
        client = OscClient(("127.0.0.1", port))
        try:
            client.send(p.IN_RECORD_STOP)
            assert _answer(client, p.OUT_RECORD_STOP)[0] == p.OUT_RECORD_STOP  # --record's take, written
            for values, words in bad:
                client.send(p.IN_RECORD_START, *values)
                kind, answer = _answer(client, p.OUT_RECORD_START)
                assert kind == p.OUT_ERROR and words in answer[0], (values, answer)
                assert str(tmp_path) not in answer[0]  # where the server keeps its files is not said
            status = client.status()
            assert status["recording"] == 0 and status["errors"] == len(bad), status
            client.send(p.IN_RECORD_START, "sub.json")  # and a good one still starts
            assert _answer(client, p.OUT_RECORD_START) == (p.OUT_RECORD_START, ["sub.json", 0.0])
            client.send(p.IN_RECORD_STOP)
            assert _answer(client, p.OUT_RECORD_STOP)[1][:2] == ["sub.json", 0]
        finally:
            client.close()
    assert not (tmp_path.parent / "evil.json").exists() and not Path("/tmp/evil.json").exists()
    assert json.loads((tmp_path / "sub.json").read_text())["notes"] == []


def test_without_record_a_bare_start_says_what_is_missing(random_model_dir, tmp_path: Path) -> None:
    with running_serve(["--model", str(random_model_dir)], free_udp_port()) as (port, _):
        client = OscClient(("127.0.0.1", port))
        try:
            client.send(p.IN_RECORD_START)
            kind, values = _answer(client, p.OUT_RECORD_START)
            assert kind == p.OUT_ERROR and "no take path" in values[0] and "--record" in values[0], values
            assert client.status()["recording"] == 0
        finally:
            client.close()


def test_a_flood_of_starts_makes_a_bounded_number_of_takes(random_model_dir, tmp_path: Path) -> None:
    """200 start/stop pairs at once: a burst of takes is written, the rest refused in one /genie/error each (no disk
    filled with empty takes), and the server answers a press at once after."""
    with running_serve(["--model", str(random_model_dir), "--record", str(tmp_path / "take.json")],
                       free_udp_port()) as (port, _):
        client = OscClient(("127.0.0.1", port))
        try:
            client.send(p.IN_RECORD_STOP)
            assert _answer(client, p.OUT_RECORD_STOP)[0] == p.OUT_RECORD_STOP
            for n in range(200):
                client.send(p.IN_RECORD_START, f"flood{n}.json")
                client.send(p.IN_RECORD_STOP)
            replies = client.drain(quiet=0.5)
            refused = [m for m in replies if m[0] == p.OUT_ERROR and "too many takes started" in m[1][0]]
            written = [m for m in replies if m[0] == p.OUT_RECORD_STOP]
            assert 8 <= len(written) <= 12 and len(refused) == 200 - len(written), (len(written), len(refused))
            _play(client, [3])
            assert client.status()["recording"] == 0
        finally:
            client.close()
    assert len(list(tmp_path.glob("flood*.json"))) == len(written)
