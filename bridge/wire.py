"""OSC on the wire: reading datagrams with python-osc's parser, and writing the bridge's few reply shapes.

Reading walks bundles element by element in the order they were packed (python-osc's OscPacket sorts by timetag,
and the bridge never waits on a timetag). Writing packs the int/float/string messages the bridge sends directly
with struct; tests check every shape against python-osc's parser."""

from __future__ import annotations

import struct
from typing import Any, Iterator

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


def _padded(text: str) -> bytes:
    raw = text.encode("utf-8") + b"\x00"
    return raw + b"\x00" * (-len(raw) % 4)


class Encoder:
    """Packs OSC messages of ints, floats and strings; address and type-tag bytes are cached per shape."""

    def __init__(self) -> None:
        self._heads: dict[tuple[str, str], bytes] = {}

    def _head(self, address: str, tags: str) -> bytes:
        key = (address, tags)
        head = self._heads.get(key)
        if head is None:
            if len(self._heads) > 4096:  # bounded: vkb_midi addresses are per pitch and channel
                self._heads.clear()
            head = self._heads[key] = _padded(address) + _padded("," + tags)
        return head

    def ints(self, address: str, *values: int) -> bytes:
        """The hot path: note-ons and note-offs are all ints."""
        return self._head(address, "i" * len(values)) + struct.pack(">%di" % len(values), *values)

    def message(self, address: str, *values: Any) -> bytes:
        tags = []
        body = []
        for value in values:
            if isinstance(value, bool):
                tags.append("T" if value else "F")
            elif isinstance(value, int):
                tags.append("i")
                body.append(_INT.pack(value))
            elif isinstance(value, float):
                tags.append("f")
                body.append(struct.pack(">f", value))
            elif isinstance(value, str):
                tags.append("s")
                body.append(_padded(value))
            else:
                raise TypeError(f"cannot encode {type(value).__name__} as OSC")
        return _padded(address) + _padded("," + "".join(tags)) + b"".join(body)


def bundle(*messages: bytes, timetag: int = 1) -> bytes:
    """An OSC bundle of already-encoded elements (timetag 1 = "immediately")."""
    parts = [BUNDLE_PREFIX, struct.pack(">Q", timetag)]
    for element in messages:
        parts.append(_INT.pack(len(element)))
        parts.append(element)
    return b"".join(parts)


def iter_messages(data: bytes) -> Iterator[tuple[str, list[Any]]]:
    """Convenience for clients and tests: the messages of one datagram."""
    yield from parse_datagram(data)[0]
