"""The bridge's dispatcher and performers, driven directly: every note-on gets exactly one note-off, bad input
changes nothing, performers are independent."""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest

from pianogenie.bridge import protocol as p
from pianogenie.bridge.core import Bridge
from pianogenie.bridge.handlers import ROUTES
from pianogenie.bridge.osc.oscquery import Namespace
from pianogenie.bridge.routes import Route, docs_problems
from pianogenie.bridge.schema import Int
from pianogenie.bridge.protocol import ProtocolError
from pianogenie.engine import PianoGenie
from tests.conftest import REPO, Log


@pytest.fixture(scope="module")
def genie(random_model_dir):
    return PianoGenie.load(random_model_dir)


@pytest.fixture
def bridge(genie):
    b = Bridge(genie, seed=0, idle_timeout=5.0)
    b.log = Log()
    b.sinks.append(b.log)
    return b


def _resolved(address: str) -> tuple[str, int]:
    route, number = ROUTES.resolve(address)
    return number, route.verb


def test_resolve_address():
    assert _resolved("/genie/press") == (0, "press")
    assert _resolved("/genie/0/press") == (0, "press")
    assert _resolved("/genie/12/temperature") == (12, "temperature")
    assert _resolved("/genie/model") == (0, "model")
    for bad in ["/genie", "/genie/", "/genie/jump", "/genie/64/press", "/genie/x/press", "/other/press", "/genie/1/2/press",
                "/genie/2/model", ""]:
        with pytest.raises(ProtocolError):
            ROUTES.resolve(bad)
    with pytest.raises(ProtocolError, match="performer must be 0..63, got 64"):
        ROUTES.resolve("/genie/64/press")
    assert p.output_address(p.OUT_NOTEON, 0) == "/genie/noteon"
    assert p.output_address(p.OUT_NOTEON, 5) == "/genie/5/noteon"


def test_velocity_rules():
    assert p.velocity_from_osc(64) == 64
    assert p.velocity_from_osc(1.0) == 127
    assert p.velocity_from_osc(0.5) == 64
    assert p.velocity_from_osc(100.0) == 100
    for bad in [0, 128, -1, 0.0, math.nan, math.inf, 1.5, "loud", True]:
        with pytest.raises(ProtocolError):
            p.velocity_from_osc(bad)


def test_press_release_pairs(bridge):
    bridge.dispatch("/genie/press", [3], time=0.0)
    bridge.dispatch("/genie/press", [5, 0.5], time=0.1)
    assert len(bridge.log.sounding()) == 2
    on = [e for e in bridge.log.events if e[0] == "on"]
    assert on[0][3] == p.DEFAULT_VELOCITY and on[0][4] == 3
    assert on[1][3] == 64 and on[1][4] == 5
    bridge.dispatch("/genie/release", [3], time=0.2)
    bridge.dispatch("/genie/release", [5.0], time=0.3)  # Pd sends floats
    assert bridge.log.sounding() == set()
    assert bridge.counters.notes_on == bridge.counters.notes_off == 2


def test_repress_without_release_ends_the_previous_note(bridge):
    for i in range(20):
        bridge.dispatch("/genie/press", [2], time=i * 0.05)
        assert len(bridge.log.sounding()) == 1
    bridge.dispatch("/genie/release", [2], time=2.0)
    assert bridge.log.sounding() == set()


def test_pedal_holds_until_pedal_up(bridge):
    bridge.dispatch("/genie/pedal", [1], time=0.0)
    for i in range(6):
        bridge.dispatch("/genie/press", [i], time=0.1 * i)
        bridge.dispatch("/genie/release", [i], time=0.1 * i + 0.05)
    bridge.dispatch("/genie/press", [7], time=1.0)  # still held by its key at pedal-up
    assert bridge.counters.notes_off <= 6 and len(bridge.log.sounding()) >= 1
    bridge.dispatch("/genie/pedal", [0], time=1.5)
    assert len(bridge.log.sounding()) == 1, "only the key still held sounds after pedal-up"
    bridge.dispatch("/genie/release", [7], time=2.0)
    assert bridge.log.sounding() == set()


