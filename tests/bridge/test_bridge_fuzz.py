"""Fuzzing the receive path against an oracle of its own: an independent, deliberately plain reading of OSC 1.0
and of docs/osc.md's press rules, written without looking at bridge/osc/wire.py's code paths.

Each datagram goes through the transport exactly as the receive loop takes it (`OscTransport.receive`). Per
datagram: it is malformed exactly when the oracle says so, it counts as many messages as the oracle reads, and it
plays exactly as many notes as it holds presses the docs accept; nothing raises or counts as an internal error;
at the end the counters add up and no note is left on. CI sends 20,000 datagrams; set PIANOGENIE_FUZZ_DATAGRAMS
for a longer run (docs/benchmarks.md records a 1,000,000-datagram one)."""

from __future__ import annotations

import math
import os
import random
import struct
import time

import pytest

from pianogenie.bridge.core import Bridge
from pianogenie.bridge.osc.transport import OscTransport
from pianogenie.engine import PianoGenie
from tests.conftest import Log

DATAGRAMS = int(os.environ.get("PIANOGENIE_FUZZ_DATAGRAMS", "20000"))


class Bad(Exception):
    """Not OSC 1.0."""


# --- the oracle: OSC 1.0 ----------------------------------------------------------------------------------------

SIZES = {"i": 4, "f": 4, "c": 4, "r": 4, "m": 4, "h": 8, "d": 8, "t": 8}
NO_DATA = "TFNI"


def o_string(data: bytes, at: int) -> tuple[bytes, int]:
    n = at
    while n < len(data) and data[n] != 0:
        n += 1
    if n == len(data):
        raise Bad("unterminated string")
    end = n + 1
    while end % 4:
        end += 1
    if end > len(data) or any(data[n:end]):
        raise Bad("bad string padding")
    return data[at:n], end


def o_message(data: bytes) -> tuple[str, list]:
    if len(data) % 4 or not data[:1] == b"/":
        raise Bad("not a message")
    address, at = o_string(data, 0)
    if any(b < 0x21 or b > 0x7e for b in address):
        raise Bad("address not printable ASCII")
    if at == len(data):
        return address.decode(), []
    tags, at = o_string(data, at)
    if tags[:1] != b",":
        raise Bad("no comma")
    out: list = []
    nest: list = []
    for t in tags[1:].decode("latin-1"):
        if t in SIZES:
            raw = data[at:at + SIZES[t]]
            if len(raw) < SIZES[t]:
                raise Bad("short argument")
            at += SIZES[t]
            value = {"i": lambda: struct.unpack(">i", raw)[0], "h": lambda: struct.unpack(">q", raw)[0],
                     "f": lambda: struct.unpack(">f", raw)[0], "d": lambda: struct.unpack(">d", raw)[0]}.get(t)
            out.append(("num", value()) if value else ("other", t))
        elif t in NO_DATA:
            out.append(("bool", t == "T") if t in "TF" else ("other", t))
        elif t in "sS":
            raw, at = o_string(data, at)
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                raise Bad("string not utf-8") from None
            out.append(("other", "s"))
        elif t == "b":
            if at + 4 > len(data):
                raise Bad("short blob size")
            size = struct.unpack(">i", data[at:at + 4])[0]
            padded = size + (-size % 4)
            if size < 0 or at + 4 + padded > len(data) or any(data[at + 4 + size:at + 4 + padded]):
                raise Bad("bad blob")
            at += 4 + padded
            out.append(("other", "b"))
        elif t == "[":
            if len(nest) == 8:
                raise Bad("arrays too deep")
            nest.append(out)
            out = []
        elif t == "]":
            if not nest:
                raise Bad("unbalanced ]")
            inner = out
            out = nest.pop()
            out.append(("other", inner))
        else:
            raise Bad(f"unknown tag {t!r}")
    if nest or at != len(data):
        raise Bad("unbalanced [ or trailing bytes")
    return address.decode(), out


