"""OSCQuery (the Vidvox proposal): the bridge's address space as HTTP/JSON, generated from bridge/protocol.py's
ROUTES and METHODS, so the tree, the dispatcher and docs/osc.md cannot drift apart.

`GET /` is the whole tree, `GET /genie/temperature` one node, `?HOST_INFO` the server's OSC endpoint and the
extensions it supports, `?VALUE` (or any other attribute name) one attribute. Unknown paths are 404, an attribute
the node does not have is 204, an unknown query is 400, as the proposal says.

Written here on the standard library's HTTP server rather than with python-oscquery 0.4.0: that library builds
its tree from its own node objects, which must carry a VALUE whenever ACCESS is not 0, so it cannot describe a
write-only method such as /genie/press (no value to read back), and it has no RANGE; the tree here is generated
from protocol.py instead. The tests read it with python-oscquery's client where it installs."""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from engine.constants import LOWEST_PITCH, NUM_KEYS

from .. import protocol as p
from ..core import Bridge
from ..models import model_name

NAME = "Piano Genie bridge"
ATTRIBUTES = ("FULL_PATH", "CONTENTS", "TYPE", "ACCESS", "VALUE", "RANGE", "DESCRIPTION")
EXTENSIONS = {
    "ACCESS": True, "VALUE": True, "RANGE": True, "DESCRIPTION": True,
    "TAGS": False, "EXTENDED_TYPE": False, "UNIT": False, "CRITICAL": False, "CLIPMODE": False,
    "LISTEN": False, "PATH_CHANGED": False, "PATH_RENAMED": False, "PATH_ADDED": False, "PATH_REMOVED": False,
}
# Output-only addresses: what the bridge sends (performer n's notes under /genie/n/...).
_OUTPUTS = (p.OUT_NOTEON, p.OUT_NOTEOFF, p.OUT_ERROR)
_PERFORMER_OUTPUTS = (p.OUT_NOTEON, p.OUT_NOTEOFF)


class Namespace:
    """The tree, with live VALUEs read from the bridge at each request. Reads take no lock: each is one attribute
    read (atomic under the GIL), and a press must never wait for an HTTP client."""

    def __init__(self, bridge: Bridge):
        self.bridge = bridge

    def _value(self, name: str, performer: int) -> list | None:
        bridge = self.bridge
        state = bridge.performers.get(performer)
        if name == "temperature":
            return [state.temperature if state else bridge.temperature]
        if name == "sustain":
            return [int(state.sustain) if state else 0]
        if name == "range":
            keys = state.keys if state and state.keys else (0, NUM_KEYS - 1)
            return [min(keys) + LOWEST_PITCH, max(keys) + LOWEST_PITCH]
        if name == "model":
            return [model_name(bridge.genie)]
        raise KeyError(name)

    def _method(self, path: str, method: p.Method, performer: int) -> dict[str, Any]:
        node: dict[str, Any] = {"FULL_PATH": path, "ACCESS": method.access, "DESCRIPTION": method.description}
        if method.types:
            node["TYPE"] = method.types
            ranges = [dict(r) for r in method.ranges]
            if method.value == "model":
                library = self.bridge.library
                ranges[0]["VALS"] = library.names() if library is not None else self._value("model", 0)
            node["RANGE"] = ranges
        if method.value is not None:
            node["VALUE"] = self._value(method.value, performer)
        return node

    def _container(self, path: str, description: str, contents: dict[str, Any]) -> dict[str, Any]:
        return {"FULL_PATH": path, "ACCESS": 0, "DESCRIPTION": description, "CONTENTS": contents}

    def _performer(self, number: int) -> dict[str, Any]:
        contents = {}
        for verb in p.PERFORMER_VERBS:
            address = f"{p.PREFIX}/{verb}"
            contents[verb] = self._method(p.performer_address(address, number), p.METHODS[address], number)
        if number:
            for address in _PERFORMER_OUTPUTS:
                contents[address.rsplit("/", 1)[1]] = self._method(p.output_address(address, number), p.METHODS[address], number)
        return self._container(
            f"{p.PREFIX}/{number}",
            f"performer {number}: the methods of {p.PREFIX} for this performer ({p.PREFIX}/<n>/<method>, "
            f"n = 0..{p.MAX_PERFORMERS - 1}; {p.PREFIX}/0/... is the same as {p.PREFIX}/...)",
            contents)

    def _genie(self) -> dict[str, Any]:
        contents: dict[str, Any] = {}
        for address in p.INPUT_ADDRESSES + _OUTPUTS:
            contents[address.rsplit("/", 1)[1]] = self._method(address, p.METHODS[address], 0)
        for number in range(p.MAX_PERFORMERS):
            contents[str(number)] = self._performer(number)
        return self._container(p.PREFIX, "Piano Genie: 8 buttons in, 88-key piano notes out (docs/osc.md)", contents)

    def node(self, path: str) -> dict[str, Any] | None:
        """The node at an OSC path ("/" is the root), or None when there is none."""
        parts = [part for part in path.split("/") if part]
        if not parts:
            return self._container("/", NAME, {p.PREFIX[1:]: self._genie()})
        if parts[0] != p.PREFIX[1:]:
            return None
        if len(parts) == 1:
            return self._genie()
        if len(parts) == 2 and parts[1].isdecimal() and str(int(parts[1])) == parts[1] and int(parts[1]) < p.MAX_PERFORMERS:
            return self._performer(int(parts[1]))
        address = "/" + "/".join(parts)
        route = p.ROUTES.get(address)
        if route is not None:
            number, verb = route
            return self._method(address, p.METHODS[f"{p.PREFIX}/{verb}"], number)
        for base in _OUTPUTS:
            for number in range(p.MAX_PERFORMERS) if base in _PERFORMER_OUTPUTS else (0,):
                if p.output_address(base, number) == address:
                    return self._method(address, p.METHODS[base], number)
        return None