def test_reset_and_panic_turn_everything_off(bridge):
    bridge.dispatch("/genie/press", [1], time=0.0)
    bridge.dispatch("/genie/2/press", [1], time=0.0)
    bridge.dispatch("/genie/reset", [], time=0.1)
    assert bridge.log.sounding() == {(2, next(iter(bridge.log.sounding()))[1])}
    assert bridge.performers[0].session.last_key == 88, "reset puts the decoder back to its start token"
    bridge.dispatch("/genie/3/pedal", [1], time=0.2)
    bridge.dispatch("/genie/3/press", [4], time=0.2)
    bridge.dispatch("/genie/3/release", [4], time=0.3)
    bridge.dispatch("/genie/panic", [], time=0.4)
    assert bridge.log.sounding() == set()


def test_idle_timeout_turns_notes_off(bridge):
    bridge.dispatch("/genie/press", [1], time=100.0)
    bridge.dispatch("/genie/1/press", [1], time=103.0)
    assert bridge.sweep_idle(now=104.0) == 0
    assert bridge.sweep_idle(now=105.5) == 1  # performer 0 silent 5.5 s > 5 s
    assert bridge.log.sounding() == {(1, bridge.log.events[-2][2])} or len(bridge.log.sounding()) == 1
    assert bridge.sweep_idle(now=108.5) == 1
    assert bridge.log.sounding() == set()


def test_shutdown_turns_everything_off(bridge):
    for performer in range(4):
        bridge.dispatch(f"/genie/{performer}/pedal", [1], time=0.0)
        for button in range(8):
            bridge.dispatch(f"/genie/{performer}/press", [button], time=0.01 * button)
    assert len(bridge.log.sounding()) > 4
    bridge.shutdown()
    assert bridge.log.sounding() == set()


def test_one_pitch_sounds_once_per_performer(bridge):
    # Restricting to one key forces every press onto the same pitch: each strike ends the previous one.
    bridge.dispatch("/genie/keys", [60], time=0.0)
    for i in range(8):
        bridge.dispatch("/genie/press", [i], time=0.1 * i)
    assert {e[2] for e in bridge.log.events} == {60}
    assert len(bridge.log.sounding()) == 1
    for i in range(8):
        bridge.dispatch("/genie/release", [i], time=1.0)
    assert bridge.log.sounding() == set()


def test_keys_and_range_restrict_pitches(bridge):
    scale = [60, 62, 64, 65, 67, 69, 71]
    bridge.dispatch("/genie/keys", scale, time=0.0)
    bridge.dispatch("/genie/temperature", [1.0], time=0.0)
    for i in range(40):
        bridge.dispatch("/genie/press", [i % 8], time=0.05 * i)
    assert {e[2] for e in bridge.log.events if e[0] == "on"} <= set(scale)
    bridge.dispatch("/genie/range", [30, 40], time=3.0)
    for i in range(40):
        bridge.dispatch("/genie/press", [i % 8], time=3 + 0.05 * i)
    assert all(30 <= e[2] <= 40 for e in bridge.log.events[-40:] if e[0] == "on")
    bridge.dispatch("/genie/keys", [], time=6.0)
    assert bridge.performers[0].keys is None


