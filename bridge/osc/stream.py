"""The OSCQuery websocket (Vidvox/OSCQueryProposal, "LISTEN"): on the OSCQuery HTTP port, a client subscribes to
paths with text frames `{"COMMAND": "LISTEN" | "IGNORE", "DATA": "/path"}` and receives each value as a binary
frame holding exactly the OSC datagram the UDP reply carries. `{"COMMAND": "PATH_CHANGED", "DATA": "/path"}` says
that the tree changed there (a model swap).

The press path never waits for a client: `publish` appends to one queue and wakes one fan-out thread, which hands
each datagram to the clients listening on its path. Each client has its own thread, a bounded send queue and a
deadline on every send; one that falls behind by MAX_QUEUE datagrams, or whose socket stays full for
SEND_DEADLINE_S, is dropped. The websocket framing is the `websockets` library's sans-I/O protocol.
"""

from __future__ import annotations

import collections
import json
import os
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

MAX_CLIENTS = 64
MAX_MESSAGE = 4096        # bytes in a client's frame: commands are one path each
MAX_QUEUE = 1024          # datagrams waiting for one client; more and it is too slow, and is dropped
MAX_PATHS = 256           # paths one client may listen to
SEND_DEADLINE_S = 2.0     # a send that cannot finish within this drops the client
SEND_BUFFER = 64 * 1024   # the kernel's buffer per client: a slow one holds this much, not loopback's megabytes
HANDSHAKE_DEADLINE_S = 5.0
PING_EVERY_S = 20.0       # an idle connection is pinged; no answer within one more period closes it
COMMANDS = ("LISTEN", "IGNORE")
# A client's commands: a burst of this many, then this many a second. A client that sends faster is flooding (its
# frames would keep the GIL from the press path) and is closed, and counted.
COMMAND_BURST = 64
COMMAND_RATE = 100.0


class StreamMissing(RuntimeError):
    pass


def is_websocket_request(head: bytes) -> bool:
    """Whether the first bytes of an HTTP request (peeked, not read) ask for a websocket upgrade."""
    lines = head.split(b"\r\n\r\n", 1)[0].lower().split(b"\r\n")
    return any(line.startswith(b"upgrade:") and b"websocket" in line for line in lines[1:])


@dataclass
class StreamStats:
    clients: int = 0
    accepted: int = 0
    refused: int = 0        # over MAX_CLIENTS
    dropped_slow: int = 0
    bad_frames: int = 0     # malformed or unknown commands answered with an error frame
    flooded: int = 0        # clients closed for sending commands faster than COMMAND_RATE
    sent: int = 0


@dataclass
class _Client:
    sock: socket.socket
    paths: set[str] = field(default_factory=set)
    queue: collections.deque = field(default_factory=collections.deque)
    wake_r: int = -1
    wake_w: int = -1
    closed: bool = False
    budget: float = COMMAND_BURST  # commands it may send now (refilled at COMMAND_RATE a second)
    budget_at: float = field(default_factory=time.monotonic)

    def spend(self) -> bool:
        """One command taken from the budget; False when there is none left (a flood)."""
        now = time.monotonic()
        self.budget = min(COMMAND_BURST, self.budget + (now - self.budget_at) * COMMAND_RATE)
        self.budget_at = now
        if self.budget < 1.0:
            return False
        self.budget -= 1.0
        return True


