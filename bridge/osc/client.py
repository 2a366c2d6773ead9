"""A small OSC client for talking to `pianogenie serve`: the benchmark and the tests use it, and it is a short
example of the protocol from Python."""

from __future__ import annotations

import socket
import time as _time
from typing import Any, Callable

from .. import protocol as p
from .send import Encoder
from .wire import parse_datagram

Message = tuple[str, list]


class OscClient:
    """One UDP socket that sends to the server and receives its replies (on the same port)."""

    def __init__(self, server: tuple[str, int], bind: tuple[str, int] = ("127.0.0.1", 0)):
        self.server = server
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        self.sock.bind(bind)
        self.address: tuple[str, int] = self.sock.getsockname()
        self.encoder = Encoder()

    def send(self, address: str, *values: Any) -> None:
        self.sock.sendto(self.encoder.message(address, *values), self.server)

    def send_raw(self, data: bytes) -> None:
        self.sock.sendto(data, self.server)

    def receive(self, timeout: float = 2.0) -> list[Message]:
        """The messages of the next datagram, or [] after `timeout` seconds."""
        self.sock.settimeout(timeout)
        try:
            data, _ = self.sock.recvfrom(65536)
        except socket.timeout:
            return []
        return parse_datagram(data)[0]

    def wait_for(self, predicate: Callable[[Message], bool], timeout: float = 5.0) -> tuple[Message | None, list[Message]]:
        """Read until a message matches; returns it (or None on timeout) and everything read before it."""
        seen: list[Message] = []
        deadline = _time.monotonic() + timeout
        while (left := deadline - _time.monotonic()) > 0:
            for message in self.receive(left):
                if predicate(message):
                    return message, seen
                seen.append(message)
        return None, seen

    def drain(self, quiet: float = 0.2, limit: float = 10.0) -> list[Message]:
        """Everything that arrives until the socket has been quiet for `quiet` seconds."""
        out: list[Message] = []
        deadline = _time.monotonic() + limit
        while _time.monotonic() < deadline:
            batch = self.receive(quiet)
            if not batch:
                break
            out += batch
        return out

    def status(self, performer: int = 0, timeout: float = 5.0) -> dict[str, Any] | None:
        """Ask for /genie/status and return its fields as a dict (None on timeout)."""
        self.send(p.output_address(p.IN_STATUS, performer))
        reply = p.output_address(p.OUT_STATUS, 0)  # status replies always use the bare address
        message, _ = self.wait_for(lambda m: m[0] == reply, timeout)
        if message is None:
            return None
        values = message[1]
        return dict(zip(values[0::2], values[1::2]))

    def close(self) -> None:
        self.sock.close()
