"""The side channels that let OSC clients find and describe a running bridge: the OSCQuery HTTP server and its
Zeroconf advertisement, opened together for `serve` with one banner line each, and closed together."""

from __future__ import annotations

import errno
import ipaddress

from ..core import Bridge
from ..protocol import DEFAULT_HOST
from ..discovery import Advertiser, zeroconf_missing
from .link_stream import LinkPublisher
from .oscquery import OscQueryServer


class AnnounceError(ValueError):
    """A flag the side channels cannot start with; the text is the one line to print."""


def parse_oscquery_port(text: str) -> int | tuple[str, int] | None:
    """--oscquery-port: a TCP port 0..65535 (0 = any free port) on loopback, HOST:PORT to serve it on another
    interface (it is then open to that network), or None for "none"."""
    if text == "none":
        return None
    host, colon, number = text.rpartition(":")
    try:
        port = int(number)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535 or (colon and not host):
        raise AnnounceError(f"--oscquery-port must be 0..65535 (0 = any free port), HOST:PORT or none, got {text!r}")
    return (host.strip("[]"), port) if colon else port


class Announce:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self.server: OscQueryServer | None = None
        self.advertiser: Advertiser | None = None
        self.link_stream: LinkPublisher | None = None

    def open(self, bridge: Bridge, host: str, osc_address: tuple[str, int], port: int | tuple[str, int] | None,
             explicit: bool, zeroconf: bool) -> None:
        """Raises AnnounceError when a port the user named cannot be had; the default port, when taken (another
        bridge runs), gives way to any free one. The HTTP server listens on loopback whatever `host` OSC has,
        unless `port` names a host: `--host 0.0.0.0` opens the OSC port to the network, not an HTTP server."""
        advertise_http = True
        if isinstance(port, tuple):
            host, port = port
        elif port is not None:
            advertise_http = _is_loopback(host)  # a LAN client found by Zeroconf could not reach loopback
            host = DEFAULT_HOST
        if port is not None:
            try:
                self.server = OscQueryServer(bridge, host, port, osc_address)
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE or explicit:
                    raise AnnounceError(f"--oscquery-port {port}: cannot listen on {host}:{port} "
                                        f"({exc.strerror or exc})") from None
                self.server = OscQueryServer(bridge, host, 0, osc_address)
            self.server.start()
            if self.server.stream is not None:
                bridge.stats.stream = self.server.stream.stats
                if bridge.stats.link is not None:  # serve --link: its values once a beat to those listening
                    self.link_stream = LinkPublisher(bridge.stats.link, self.server.stream)
                    self.link_stream.start()
            if self.server.stream is not None and bridge.link is not None:
                bridge.link.stream = self.server.stream  # the replies' datagrams, to LISTENing clients too
            http_host, http_port = self.server.address
            self.lines.append(("oscquery", f"http://{http_host}:{http_port}/  (the address space as JSON; "
                                           "?HOST_INFO for the server)"))
        else:
            self.lines.append(("oscquery", "off (--oscquery-port none)"))
        if not zeroconf:
            self.lines.append(("zeroconf", "off (--no-zeroconf)"))
            return
        missing = zeroconf_missing()
        if missing:
            self.lines.append(("zeroconf", missing))
            return
        self.advertiser = Advertiser(f"Piano Genie {osc_address[1]}", osc_address[0], osc_address[1],
                                     self.server.address[1] if self.server and advertise_http else None)
        self.advertiser.start()
        self.lines.append(("zeroconf", self.advertiser.describe()))

    def close(self) -> None:
        if self.link_stream is not None:
            self.link_stream.close()
        if self.advertiser is not None:
            self.advertiser.close()
        if self.server is not None:
            self.server.close()



def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