def o_datagram(data: bytes, depth: int = 1) -> list[tuple[str, list]]:
    if data[:8] != b"#bundle\x00":
        return [o_message(data)]
    if depth > 8 or len(data) < 16 or len(data) % 4:
        raise Bad("bad bundle")
    at, out = 16, []
    while at < len(data):
        if at + 4 > len(data):
            raise Bad("bundle element size")
        size = struct.unpack(">i", data[at:at + 4])[0]
        at += 4
        if size <= 0 or size % 4 or at + size > len(data):
            raise Bad("bundle element size")
        out += o_datagram(data[at:at + size], depth + 1)
        at += size
    return out


# --- the oracle: docs/osc.md's press -----------------------------------------------------------------------------

PRESS_ADDRESSES = {"/genie/press"} | {f"/genie/{n}/press" for n in range(64)}


def o_whole(arg) -> int | None:
    kind, value = arg
    if kind != "num":
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            return None
        return int(value)
    return value


def o_is_press(address: str, args: list) -> bool:
    if address not in PRESS_ADDRESSES or not 1 <= len(args) <= 2:
        return False
    button = o_whole(args[0])
    if button is None or not 0 <= button <= 7:
        return False
    if len(args) == 2:
        kind, velocity = args[1]
        if kind != "num" or not math.isfinite(velocity):
            return False
        if isinstance(velocity, float) and 0.0 < velocity <= 1.0:
            return True
        whole = o_whole(args[1])
        return whole is not None and 1 <= whole <= 127
    return True


# --- datagrams -------------------------------------------------------------------------------------------------


def pad(raw: bytes) -> bytes:
    raw += b"\x00"
    return raw + b"\x00" * (-len(raw) % 4)


def random_message(rng: random.Random) -> bytes:
    verb = rng.choice(["press"] * 6 + ["release"] * 3 + ["pedal", "keys", "range", "temperature", "reset", "status",
                                                         "panic", "x"])
    who = rng.choice(["", "", "/0", "/3", "/63", "/64", "/07", "/-1"])
    address = rng.choice([f"/genie{who}/{verb}"] * 20 + [f"/genie{who}/{verb}\n", f"/genie/\u0663/{verb}", "/genie", "/"])
    tags, body = "", b""
    for _ in range(rng.choice([0, 1, 1, 1, 2, 2, 3])):
        t = rng.choice("iiiiffffhdTFNIcrmtsbS[]?x,")
        tags += t
        if t == "i":
            body += struct.pack(">i", rng.choice([0, 1, 3, 7, 8, -1, 64, 100, 127, 128, 2 ** 31 - 1]))
        elif t == "h":
            body += struct.pack(">q", rng.choice([0, 5, 2 ** 40]))
        elif t == "f":
            body += struct.pack(">f", rng.choice([0.0, 0.5, 1.0, 2.0, 3.0, 7.0, 7.5, 64.0, math.nan, math.inf, -0.0]))
        elif t == "d":
            body += struct.pack(">d", rng.choice([1.0, 0.25, 4.0]))
        elif t in "crm":
            body += struct.pack(">I", rng.randrange(2 ** 32))
        elif t == "t":
            body += struct.pack(">Q", 1)
        elif t in "sS":
            body += pad(rng.choice([b"", b"abc", b"\xff\xfe"]))
        elif t == "b":
            blob = bytes(rng.randrange(256) for _ in range(rng.randrange(6)))
            body += struct.pack(">i", len(blob)) + pad(blob)[:len(blob) + (-len(blob) % 4)]
    raw_address = address.encode("utf-8")
    data = pad(raw_address) + (pad(("," + tags).encode()) if tags or rng.random() < 0.95 else b"") + body
    return data


def mutate(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randrange(1, 4)):
        choice = rng.random()
        if choice < 0.5 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice < 0.7:
            data = data[:rng.randrange(len(data) + 1)]
        elif choice < 0.85:
            data += bytes(rng.choice([4, 1, 8]))
        else:
            at = rng.randrange(len(data) + 1)
            data[at:at] = bytes([rng.randrange(256)]) * rng.choice([1, 4])
    return bytes(data)


