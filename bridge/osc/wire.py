"""OSC on the wire, reading: datagrams into messages, strictly by OSC 1.0.

A datagram that breaks the spec is discarded whole (MalformedPacket), never half read: an unknown type tag, a
length that does not end exactly at the datagram's end, a non-zero padding byte, an address outside printable
ASCII, arrays or bundles nested deeper than the limits below. Every tag of the spec and its common extensions is
read with its exact size, so no argument is ever misread; values the bridge has no use for (colours, MIDI
messages, timetags, chars, infinitum) come back as `Atom`s, which no handler takes for a number.

Messages of ints and floats only (every controller message the bridge takes) go through a fast path that checks
the same rules. Bundles are walked element by element in the order they were packed (a timetag never delays
dispatch). Writing is bridge/osc/send.py."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import Any

BUNDLE_PREFIX = b"#bundle\x00"
MAX_BUNDLE_DEPTH = 8
MAX_ARRAY_DEPTH = 8
# An address: "/" then printable ASCII (no space, no control characters, nothing above 0x7e).
_ADDRESS = re.compile(rb"/[\x21-\x7e]*\Z")


class MalformedPacket(ValueError):
    """A datagram that is not valid OSC 1.0."""


@dataclass(frozen=True)
class Atom:
    """An argument of a type the bridge never takes as a number: c (char), r (RGBA), m (MIDI), t (timetag) or
    I (infinitum)."""

    tag: str
    value: Any = None

    def __repr__(self) -> str:
        return f"OSC {self.tag!r}"


def parse_datagram(data: bytes) -> tuple[list[tuple[str, list[Any]]], bool]:
    """All messages of a datagram in packing order, and whether it was a bundle. Raises MalformedPacket."""
    if data.startswith(BUNDLE_PREFIX):
        messages: list[tuple[str, list[Any]]] = []
        _walk_bundle(data, messages, depth=1)
        return messages, True
    return [_message(data)], False


_FAST_TAGS: dict[bytes, struct.Struct] = {}


def _fast_message(data: bytes) -> tuple[str, list[Any]] | None:
    """Messages of ints and floats only, about 4x quicker than the general reader. None hands the datagram to
    _strict_message, which accepts or rejects it; the fast path only ever accepts what that would accept."""
    end = data.find(b"\x00")
    if end < 0:
        return None
    tags_at = (end + 4) & ~3
    tags_end = data.find(b"\x00", tags_at)
    if tags_end < 0 or data[tags_at:tags_at + 1] != b",":
        return None
    tags = data[tags_at + 1:tags_end]
    layout = _FAST_TAGS.get(tags)
    if layout is None:
        if tags.strip(b"if") or len(_FAST_TAGS) > 64:
            return None
        layout = _FAST_TAGS[tags] = struct.Struct(">" + tags.decode("ascii"))
    body = (tags_end + 4) & ~3
    if (body + layout.size != len(data) or data[end:tags_at].strip(b"\x00") or data[tags_end:body].strip(b"\x00")
            or not _ADDRESS.match(data, 0, end)):
        return None
    return data[:end].decode("ascii"), list(layout.unpack_from(data, body))


def _message(data: bytes) -> tuple[str, list[Any]]:
    if not data.startswith(b"/"):
        raise MalformedPacket(f"not an OSC message or bundle ({len(data)} bytes starting {data[:8]!r})")
    if len(data) % 4:
        raise MalformedPacket(f"OSC packet size must be a multiple of 4, got {len(data)} bytes")
    return _fast_message(data) or _strict_message(data)


def _string(data: bytes, index: int, what: str) -> tuple[bytes, int]:
    """An OSC string at index: its bytes and the index after its zero padding."""
    end = data.find(b"\x00", index)
    if end < 0:
        raise MalformedPacket(f"{what} has no terminating zero byte")
    after = (end + 4) & ~3
    if after > len(data):
        raise MalformedPacket(f"{what} runs past the end of the datagram")
    if data[end:after].strip(b"\x00"):
        raise MalformedPacket(f"{what} has non-zero padding")
    return data[index:end], after


_FIXED = {
    "i": (4, lambda b: struct.unpack(">i", b)[0]),
    "f": (4, lambda b: struct.unpack(">f", b)[0]),
    "h": (8, lambda b: struct.unpack(">q", b)[0]),
    "d": (8, lambda b: struct.unpack(">d", b)[0]),
    "c": (4, lambda b: Atom("c", struct.unpack(">I", b)[0])),
    "r": (4, lambda b: Atom("r", struct.unpack(">I", b)[0])),
    "m": (4, lambda b: Atom("m", bytes(b))),
    "t": (8, lambda b: Atom("t", struct.unpack(">Q", b)[0])),
}
_NO_DATA = {"T": True, "F": False, "N": None, "I": Atom("I")}


def _strict_message(data: bytes) -> tuple[str, list[Any]]:
    raw_address, index = _string(data, 0, "address")
    if not _ADDRESS.match(raw_address):
        raise MalformedPacket("address must be printable ASCII starting with /")
    address = raw_address.decode("ascii")
    if index == len(data):
        return address, []  # OSC 1.0 lets old senders omit the type tag string: no arguments
    raw_tags, index = _string(data, index, "type tag string")
    if not raw_tags.startswith(b","):
        raise MalformedPacket(f"{address}: type tag string must start with ','")
    args: list[Any] = []
    stack: list[list[Any]] = []
    for code in raw_tags[1:]:
        tag = chr(code)
        if tag in _FIXED:
            size, read = _FIXED[tag]
            if index + size > len(data):
                raise MalformedPacket(f"{address}: argument '{tag}' runs past the end of the datagram")
            args.append(read(data[index:index + size]))
            index += size
        elif tag in _NO_DATA:
            args.append(_NO_DATA[tag])
        elif tag in "sS":
            raw, index = _string(data, index, f"{address}: string argument")
            try:
                args.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise MalformedPacket(f"{address}: string argument is not UTF-8") from None
        elif tag == "b":
            if index + 4 > len(data):
                raise MalformedPacket(f"{address}: blob size runs past the end of the datagram")
            (size,) = struct.unpack_from(">i", data, index)
            start, after = index + 4, index + 4 + ((size + 3) & ~3)
            if size < 0 or after > len(data):
                raise MalformedPacket(f"{address}: blob of {size} bytes does not fit the datagram")
            if data[start + size:after].strip(b"\x00"):
                raise MalformedPacket(f"{address}: blob has non-zero padding")
            args.append(bytes(data[start:start + size]))
            index = after
        elif tag == "[":
            if len(stack) >= MAX_ARRAY_DEPTH:
                raise MalformedPacket(f"{address}: arrays nested deeper than {MAX_ARRAY_DEPTH}")
            stack.append(args)
            args = []
        elif tag == "]":
            if not stack:
                raise MalformedPacket(f"{address}: ']' without '['")
            inner, args = args, stack.pop()
            args.append(inner)
        else:
            # OSC 1.0: a message with a type tag the receiver does not know is discarded whole.
            shown = tag if 0x21 <= code <= 0x7e else f"\\x{code:02x}"
            raise MalformedPacket(f"{address}: unknown OSC type tag '{shown}'")
    if stack:
        raise MalformedPacket(f"{address}: '[' without ']'")
    if index != len(data):
        raise MalformedPacket(f"{address}: {len(data) - index} bytes after the last argument")
    return address, args


def _walk_bundle(data: bytes, out: list, depth: int) -> None:
    if depth > MAX_BUNDLE_DEPTH:
        raise MalformedPacket(f"OSC bundles nested deeper than {MAX_BUNDLE_DEPTH}")
    if len(data) < 16 or len(data) % 4:
        raise MalformedPacket(f"truncated OSC bundle ({len(data)} bytes)")
    index = 16  # "#bundle\0" + 8-byte timetag, which is read past: a timetag never delays dispatch
    while index < len(data):
        if index + 4 > len(data):
            raise MalformedPacket("truncated OSC bundle element size")
        (size,) = struct.unpack_from(">i", data, index)
        index += 4
        if size <= 0 or size % 4 or index + size > len(data):
            raise MalformedPacket(f"bad OSC bundle element size {size}")
        element = data[index:index + size]
        index += size
        if element.startswith(BUNDLE_PREFIX):
            _walk_bundle(element, out, depth + 1)
        else:
            out.append(_message(element))
