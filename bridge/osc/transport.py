"""The OSC transport: one blocking UDP socket, one receiving thread, replies sent from the listening socket.

python-osc's socketserver-based servers make an object per datagram (and the threading one a thread per datagram,
about 10x slower here); this loop reads with recvfrom and hands each datagram to one entry, `receive(data, sender, arrival)`, which parses
it (bridge/osc/wire.py) and gives its messages to the bridge's dispatcher (bridge/dispatch.py) under its lock.
Replies go out through bridge/osc/send.py's OscReplies, which the transport hands to the bridge with
`bridge.connect`: the one interface between the two."""

from __future__ import annotations

import errno
import ipaddress
import socket
import struct
import sys
import threading
import time as _time
import traceback
from typing import Any, Iterable

from .. import protocol as p
from ..core import Bridge
from ..system import LogLimiter
from .send import OscReplies
from .wire import MalformedPacket, parse_datagram

# Idle performers are swept this often (seconds).
WAKE_INTERVAL = 0.1
# Ask the kernel for a deep receive queue so a burst waits instead of being dropped.
RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024
MAX_DATAGRAM = 65536
# A sweeper that wakes this much later than asked was stopped (SIGSTOP) or starved: the performers could not be
# heard meanwhile, so the gap does not count towards their idle timeout.
PAUSE_GAP = 1.0
# The kernel stamps each datagram on arrival (SO_TIMESTAMPNS, Linux): latency then includes the time a datagram
# waited in the socket's queue, not only the time since recvfrom returned it.
_SO_TIMESTAMPNS = 35 if sys.platform.startswith("linux") else None
_TIMESPEC = struct.Struct("@ll")


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
        self.dispatcher = bridge.dispatcher
        self.counters = bridge.counters
        self.reply_to: tuple[tuple[str, int], ...] = tuple(dict.fromkeys(reply_to))  # ordered, deduplicated
        for ip, reply_port in self.reply_to:
            if reply_port == port and _is_local(ip, host):
                raise StartupError(
                    f"reply address {ip}:{reply_port} is the port the server listens on; "
                    f"choose another --reply-to (default {p.DEFAULT_HOST}:{p.DEFAULT_REPLY_PORT}) or --port"
                )
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
        self._stopping = False
        self._swept = threading.Event()
        self._internal_log = LogLimiter()
        self._stamped = False
        if _SO_TIMESTAMPNS is not None:
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)
                self._stamped = True
            except OSError:
                pass
        self.replies = OscReplies(self.sock, self.reply_to, bridge.counters, osc_format, midi_channel)
        bridge.connect(self.replies)

    # --- receiving --------------------------------------------------------------------------------------------

    def serve_forever(self) -> None:
        """Receive until stop(); never raises for anything a peer sends. The socket blocks with no timeout (a
        timeout costs a poll() per datagram); a helper thread sweeps idle performers under the bridge's lock."""
        sweeper = threading.Thread(target=self._sweep_loop, name="idle-sweep", daemon=True)
        sweeper.start()
        sock = self.sock
        clock, wall = _time.monotonic, _time.time
        stamped = self._stamped
        ancillary = socket.CMSG_SPACE(_TIMESPEC.size)
        try:
            while not self._stopping:
                try:
                    if stamped:
                        data, extra, _, sender = sock.recvmsg(MAX_DATAGRAM, ancillary)
                    else:
                        data, sender = sock.recvfrom(MAX_DATAGRAM)
                except OSError:
                    if self._stopping:
                        break
                    continue
                arrival = clock()
                if self._stopping:
                    break  # the wake-up datagram from stop()
                if stamped and extra:
                    seconds, nanoseconds = _TIMESPEC.unpack(extra[0][2][:_TIMESPEC.size])
                    queued = wall() - (seconds + nanoseconds * 1e-9)
                    if 0.0 < queued < 60.0:  # anything else is the wall clock being set, not a queue
                        arrival -= queued
                self.receive(data, sender, arrival)
        finally:
            self._stopping = True
            self._swept.set()
            sweeper.join()

    def receive(self, data: bytes, sender: Any, arrival: float) -> None:
        """The transport's one entry: a datagram, who sent it and when it arrived (monotonic seconds), as the
        receive loop, the tests and the fuzzer hand it in. Whatever goes wrong inside costs that datagram only."""
        dispatcher = self.dispatcher
        try:
            with dispatcher.lock:
                self.counters.packets += 1
                try:
                    messages, is_bundle = parse_datagram(data)
                except MalformedPacket as exc:
                    self.counters.malformed += 1
                    dispatcher.outbox.reject(str(exc), sender)
                    return
                if is_bundle:
                    self.counters.bundles += 1
                # A bundle's messages run at once, in packing order, all timed at the datagram's arrival.
                for address, args in messages:
                    dispatcher.handle_locked(address, args, sender, arrival)
        except Exception as exc:  # a bug must cost one datagram, never the server
            self._internal_error(exc)

    # The name older callers use (tests/bridge/test_bridge_robustness.py); the same single entry.
    handle_datagram = receive

    def _internal_error(self, exc: Exception) -> None:
        with self.dispatcher.lock:
            self.counters.internal_errors += 1
        self._internal_log.log(f"pianogenie: internal error: {type(exc).__name__}",
                               "".join(traceback.format_exception(exc)).rstrip())

    def _sweep_loop(self) -> None:
        clock = _time.monotonic
        last = clock()
        while not self._swept.wait(WAKE_INTERVAL):
            now = clock()
            try:
                if now - last > PAUSE_GAP:
                    self.bridge.credit_pause(now - last - WAKE_INTERVAL)
                self.bridge.sweep_idle(now)
            except Exception as exc:  # a dead sweeper would leave notes on forever: count, log, sweep again
                self._internal_error(exc)
            last = now

    def stop(self) -> None:
        """Safe from a signal handler or another thread: wakes the blocked receive with an empty datagram."""
        self._stopping = True
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as waker:
                host, port = self.address
                waker.sendto(b"", ("127.0.0.1" if host in ("0.0.0.0", "") else host, port))
            return
        except OSError:
            pass
        # No route to our own address (loopback down, the address gone): on Linux, shutting the socket's
        # reading side wakes the blocked receive, which then sees _stopping. The call itself reports ENOTCONN.
        try:
            self.sock.shutdown(socket.SHUT_RD)
        except OSError:
            pass

    def close(self) -> None:
        self.sock.close()
