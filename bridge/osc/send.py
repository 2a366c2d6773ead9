"""OSC on the wire, writing: the bridge's few reply shapes packed directly with struct (tests check every shape
against python-osc's parser), and the reply sink that sends each note to its sender and the --reply-to
addresses."""

from __future__ import annotations

import os
import socket
import struct
from typing import Any

from .. import protocol as p
from ..performer import Counters, Senders

BUNDLE_PREFIX = b"#bundle\x00"
_INT = struct.Struct(">i")


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


class OscReplies:
    """The bridge's link (bridge.dispatch.Link): notes, status and errors to the sender of the message that caused
    them and to every --reply-to address, once each, from the listening socket."""

    def __init__(self, sock: socket.socket, reply_to: tuple[tuple[str, int], ...], counters: Counters,
                 osc_format: str = "genie", midi_channel: int = 1):
        self.sock = sock
        self.reply_to = reply_to
        self._reply_set = frozenset(reply_to)
        self.counters = counters
        self.vkb_midi = osc_format == "vkb_midi"
        self.midi_channel = midi_channel
        self.encoder = Encoder()
        # The OSCQuery websocket (bridge/osc/stream.py), when it runs: it gets every datagram sent, by address.
        self.stream: Any = None
        # Per-performer output addresses, looked up by index on the hot path.
        self._on = tuple(p.output_address(p.OUT_NOTEON, n) for n in range(p.MAX_PERFORMERS))
        self._off = tuple(p.output_address(p.OUT_NOTEOFF, n) for n in range(p.MAX_PERFORMERS))

    def _destinations(self, sender: Any) -> tuple:
        if sender is None or sender in self._reply_set:
            return self.reply_to
        if type(sender) is Senders:
            return tuple(s for s in sender if s not in self._reply_set) + self.reply_to
        return (sender,) + self.reply_to

    def _send(self, data: bytes, destinations: tuple) -> None:
        for destination in destinations:
            try:
                self.sock.sendto(data, destination)
            except OSError:
                # A full send buffer or an unreachable peer costs that one reply, never the server.
                self.counters.send_errors += 1

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: Any) -> None:
        destinations = self._destinations(sender)
        data = self.encoder.ints(self._on[performer], pitch, velocity, button)
        self._send(data, destinations)
        if self.stream is not None:
            self.stream.publish(self._on[performer], data)
        if self.vkb_midi:
            address = p.vkb_midi_address(p.midi_channel(self.midi_channel, performer), pitch)
            self._send(self.encoder.ints(address, velocity), destinations)

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: Any) -> None:
        destinations = self._destinations(sender)
        data = self.encoder.ints(self._off[performer], pitch, button)
        self._send(data, destinations)
        if self.stream is not None:
            self.stream.publish(self._off[performer], data)
        if self.vkb_midi:
            address = p.vkb_midi_address(p.midi_channel(self.midi_channel, performer), pitch)
            self._send(self.encoder.ints(address, 0), destinations)

    def reply(self, sender: Any, address: str, values: tuple) -> None:
        data = self.encoder.message(address, *values)
        self._send(data, self._destinations(sender))
        if self.stream is not None:
            self.stream.publish(address, data)
            if address == p.OUT_MODEL:  # a swap: the tree's model VALUE changed
                self.stream.tree_changed(p.PREFIX)

    def udp_drops(self) -> int:
        return socket_drops(self.sock)


def socket_drops(sock: socket.socket) -> int:
    """A UDP socket's drop counter from /proc/net/udp (Linux), or -1 where it cannot be read."""
    inode = str(os.fstat(sock.fileno()).st_ino)
    try:
        with open("/proc/net/udp", encoding="ascii") as table:
            next(table)
            for line in table:
                fields = line.split()
                if len(fields) >= 13 and fields[9] == inode:
                    return int(fields[12])
    except (OSError, ValueError, StopIteration):
        pass
    return -1
