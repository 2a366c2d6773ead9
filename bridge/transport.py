"""The OSC transport: one blocking UDP socket, one receiving thread, replies sent from the listening socket.

python-osc's socketserver-based servers make an object per datagram (and the threading one a thread per datagram,
about 10x slower here); this loop reads with recvfrom, parses with python-osc, and hands the messages to the
bridge's dispatcher under its lock. Replies (notes, status, errors) go to the sender and to every --reply-to
address, once each."""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import threading
import time as _time
from typing import Any, Iterable

from . import protocol as p
from .core import Bridge
from .wire import Encoder, MalformedPacket, parse_datagram

# Idle performers are swept this often (seconds).
WAKE_INTERVAL = 0.1
# Ask the kernel for a deep receive queue so a burst waits instead of being dropped.
RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024
MAX_DATAGRAM = 65536


class StartupError(RuntimeError):
    """A configuration the server cannot start with; the message says what to change."""


def parse_host_port(text: str) -> tuple[str, int]:
    """"HOST:PORT" (or just "PORT", meaning 127.0.0.1) -> (ip, port), resolving the host name once."""
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host, port_text = p.DEFAULT_HOST, text
    host = host.strip("[]") or p.DEFAULT_HOST
    try:
        port = int(port_text)
    except ValueError:
        raise StartupError(f"{text!r}: expected HOST:PORT, e.g. 127.0.0.1:{p.DEFAULT_REPLY_PORT}") from None
    if not 1 <= port <= 65535:
        raise StartupError(f"{text!r}: port must be 1..65535")
    try:
        ip = socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_DGRAM)[0][4][0]
    except socket.gaierror as exc:
        raise StartupError(f"{text!r}: cannot resolve host {host!r} ({exc})") from None
    return ip, port


def _is_local(ip: str, listen_host: str) -> bool:
    address = ipaddress.ip_address(ip)
    return address.is_loopback or address.is_unspecified or ip == listen_host or listen_host in ("0.0.0.0", "")


class OscTransport:
    def __init__(
        self,
        bridge: Bridge,
        host: str = p.DEFAULT_HOST,
        port: int = p.DEFAULT_LISTEN_PORT,
        reply_to: Iterable[tuple[str, int]] = ((p.DEFAULT_HOST, p.DEFAULT_REPLY_PORT),),
        osc_format: str = "genie",
        midi_channel: int = 1,
    ):
        if osc_format not in p.OSC_FORMATS:
            raise StartupError(f"--osc-format must be one of {', '.join(p.OSC_FORMATS)}, got {osc_format!r}")
        self.bridge = bridge
        self.reply_to: tuple[tuple[str, int], ...] = tuple(dict.fromkeys(reply_to))  # ordered, deduplicated
        for ip, reply_port in self.reply_to:
            if reply_port == port and _is_local(ip, host):
                raise StartupError(
                    f"reply address {ip}:{reply_port} is the port the server listens on; "
                    f"choose another --reply-to (default {p.DEFAULT_HOST}:{p.DEFAULT_REPLY_PORT}) or --port"
                )
        self.vkb_midi = osc_format == "vkb_midi"
        self.midi_channel = midi_channel
        self.encoder = Encoder()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
            self.sock.bind((host, port))
        except OSError as exc:
            self.sock.close()
            if exc.errno == errno.EADDRINUSE:
                raise StartupError(f"UDP port {port} on {host} is already in use; stop the other server or pass --port") from None
            raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.address: tuple[str, int] = self.sock.getsockname()
        if any(r == self.address for r in self.reply_to):  # --port 0 landed on the reply port
            self.sock.close()
            raise StartupError(f"reply address {self.address} is the port the server listens on")
        self._reply_set = frozenset(self.reply_to)
        self._stopping = False
        self._swept = threading.Event()
        bridge.osc_out = self
        bridge.on_reply = self.reply
        bridge.udp_drops = self.udp_drops

    # --- sending ----------------------------------------------------------------------------------------------

    def _destinations(self, sender: Any) -> tuple:
        if sender is None or sender in self._reply_set:
            return self.reply_to
        return (sender,) + self.reply_to

    def _send(self, data: bytes, destinations: tuple) -> None:
        for destination in destinations:
            try:
                self.sock.sendto(data, destination)
            except OSError:
                # A full send buffer or an unreachable peer costs that one reply, never the server.
                self.bridge.counters.send_errors += 1

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float) -> None:
        destinations = self._destinations(self.bridge.context.sender)
        self._send(self.encoder.ints(p.output_address(p.OUT_NOTEON, performer), pitch, velocity, button), destinations)
        if self.vkb_midi:
            self._send(self.encoder.ints(p.vkb_midi_address(self._channel(performer), pitch), velocity), destinations)

    def note_off(self, performer: int, pitch: int, button: int, time: float) -> None:
        destinations = self._destinations(self.bridge.context.sender)
        self._send(self.encoder.ints(p.output_address(p.OUT_NOTEOFF, performer), pitch, button), destinations)
        if self.vkb_midi:
            self._send(self.encoder.ints(p.vkb_midi_address(self._channel(performer), pitch), 0), destinations)

    def _channel(self, performer: int) -> int:
        return (self.midi_channel - 1 + performer) % 16 + 1

    def reply(self, sender: Any, address: str, values: tuple) -> None:
        self._send(self.encoder.message(address, *values), self._destinations(sender))

    # --- receiving --------------------------------------------------------------------------------------------

    def handle_datagram(self, data: bytes, sender: Any, arrival: float) -> None:
        bridge = self.bridge
        with bridge.lock:
            bridge.counters.packets += 1
            try:
                messages, is_bundle = parse_datagram(data)
            except MalformedPacket as exc:
                bridge.counters.malformed += 1
                bridge.reject(str(exc), sender)
                return
            if is_bundle:
                bridge.counters.bundles += 1
            # A bundle's messages run at once, in packing order, all timed at the datagram's arrival.
            for address, args in messages:
                bridge.handle_locked(address, args, sender, arrival)

    def serve_forever(self) -> None:
        """Receive until stop(); never raises for anything a peer sends. The socket blocks with no timeout (a
        timeout costs a poll() per datagram); a helper thread sweeps idle performers under the bridge's lock."""
        sweeper = threading.Thread(target=self._sweep_loop, name="idle-sweep", daemon=True)
        sweeper.start()
        sock = self.sock
        clock = _time.monotonic
        try:
            while not self._stopping:
                try:
                    data, sender = sock.recvfrom(MAX_DATAGRAM)
                except OSError:
                    if self._stopping:
                        break
                    continue
                arrival = clock()
                if self._stopping:
                    break  # the wake-up datagram from stop()
                self.handle_datagram(data, sender, arrival)
        finally:
            self._stopping = True
            self._swept.set()
            sweeper.join()

    def _sweep_loop(self) -> None:
        while not self._swept.wait(WAKE_INTERVAL):
            self.bridge.sweep_idle()

    def stop(self) -> None:
        """Safe from a signal handler or another thread: wakes the blocked receive with an empty datagram."""
        self._stopping = True
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as waker:
                host, port = self.address
                waker.sendto(b"", ("127.0.0.1" if host in ("0.0.0.0", "") else host, port))
        except OSError:
            pass

    def close(self) -> None:
        self.sock.close()

    def udp_drops(self) -> int:
        """Datagrams the kernel dropped on this socket (its receive queue was full)."""
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