@pytest.mark.parametrize("address,args", [
    ("/genie/press", []),
    ("/genie/press", [8]),
    ("/genie/press", [-1]),
    ("/genie/press", [2.5]),
    ("/genie/press", [math.nan]),
    ("/genie/press", ["three"]),
    ("/genie/press", [3, 0]),
    ("/genie/press", [3, 200]),
    ("/genie/press", [3, math.nan]),
    ("/genie/press", [3, 64, 1]),
    ("/genie/release", []),
    ("/genie/release", [11]),
    ("/genie/pedal", [2]),
    ("/genie/pedal", []),
    ("/genie/reset", [1]),
    ("/genie/temperature", [1.5]),
    ("/genie/temperature", [math.nan]),
    ("/genie/temperature", ["hot"]),
    ("/genie/keys", [20]),
    ("/genie/keys", [60, 109]),
    ("/genie/keys", [math.inf]),
    ("/genie/range", [70, 60]),
    ("/genie/range", [60]),
    ("/genie/status", [1]),
    ("/genie/99/press", [1]),
    ("/piano/press", [1]),
])
def test_bad_input_is_rejected_and_changes_nothing(bridge, address, args):
    bridge.dispatch("/genie/press", [1], time=0.0)
    before = (bridge.performers[0].session.last_key, dict(bridge.performers[0].sounding),
              bridge.performers[0].temperature, bridge.performers[0].keys, len(bridge.log.events))
    assert bridge.handle(address, args, time=0.5) is False
    after = (bridge.performers[0].session.last_key, dict(bridge.performers[0].sounding),
             bridge.performers[0].temperature, bridge.performers[0].keys, len(bridge.log.events))
    assert before == after
    assert bridge.counters.errors == 1
    with pytest.raises(ProtocolError):
        bridge.dispatch(address, args, time=0.6)


def test_performers_are_independent(genie):
    # The same presses give performer 0 the same notes whether or not performer 1 plays in between.
    def play(with_other: bool):
        b = Bridge(genie, seed=7)
        log = Log()
        b.sinks.append(log)
        for i in range(30):
            b.dispatch("/genie/press", [i % 8], time=0.1 * i)
            if with_other:
                b.dispatch("/genie/1/temperature", [1.0], time=0.1 * i)
                b.dispatch("/genie/1/press", [(3 * i) % 8], time=0.1 * i + 0.01)
        return [e[2] for e in log.events if e[0] == "on" and e[1] == 0]

    assert play(False) == play(True)


def test_status_fields_and_counters(bridge):
    for i in range(10):
        bridge.dispatch("/genie/press", [i % 8], time=0.1 * i)
        bridge.dispatch("/genie/release", [i % 8], time=0.1 * i + 0.05)
    bridge.handle("/genie/press", [9], time=2.0)
    status = bridge.status()
    assert tuple(status) == p.STATUS_FIELDS
    assert status["presses"] == 10 and status["releases"] == 10
    assert status["notes_on"] == status["notes_off"] == 10
    assert status["messages"] == 21 and status["errors"] == 1  # the rejected press is a message too
    assert status["latency_p50_us"] > 0 and status["latency_p99_us"] >= status["latency_p50_us"]
    counts = Counter(e[0] for e in bridge.log.events)
    assert counts["on"] == counts["off"] == 10


def test_a_failing_output_does_not_stop_the_others(bridge):
    class Broken:
        def note_on(self, *args):
            raise OSError("port gone")

        def note_off(self, *args):
            raise BrokenPipeError("closed")

    bridge.sinks.insert(0, Broken())
    assert bridge.handle("/genie/press", [2], time=0.0) is True
    assert bridge.handle("/genie/release", [2], time=0.1) is True
    assert [e[0] for e in bridge.log.events] == ["on", "off"], "the sink after the broken one still got both"
    assert bridge.counters.send_errors == 2 and bridge.counters.errors == 0


def test_verb_without_handler_is_a_protocol_error(genie):
    # A route declared without a handler (this server does not serve it) is the peer's mistake: answered with
    # /genie/error and counted as a rejection, never an internal error.
    table = ROUTES.copy()
    table.add(Route("hum", (), None, "hum"))
    bridge = Bridge(genie, seed=0, routes=table)
    with pytest.raises(ProtocolError, match="not supported"):
        bridge.dispatch("/genie/hum", [])
    assert bridge.handle("/genie/3/hum", []) is False
    assert bridge.counters.errors == 1 and bridge.counters.internal_errors == 0
    assert bridge.performers == {}
    assert "hum" not in ROUTES.addresses() and "/genie/hum" not in ROUTES.addresses(), "the copy left ROUTES alone"