class OscQueryServer:
    """The HTTP side channel of an OSC server at `osc_address`, on its own threads."""

    def __init__(self, bridge: Bridge, host: str, port: int, osc_address: tuple[str, int]):
        namespace = Namespace(bridge)
        osc_host, osc_port = osc_address
        host_info: dict[str, Any] = {"NAME": NAME, "OSC_PORT": osc_port, "OSC_TRANSPORT": "UDP", "EXTENSIONS": EXTENSIONS}
        if osc_host not in ("0.0.0.0", ""):  # else a client uses the address it reached us on
            host_info["OSC_IP"] = osc_host

        class Handler(_Handler):
            pass

        Handler.namespace = namespace
        Handler.host_info = host_info
        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.address: tuple[str, int] = self.httpd.server_address[:2]
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="oscquery", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        if self._thread.is_alive():
            self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    namespace: Namespace
    host_info: dict[str, Any]
    protocol_version = "HTTP/1.1"  # keep-alive: a client browsing node by node reuses its connection
    timeout = 30  # seconds a kept-alive connection may sit idle: an abandoned client must not hold a thread forever
    server_version = "pianogenie-oscquery"

    def do_GET(self) -> None:  # noqa: N802 - the http.server interface
        url = urlsplit(self.path)
        query = unquote(url.query)
        if query == "HOST_INFO":
            self._json(HTTPStatus.OK, self.host_info)
            return
        if query and query not in ATTRIBUTES:
            self._empty(HTTPStatus.BAD_REQUEST)
            return
        node = self.namespace.node(unquote(url.path))
        if node is None:
            self._empty(HTTPStatus.NOT_FOUND)
        elif not query:
            self._json(HTTPStatus.OK, node)
        elif query in node:
            self._json(HTTPStatus.OK, {query: node[query]})
        else:
            self._empty(HTTPStatus.NO_CONTENT)

    def _json(self, status: HTTPStatus, document: Any) -> None:
        body = json.dumps(document, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _empty(self, status: HTTPStatus) -> None:
        self.send_response(status)
        if status != HTTPStatus.NO_CONTENT:
            self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no log line per peer request (docs/osc.md: Robustness)
