"""The bridge's OSC reading and writing agree with python-osc, the reference implementation, byte for byte."""

from __future__ import annotations

import math
import random

import pytest
from pythonosc import osc_message
from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message_builder import OscMessageBuilder

from pianogenie.bridge.osc.send import Encoder, bundle
from pianogenie.bridge.osc.wire import MalformedPacket, parse_datagram


def _built(address, values):
    builder = OscMessageBuilder(address)
    for value in values:
        builder.add_arg(value)
    return builder.build().dgram


def test_reading_matches_python_osc_on_random_messages():
    rng = random.Random(0)
    for _ in range(2000):
        address = "/genie/" + rng.choice(["press", "release", "7/press", "keys", "x"])
        values = []
        for _ in range(rng.randrange(0, 6)):
            kind = rng.random()
            if kind < 0.4:
                values.append(rng.randrange(-2**31, 2**31))
            elif kind < 0.8:
                values.append(rng.uniform(-1e6, 1e6))
            elif kind < 0.9:
                values.append("s" * rng.randrange(0, 9))
            else:
                values.append(rng.choice([True, False]))
        data = _built(address, values)
        reference = osc_message.OscMessage(data)
        (got,), is_bundle = parse_datagram(data)
        assert not is_bundle
        assert got[0] == reference.address
        assert got[1] == reference.params or all(
            (isinstance(a, float) and math.isnan(a) and math.isnan(b)) or a == b for a, b in zip(got[1], reference.params))


def test_writing_is_read_back_by_python_osc():
    encoder = Encoder()
    assert osc_message.OscMessage(encoder.ints("/genie/noteon", 60, 100, 3)).params == [60, 100, 3]
    assert osc_message.OscMessage(encoder.ints("/vkb_midi/1/note/60", 0)).address == "/vkb_midi/1/note/60"
    message = osc_message.OscMessage(encoder.message("/genie/status", "presses", 5, "p50", 1.5, "ok", True))
    assert message.params == ["presses", 5, "p50", 1.5, "ok", True]
    assert encoder.message("/genie/noteon", 60, 100, 3) == _built("/genie/noteon", [60, 100, 3])
    assert encoder.message("/genie/error", "bad: x") == _built("/genie/error", ["bad: x"])


def test_bundles_keep_packing_order_not_timetag_order():
    e = Encoder()
    inner = OscBundleBuilder(10)
    inner.add_content(OscMessageBuilder("/genie/press").build())
    late = OscBundleBuilder(4_000_000_000 - 2_208_988_800)  # far in the future (seconds since 1970)
    late.add_content(OscMessageBuilder("/genie/reset").build())
    outer = OscBundleBuilder(IMMEDIATELY)
    outer.add_content(late.build())
    outer.add_content(inner.build())
    msgs, is_bundle = parse_datagram(outer.build().dgram)
    assert is_bundle and [m[0] for m in msgs] == ["/genie/reset", "/genie/press"]
    ours = bundle(e.ints("/genie/press", 1), bundle(e.ints("/genie/press", 2)), e.ints("/genie/press", 3))
    assert [m[1][0] for m in parse_datagram(ours)[0]] == [1, 2, 3]


@pytest.mark.parametrize("data", [
    b"", b"x", b"/ab", b"/genie/press\x00\x00\x00\x00,i\x00\x00", b"#bundle\x00", b"#bundle\x00" + b"\x00" * 8 + b"\x00\x00\x00\x09",
    bundle(b"/bad"), bundle(b"garbage!"), b"\xff" * 16, b"/genie/press\x00\x00\x00\x00,s\x00\x00\xff\xfe\x00\x00",
])
def test_malformed_datagrams_raise_one_error_type(data):
    with pytest.raises(MalformedPacket):
        parse_datagram(data)


def test_deeply_nested_bundles_are_refused():
    data = Encoder().ints("/genie/press", 1)
    for _ in range(20):
        data = bundle(data)
    with pytest.raises(MalformedPacket):
        parse_datagram(data)


def test_fuzzed_datagrams_never_escape_the_transport(random_model_dir):
    """Random bytes, mutated valid packets and random messages on random addresses: nothing raises out of the
    receive path, every datagram is counted, and every note-on still gets its note-off."""
    from pianogenie.bridge.core import Bridge
    from pianogenie.bridge.osc.transport import OscTransport
    from pianogenie.engine import PianoGenie

    class Pairs:
        def __init__(self):
            self.on = set()

        def note_on(self, performer, pitch, velocity, button, time, sender):
            assert (performer, pitch) not in self.on
            self.on.add((performer, pitch))

        def note_off(self, performer, pitch, button, time, sender):
            self.on.remove((performer, pitch))

    bridge = Bridge(PianoGenie.load(random_model_dir), seed=0)
    pairs = Pairs()
    bridge.sinks.append(pairs)
    transport = OscTransport(bridge, port=0, reply_to=())
    rng = random.Random(1)
    e = Encoder()
    verbs = ["press", "release", "pedal", "reset", "panic", "temperature", "keys", "range", "status", "nope"]
    valid = [e.ints("/genie/press", 3), e.message("/genie/temperature", 0.5), e.ints("/genie/range", 40, 80),
             bundle(e.ints("/genie/2/press", 1), e.ints("/genie/2/release", 1))]
    values = [0, 1, 7, 8, -1, 64, 127, 200, 2**31 - 1, 0.0, 0.5, 1.0, 3.0, float("nan"), float("inf"), "x", True]
    n = 6000
    try:
        for i in range(n):
            kind = i % 3
            if kind == 0:
                data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 64)))
            elif kind == 1:
                data = bytearray(rng.choice(valid))
                for _ in range(rng.randrange(1, 4)):
                    data[rng.randrange(len(data))] = rng.randrange(256)
                data = bytes(data[:rng.randrange(len(data) + 1)]) if rng.random() < 0.3 else bytes(data)
            else:
                prefix = "/genie" if rng.random() < 0.5 else f"/genie/{rng.randrange(70)}"
                args = [rng.choice(values) for _ in range(rng.randrange(0, 4))]
                data = e.message(f"{prefix}/{rng.choice(verbs)}", *args)
            transport.receive(data, None, i * 0.01)
        c = bridge.counters
        assert c.packets == n
        assert c.presses == c.notes_on and c.notes_on >= c.notes_off
        # Every path was exercised (strict OSC 1.0 rejects most mutated packets, so fewer presses get through).
        assert c.presses > 50 and c.malformed > 1000 and c.errors > c.malformed, c
        bridge.shutdown()
        assert not pairs.on, "every note-on got its note-off"
        assert bridge.counters.notes_on == bridge.counters.notes_off
    finally:
        transport.close()