@pytest.mark.parametrize("address, args, reason", [
    ("/genie/press", [9], "/genie/press: button must be 0..7, got 9"),
    ("/genie/press", [], "/genie/press: expected button [velocity], got 0 arguments"),
    ("/genie/press", [3, 0], "/genie/press: velocity must be a float in (0, 1] or an int 1..127, got 0"),
    ("/genie/release", ["x"], "/genie/release: button must be a number, got str 'x'"),
    ("/genie/pedal", [2], "/genie/pedal: down must be 0 or 1, got 2"),
    ("/genie/reset", [1], "/genie/reset: takes no arguments, got 1"),
    ("/genie/temperature", [True], "/genie/temperature: temperature must be a number in [0, 1], got bool True"),
    ("/genie/temperature", [1.5], "/genie/temperature: temperature must be in [0, 1], got 1.5"),
    ("/genie/keys", [60, 109], "/genie/keys: pitch must be a MIDI pitch 21..108, got 109"),
    ("/genie/range", [70, 60], "/genie/range: low 70 is above high 60"),
    ("/genie/model", ["jazz"], "/genie/model: no models to switch to (start the bridge with --models DIR)"),
    ("/genie/model", [3], "/genie/model: name must be a string, got int 3"),
])
def test_each_rejection_says_the_address_and_why(bridge, address, args, reason):
    with pytest.raises(ProtocolError) as raised:
        bridge.dispatch(address, args, time=0.0)
    assert str(raised.value) == reason


def test_a_model_request_refused_counts_in_model_errors(bridge):
    for args in (["jazz"], [3], []):
        assert bridge.handle("/genie/model", args) is False
    assert bridge.counters.model_errors == 3 and bridge.counters.errors == 3


def test_a_new_address_is_one_declaration_and_its_handler(genie):
    """The extension point: an address declared once, with its handler, is validated, dispatched, described by
    OSCQuery, and flagged by the docs check until docs/osc.md's table has its row."""
    table = ROUTES.copy()
    hums: dict[int, int] = {}

    @table.route("hum", Int("level", 0, 3), playing=True, value=lambda host, number: [hums.get(number, 0)],
                 doc="hum at a level")
    def hum(host, number, address, values, time, sender):
        hums[number] = values[0]

    bridge = Bridge(genie, seed=0, routes=table)
    with pytest.raises(ProtocolError, match=r"^/genie/4/hum: level must be 0\.\.3, got 9$"):
        bridge.dispatch("/genie/4/hum", [9])
    assert bridge.handle("/genie/4/hum", ["loud"]) is False and bridge.handle("/genie/4/hum", []) is False
    assert hums == {} and bridge.counters.errors == 2
    assert bridge.handle("/genie/4/hum", [2.0], time=1.0) is True  # Pd's float, as for every int argument
    assert hums == {4: 2} and bridge.handle("/genie/hum", [1]) is True and hums == {4: 2, 0: 1}
    assert "/genie/hum" not in ROUTES.addresses(), "the table it was copied from is unchanged"

    namespace = Namespace(bridge)
    assert json.loads(namespace.answer("/genie/4/hum", "")) == {
        "FULL_PATH": "/genie/4/hum", "ACCESS": 3, "DESCRIPTION": "hum at a level", "TYPE": "i",
        "RANGE": [{"MIN": 0, "MAX": 3}], "VALUE": [2]}
    assert "hum" in json.loads(namespace.answer("/genie", ""))["CONTENTS"]
    assert json.loads(namespace.answer("/genie/hum", "VALUE")) == {"VALUE": [1]}

    docs = (REPO / "docs" / "osc.md").read_text(encoding="utf-8")
    row = "| `/genie/hum` | `i:level` 0..3 | hum at a level |"
    assert docs_problems(table, docs) == [f"/genie/hum: declared but not in docs/osc.md's input table; its row: {row}"]
    last_address = [route.address for route in ROUTES][-1]  # the new row goes after the table's last
    last = next(line for line in docs.splitlines() if line.startswith(f"| `{last_address}` |"))
    assert docs_problems(table, docs.replace(last, last + "\n" + row)) == []
