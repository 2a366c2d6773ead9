"""OSC on the wire, reading: datagrams into messages, with python-osc's parser behind a fast path.

Bundles are walked element by element in the order they were packed (python-osc's OscPacket sorts by timetag,
and the bridge never waits on a timetag). Writing is bridge/osc/send.py."""

from __future__ import annotations

import struct
from typing import Any

from pythonosc import osc_message
from pythonosc.parsing import osc_types

BUNDLE_PREFIX = b"#bundle\x00"
_INT = struct.Struct(">i")


class MalformedPacket(ValueError):
    """A datagram that is not valid OSC."""


def parse_datagram(data: bytes) -> tuple[list[tuple[str, list[Any]]], bool]:
    """All messages of a datagram in packing order, and whether it was a bundle. Raises MalformedPacket."""
    if data.startswith(BUNDLE_PREFIX):
        messages: list[tuple[str, list[Any]]] = []
        _walk_bundle(data, messages, depth=0)
        return messages, True
    return [_message(data)], False


_FAST_TAGS: dict[bytes, struct.Struct] = {}


def _fast_message(data: bytes) -> tuple[str, list[Any]] | None:
    """Messages of ints and floats only (every controller message the bridge takes) without python-osc's general
    parser: about 4x quicker. Anything else, or anything odd, goes to python-osc."""
    end = data.find(b"\x00")
    if end < 0:
        return None
    tags_at = (end + 4) & ~3
    if tags_at >= len(data):
        return (data[:end].decode("ascii"), []) if tags_at == len(data) and data[:end].isascii() else None
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
    if body + layout.size != len(data) or not data[:end].isascii():
        return None
    return data[:end].decode("ascii"), list(layout.unpack_from(data, body))


def _message(data: bytes) -> tuple[str, list[Any]]:
    if not data.startswith(b"/"):
        raise MalformedPacket(f"not an OSC message or bundle ({len(data)} bytes starting {data[:8]!r})")
    if len(data) % 4:
        raise MalformedPacket(f"OSC packet size must be a multiple of 4, got {len(data)} bytes")
    fast = _fast_message(data)
    if fast is not None:
        return fast
    try:
        message = osc_message.OscMessage(data)
        return message.address, message.params
    except Exception as exc:  # python-osc raises ParseError, but also IndexError/UnicodeError on odd bytes
        raise MalformedPacket(f"malformed OSC message: {exc}") from None


def _walk_bundle(data: bytes, out: list, depth: int) -> None:
    if depth > 8:
        raise MalformedPacket("OSC bundles nested deeper than 8")
    if len(data) < 16 or len(data) % 4:
        raise MalformedPacket(f"truncated OSC bundle ({len(data)} bytes)")
    index = 16  # "#bundle\0" + 8-byte timetag, which is read past: a timetag never delays dispatch
    while index < len(data):
        try:
            size, index = osc_types.get_int(data, index)
        except osc_types.ParseError:
            raise MalformedPacket("truncated OSC bundle element size") from None
        if size <= 0 or size % 4 or index + size > len(data):
            raise MalformedPacket(f"bad OSC bundle element size {size}")
        element = data[index:index + size]
        index += size
        if element.startswith(BUNDLE_PREFIX):
            _walk_bundle(element, out, depth + 1)
        else:
            out.append(_message(element))