def random_bundle(rng: random.Random, depth: int = 0) -> bytes:
    parts = [b"#bundle\x00", struct.pack(">Q", 1)]
    for _ in range(rng.randrange(0, 4)):
        element = random_bundle(rng, depth + 1) if rng.random() < 0.15 and depth < 10 else random_message(rng)
        size = len(element) if rng.random() < 0.95 else rng.randrange(-4, len(element) + 8)
        parts += [struct.pack(">i", size), element]
    return b"".join(parts)


def random_press(rng: random.Random) -> bytes:
    """A press a controller would send (most of them valid), so that the accepting side is exercised as hard."""
    who = rng.choice(["", "", "/0", "/5", "/63"])
    tags = rng.choice(["i", "i", "f", "ii", "if", "ff", "d", "h"])
    values = {"i": lambda: struct.pack(">i", rng.choice([0, 3, 7, 64, 100, 8])),
              "f": lambda: struct.pack(">f", rng.choice([1.0, 0.5, 3.0, 0.0, 64.0])),
              "d": lambda: struct.pack(">d", rng.choice([2.0, 2.5])), "h": lambda: struct.pack(">q", rng.choice([1, 9]))}
    release = rng.random() < 0.3
    address = f"/genie{who}/{'release' if release else 'press'}"
    return pad(address.encode()) + pad(("," + tags[:1 if release else 2]).encode()) + b"".join(
        values[t]() for t in tags[:1 if release else 2])


def random_datagram(rng: random.Random) -> bytes:
    kind = rng.random()
    if kind < 0.25:
        return random_press(rng)
    if kind < 0.45:
        return random_message(rng)
    if kind < 0.75:
        return mutate(rng, random_message(rng) if rng.random() < 0.8 else random_bundle(rng))
    if kind < 0.9:
        return random_bundle(rng)
    return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 48)))


# --- the test ------------------------------------------------------------------------------------------------


@pytest.mark.timeout(3600)
def test_fuzzed_datagrams_match_the_oracle_one_by_one(random_model_dir):
    bridge = Bridge(PianoGenie.load(random_model_dir), seed=0, idle_timeout=0)
    log = Log()
    bridge.sinks.append(log)
    transport = OscTransport(bridge, port=0, reply_to=())
    rng = random.Random(int(os.environ.get("PIANOGENIE_FUZZ_SEED", "10")))
    c = bridge.counters
    totals = {"malformed": 0, "messages": 0, "presses": 0, "in_bundles": 0, "bundles": 0}
    started = time.monotonic()
    try:
        for i in range(DATAGRAMS):
            data = random_datagram(rng)
            try:
                expected = o_datagram(data)
            except Bad:
                expected = None
            before = (c.malformed, c.messages, c.notes_on, c.internal_errors)
            transport.receive(data, ("10.0.0.1", 9), float(i))
            after = (c.malformed, c.messages, c.notes_on, c.internal_errors)
            delta = [b - a for a, b in zip(before, after)]
            presses = 0 if expected is None else sum(o_is_press(address, args) for address, args in expected)
            want = [1, 0, 0, 0] if expected is None else [0, len(expected), presses, 0]
            assert delta == want, f"datagram {i}: {data!r}: (malformed, messages, notes, internal) {delta} != {want}"
            if expected is None:
                totals["malformed"] += 1
            else:
                totals["messages"] += len(expected)
                totals["presses"] += presses
                if data.startswith(b"#bundle\x00"):
                    totals["bundles"] += 1
                    totals["in_bundles"] += len(expected)
        elapsed = time.monotonic() - started
        assert c.packets == DATAGRAMS and c.internal_errors == 0
        assert c.packets == c.messages - totals["in_bundles"] + c.bundles + c.malformed, "the counters add up"
        assert c.bundles == totals["bundles"] and c.presses == c.notes_on == totals["presses"]
        assert totals["presses"] > DATAGRAMS // 20 and totals["malformed"] > DATAGRAMS // 5, totals  # both sides hit
        bridge.shutdown()
        assert log.sounding() == set() and c.notes_on == c.notes_off, "no stuck note"
        print(f"\n{DATAGRAMS} datagrams in {elapsed:.1f} s: {totals}")
    finally:
        transport.close()
