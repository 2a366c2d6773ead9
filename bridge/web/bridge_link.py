"""`pianogenie web --bridge [HOST:PORT]`: the page shows the notes that a running `pianogenie serve` plays, read
from its OSCQuery websocket (bridge/osc/stream.py). This module parses the flag and builds the page's
/bridge.json: where serve's OSCQuery server is, the note addresses to LISTEN to (each performer's, as serve sends
them) and how fast the page may send those commands. The page itself connects (web/src/bridge/)."""

from __future__ import annotations

import ipaddress
import json
import socket
import urllib.error
import urllib.request
from typing import Any

from .. import protocol as p
from ..osc.stream import COMMAND_BURST, COMMAND_RATE

DEFAULT_BRIDGE = f"{p.DEFAULT_HOST}:{p.DEFAULT_OSCQUERY_PORT}"
PROBE_TIMEOUT_S = 0.5
# The page's LISTEN commands: half of serve's budget for a client's commands, so they are never taken for a flood.
LISTEN_BURST = COMMAND_BURST // 2
LISTEN_RATE = COMMAND_RATE / 2


class BridgeAddressError(ValueError):
    """A --bridge value that names no OSCQuery server address; the text is the one line to print."""


def parse_bridge(text: str) -> tuple[str, int]:
    """--bridge HOST:PORT (or PORT, on this machine) -> (host, port): serve's OSCQuery HTTP server."""
    host, colon, number = text.strip().rpartition(":")
    host = host.strip("[]") if colon else p.DEFAULT_HOST
    example = f"e.g. --bridge {DEFAULT_BRIDGE} (serve's oscquery address, on its banner)"
    if not number.isdecimal() or not 1 <= int(number) <= 65535 or not host:
        raise BridgeAddressError(f"--bridge {text!r}: expected HOST:PORT with a port 1..65535, {example}")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        try:  # a name: the page is given the address it resolves to now
            host = socket.getaddrinfo(host, int(number), socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
        except (socket.gaierror, UnicodeError) as exc:
            raise BridgeAddressError(f"--bridge {text!r}: cannot resolve {host!r} ({exc})") from None
    return host, int(number)


def bridge_config(host: str, port: int) -> dict[str, Any]:
    """What the page's bridge mode reads from /bridge.json."""
    notes = [{"performer": n, "on": p.output_address(p.OUT_NOTEON, n), "off": p.output_address(p.OUT_NOTEOFF, n)}
             for n in range(p.MAX_PERFORMERS)]
    return {"host": host, "port": port, "notes": notes, "model": p.OUT_MODEL,
            "listen_burst": LISTEN_BURST, "listen_rate": LISTEN_RATE}


def probe(host: str, port: int) -> str:
    """One banner line's worth on serve at that address now (the page keeps looking for it either way)."""
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/?HOST_INFO"
    try:
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT_S) as response:
            info = json.loads(response.read())
    except (OSError, ValueError, urllib.error.URLError):
        return f"nothing answers at {url} now: the page waits for pianogenie serve"
    if not isinstance(info, dict) or "WS_PORT" not in info:
        return f"{url} answers, but with no websocket (serve needs its [stream] extra)"
    return f"{info.get('NAME', 'an OSCQuery server')} at {url}, websocket on port {info['WS_PORT']}"