class StreamHub:
    """`exists(path)` says whether the tree has a path (LISTEN on anything else is an error frame)."""

    def __init__(self, exists: Callable[[str], bool]):
        try:
            from websockets.server import ServerProtocol  # noqa: F401 - checked here, used by each client
        except ImportError:
            raise StreamMissing("the OSCQuery stream needs websockets: pip install 'pianogenie-bridge[stream]'") from None
        self.exists = exists
        self.stats = StreamStats()
        self._encoder: Any = None  # made at the first value published: .send's imports stay off `web --help`
        self._clients: list[_Client] = []
        self._lock = threading.Lock()
        self._pending: collections.deque = collections.deque()
        self._wake = threading.Event()
        self._closing = False
        self._fanout = threading.Thread(target=self._fan_out, name="oscquery-stream", daemon=True)
        self._fanout.start()

    # --- the bridge's side: never blocks ------------------------------------------------------------------------

    def publish(self, path: str, datagram: bytes) -> None:
        if self._clients:
            self._pending.append((path, datagram))
            self._wake.set()

    def publish_value(self, path: str, *values: Any) -> None:
        """Values at path as the OSC datagram a UDP reply would carry: a tree value that changed (a plugin
        parameter, the Link session's)."""
        if self._clients:
            if self._encoder is None:
                from .send import Encoder

                self._encoder = Encoder()
            self.publish(path, self._encoder.message(path, *values))

    def tree_changed(self, path: str = "/") -> None:
        if self._clients:
            self._pending.append((None, json.dumps({"COMMAND": "PATH_CHANGED", "DATA": path})))
            self._wake.set()

    def _fan_out(self) -> None:
        while not self._closing:
            self._wake.wait()
            self._wake.clear()
            while self._pending:
                path, message = self._pending.popleft()
                for client in list(self._clients):
                    if path is None or path in client.paths:
                        self._enqueue(client, message)

    def _enqueue(self, client: _Client, message: bytes | str) -> None:
        if client.closed:
            return
        if len(client.queue) >= MAX_QUEUE:
            self.stats.dropped_slow += 1
            self._drop(client)
            return
        client.queue.append(message)
        try:
            os.write(client.wake_w, b"\0")
        except (BlockingIOError, OSError):
            pass  # the pipe is full of wake-ups already: the client's thread is awake

    # --- clients ------------------------------------------------------------------------------------------------

    def accept(self, sock: socket.socket) -> bool:
        """Takes a connection whose request (not yet read) asks for the websocket; False when full (the caller
        closes it)."""
        with self._lock:
            if len(self._clients) >= MAX_CLIENTS or self._closing:
                self.stats.refused += 1
                return False
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
            client = _Client(sock)
            client.wake_r, client.wake_w = os.pipe()
            os.set_blocking(client.wake_w, False)
            self._clients.append(client)
            self.stats.clients = len(self._clients)
            self.stats.accepted += 1
        threading.Thread(target=self._serve, args=(client,), name="oscquery-ws", daemon=True).start()
        return True

    def _drop(self, client: _Client) -> None:
        if client.closed:
            return
        client.closed = True
        try:
            client.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            os.write(client.wake_w, b"\0")
        except OSError:
            pass

    def _serve(self, client: _Client) -> None:
        from websockets.server import ServerProtocol

        protocol = ServerProtocol(max_size=MAX_MESSAGE)
        try:
            if self._handshake(client, protocol):
                self._run(client, protocol)
        except OSError:
            pass
        finally:
            client.closed = True
            with self._lock:
                if client in self._clients:
                    self._clients.remove(client)
                self.stats.clients = len(self._clients)
            for closing in (client.sock.close, lambda: os.close(client.wake_r), lambda: os.close(client.wake_w)):
                try:
                    closing()
                except OSError:
                    pass

    def _flush(self, client: _Client, protocol) -> None:
        data = b"".join(protocol.data_to_send())
        if data:
            client.sock.settimeout(SEND_DEADLINE_S)
            try:
                client.sock.sendall(data)
            except socket.timeout:
                self.stats.dropped_slow += 1
                raise OSError("a slow client") from None

    def _handshake(self, client: _Client, protocol) -> bool:
        deadline = time.monotonic() + HANDSHAKE_DEADLINE_S
        while time.monotonic() < deadline and not client.closed:
            client.sock.settimeout(max(0.01, deadline - time.monotonic()))
            data = client.sock.recv(65536)
            if not data:
                return False
            protocol.receive_data(data)
            requests = protocol.events_received()
            if requests:
                response = protocol.accept(requests[0])
                protocol.send_response(response)
                self._flush(client, protocol)
                return response.status_code == 101
        return False

    def _run(self, client: _Client, protocol) -> None:
        from websockets.frames import Opcode

        last_heard = time.monotonic()
        pinged = False
        while not client.closed:
            ready, _, _ = select.select([client.sock, client.wake_r], [], [], PING_EVERY_S / 4)
            if client.wake_r in ready:
                os.read(client.wake_r, 4096)
                while client.queue and not client.closed:
                    message = client.queue.popleft()
                    if isinstance(message, bytes):
                        protocol.send_binary(message)
                    else:
                        protocol.send_text(message.encode())
                    self.stats.sent += 1
                self._flush(client, protocol)
            if client.sock in ready:
                client.sock.settimeout(SEND_DEADLINE_S)
                data = client.sock.recv(65536)
                if not data:
                    protocol.receive_eof()
                else:
                    protocol.receive_data(data)
                last_heard, pinged = time.monotonic(), False
                for frame in protocol.events_received():
                    if frame.opcode in (Opcode.TEXT, Opcode.BINARY) and not client.spend():
                        self.stats.flooded += 1
                        protocol.send_close(1008, "too many commands")
                        self._flush(client, protocol)
                        return
                    if frame.opcode is Opcode.TEXT:
                        self._command(client, protocol, frame.data)
                    elif frame.opcode is Opcode.BINARY:
                        self._error(protocol, "binary frames from clients are not understood")
                self._flush(client, protocol)
                if protocol.close_expected() or not data or protocol.state.name == "CLOSED":
                    return
            idle = time.monotonic() - last_heard
            if idle > 2 * PING_EVERY_S and pinged:
                return  # half-open: no answer to our ping
            if idle > PING_EVERY_S and not pinged:
                protocol.send_ping(b"pg")
                self._flush(client, protocol)
                pinged = True

    def _error(self, protocol, why: str) -> None:
        self.stats.bad_frames += 1
        protocol.send_text(json.dumps({"COMMAND": "ERROR", "DATA": why}).encode())

    def _command(self, client: _Client, protocol, data: bytes) -> None:
        try:
            command = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            return self._error(protocol, "not JSON: expected {\"COMMAND\": \"LISTEN\"|\"IGNORE\", \"DATA\": \"/path\"}")
        if not isinstance(command, dict) or command.get("COMMAND") not in COMMANDS:
            return self._error(protocol, f"unknown command; known: {', '.join(COMMANDS)}")
        path = command.get("DATA")
        if not isinstance(path, str) or not path.startswith("/"):
            return self._error(protocol, "DATA must be one OSC path")
        if command["COMMAND"] == "IGNORE":
            client.paths.discard(path)
        elif not self.exists(path):
            self._error(protocol, f"no such path: {path[:200]}")
        elif len(client.paths) >= MAX_PATHS and path not in client.paths:
            self._error(protocol, f"at most {MAX_PATHS} paths per client")
        else:
            client.paths.add(path)

    def close(self) -> None:
        self._closing = True
        self._wake.set()
        for client in list(self._clients):
            self._drop(client)
