"""OSCQuery (the Vidvox proposal): the bridge's address space as HTTP/JSON, generated from the bridge's route
declarations (bridge/routes.py, bridge/handlers.py): each route's types, RANGE, VALUE getter and description, so
the tree, the dispatcher and docs/osc.md cannot drift apart.

`GET /` is the whole tree, `GET /genie/temperature` one node, `?HOST_INFO` the server's OSC endpoint and the
extensions it supports, `?VALUE` (or any other attribute name) one attribute. Unknown paths are 404, an attribute
the node does not have is 204, an unknown query is 400, as the proposal says.

Written here on the standard library's HTTP server rather than with python-oscquery 0.4.0: that library builds
its tree from its own node objects, which must carry a VALUE whenever ACCESS is not 0, so it cannot describe a
write-only method such as /genie/press (no value to read back), and it has no RANGE; the tree here is generated
from the route declarations instead. The tests read it with python-oscquery's client where it installs."""

from __future__ import annotations

import errno
import json
import select
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from .. import protocol as p
from ..core import Bridge
from ..handlers import LINK_VALUES, OUTPUTS
from ..routes import Output, Route
from .origins import local_origin
from .stream import StreamHub, StreamMissing, is_websocket_request

NAME = "Piano Genie bridge"
ATTRIBUTES = ("FULL_PATH", "CONTENTS", "TYPE", "ACCESS", "VALUE", "RANGE", "DESCRIPTION")
EXTENSIONS = {
    "ACCESS": True, "VALUE": True, "RANGE": True, "DESCRIPTION": True,
    "TAGS": False, "EXTENDED_TYPE": False, "UNIT": False, "CRITICAL": False, "CLIPMODE": False,
    "LISTEN": False, "PATH_CHANGED": False, "PATH_RENAMED": False, "PATH_ADDED": False, "PATH_REMOVED": False,
}
# With the websocket (bridge/osc/stream.py, the [stream] extra), on this same port.
STREAM_EXTENSIONS = {"LISTEN": True, "PATH_CHANGED": True}
PEEK_BYTES = 8192  # a request's head, read without taking it, to tell a websocket upgrade from a GET

# Bounds that keep the HTTP side channel from starving OSC (issue 23): a flood of connections, a client that
# trickles its headers or one that never reads its answer costs a bounded number of threads, for bounded time.
MAX_CONNECTIONS = 16  # served at once; more wait in the kernel's queue, costing the bridge nothing
REQUEST_QUEUE_SIZE = 128  # the listen backlog (socketserver's 5 makes one connection in a few wait for a SYN retry)
ACCEPTS_PER_SECOND = 500  # connections taken per second at most, so a flood's CPU cost is capped
ANSWERS_PER_SECOND = 200  # requests answered per second at most, by all clients together (a client that reads
# the tree once and polls a few VALUEs never meets it; eager clients only wait, and OSC keeps the CPU)
HEADER_DEADLINE_S = 5.0  # a new connection must have sent a whole request within this, however it trickles
IDLE_DEADLINE_S = 10.0  # a kept-alive connection must send its next whole request within this
WRITE_DEADLINE_S = 10.0  # an answer must have been taken by the client within this
EMFILE_BACKOFF_S = 0.5  # out of descriptors: wait instead of spinning on a failing accept
MAX_TEMPLATES = 1024

_SLOT = "\x00value\x00"
_SLOT_JSON = json.dumps(_SLOT).encode()
# (JSON split at each VALUE, the (value, performer) of each split, [the last values, the bytes they gave])
_Template = tuple[tuple[bytes, ...], list[tuple[Route, int]], list[Any]]


# The containers between /genie and a method deeper down (a plugin's parameters).
CONTAINERS = {
    f"{p.PREFIX}/plugin": "the instrument plugin that serve hosts (--synth lv2:URI or vst3:PATH)",
    f"{p.PREFIX}/link": "the Ableton Link session (serve --link): tempo, beat, phase and peers now; null when off",
    p.PLUGIN_PARAMS: "the plugin's parameters, each TYPE f in its RANGE with its VALUE now; send one a value to set it",
}


def _leaf(address: str) -> str:
    return address.rsplit("/", 1)[1]


def _document_order(methods: list, base: str) -> list:
    """The methods below `base` in the order the nested tree's JSON lists them (each container where its first
    method was declared): the order their VALUE slots are filled in (Namespace._build)."""
    first: dict[str, int] = {}
    keyed = []
    for method in methods:
        parts = method.address[len(base) + 1:].split("/")
        keyed.append((tuple(first.setdefault("/".join(parts[:k + 1]), len(first)) for k in range(len(parts))), method))
    return [method for _, method in sorted(keyed, key=lambda pair: pair[0])]


class Namespace:
    """The tree, with live VALUEs read from the bridge at each request. Reads take no lock: each is one attribute
    read (atomic under the GIL), and a press must never wait for an HTTP client."""

    def __init__(self, bridge: Bridge):
        self.bridge = bridge
        self._slots: list[tuple[Route, int]] | None = None
        self._templates: dict[tuple[str, str], _Template] = {}
        self._key: tuple[Any, ...] | None = None
        self._lock = threading.Lock()

    def _method(self, path: str, method: Route | Output, performer: int) -> dict[str, Any]:
        node: dict[str, Any] = {"FULL_PATH": path, "ACCESS": method.access, "DESCRIPTION": method.description}
        if method.types:
            node["TYPE"] = method.types
            node["RANGE"] = method.bounds(self.bridge)
        if method.value is not None:
            if self._slots is not None:  # building a template: the VALUE is patched in at each request
                self._slots.append((method, performer))
                node["VALUE"] = _SLOT
            else:
                node["VALUE"] = method.value(self.bridge, performer)
        return node

    def _outputs(self) -> tuple[Output, ...]:
        """What the tree lists beside the routes: the outputs, and the Link session's values while Link is on."""
        return OUTPUTS + LINK_VALUES if self.bridge.stats.link is not None else OUTPUTS

    def _container(self, path: str, description: str, contents: dict[str, Any]) -> dict[str, Any]:
        return {"FULL_PATH": path, "ACCESS": 0, "DESCRIPTION": description, "CONTENTS": contents}

    def _nest(self, contents: dict[str, Any], base: str, method: Route | Output) -> None:
        """Places a method in the container at `base` (whose CONTENTS is `contents`) by its address below it,
        with the containers in between (/genie/plugin/params/<name>)."""
        parts = method.address[len(base) + 1:].split("/")
        path = base
        for part in parts[:-1]:
            path += "/" + part
            if part not in contents:
                contents[part] = self._container(path, CONTAINERS.get(path, path), {})
            contents = contents[part]["CONTENTS"]
        contents[parts[-1]] = self._method(method.address, method, 0)

    def _performer(self, number: int) -> dict[str, Any]:
        contents = {}
        for route in self.bridge.routes:
            if route.per_performer:
                contents[route.verb] = self._method(p.performer_address(route.address, number), route, number)
        if number:
            for output in self._outputs():
                if output.per_performer:
                    contents[_leaf(output.address)] = self._method(p.output_address(output.address, number), output, number)
        return self._container(
            f"{p.PREFIX}/{number}",
            f"performer {number}: the methods of {p.PREFIX} for this performer ({p.PREFIX}/<n>/<method>, "
            f"n = 0..{p.MAX_PERFORMERS - 1}; {p.PREFIX}/0/... is the same as {p.PREFIX}/...)",
            contents)

    def _genie(self) -> dict[str, Any]:
        contents: dict[str, Any] = {}
        for method in _document_order([*self.bridge.routes, *self._outputs()], p.PREFIX):
            self._nest(contents, p.PREFIX, method)
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
        found = self.bridge.routes.addresses().get(address)
        if found is not None:
            route, number = found
            return self._method(address, route, number)
        for output in self._outputs():
            for number in range(p.MAX_PERFORMERS) if output.per_performer else (0,):
                if p.output_address(output.address, number) == address:
                    return self._method(address, output, number)
        inside = [method for method in (*self.bridge.routes, *self._outputs()) if method.address.startswith(address + "/")]
        if not inside:
            return None
        contents: dict[str, Any] = {}
        for method in _document_order(inside, address):
            self._nest(contents, address, method)
        return self._container(address, CONTAINERS.get(address, address), contents)

    def answer(self, path: str, query: str) -> bytes | None:
        """The JSON of the node at `path` (of its attribute `query` if given), or None when there is no such
        node; b"" when the node lacks that attribute. Built once per (path, query) and model, then served from
        bytes with the live VALUEs patched in: a `GET /` costs a join, not a 138 KB tree built in Python."""
        key = self._cache_key()
        with self._lock:
            if key != self._key:
                self._templates.clear()
                self._key = key
            template = self._templates.get((path, query))
            if template is None:
                template = self._build(path, query)
                if template is None:
                    return None
                if len(self._templates) < MAX_TEMPLATES:  # unknown paths are never cached, so this is a backstop
                    self._templates[(path, query)] = template
        chunks, slots, last = template
        if not slots:
            return chunks[0]
        values = [method.value(self.bridge, number) for method, number in slots]
        if last and last[0] == values:  # nothing played since the last answer: the same bytes
            return last[1]
        encoded = [json.dumps(value, separators=(",", ":")).encode() for value in values]
        body = b"".join(part for pair in zip(chunks, encoded) for part in pair) + chunks[-1]
        last[:] = [values, body]  # one list swap: a concurrent reader sees the old pair or the new one
        return body

    def _cache_key(self) -> tuple[Any, ...]:
        """What the tree's shape depends on: the model (a swap), the models folder's listing, the routes and Link."""
        library = self.bridge.library
        routes = (self.bridge.routes.version, self.bridge.stats.link is not None)  # a plugin's parameters; Link
        if library is None:
            return (self.bridge.genie, None, routes)
        library.names()  # starts a re-reading when the last one is old
        return (self.bridge.genie, library.version, routes)

    def _build(self, path: str, query: str) -> "_Template | None":
        self._slots = []
        try:
            node = self.node(path)
            slots, self._slots = self._slots, None
        finally:
            self._slots = None
        if node is None:
            return None
        if query and query not in node:
            return (b"",), [], []
        document = {query: node[query]} if query else node
        text = json.dumps(document, separators=(",", ":")).encode("utf-8")
        chunks = tuple(text.split(_SLOT_JSON))
        # Only the slots this document holds, in order (a one-attribute answer holds at most one).
        return chunks, slots[:len(chunks) - 1], []  # document order is build order; an attribute may hold none


class OscQueryServer:
    """The HTTP side channel of an OSC server at `osc_address`: one accept thread that takes a connection only
    when one of MAX_CONNECTIONS slots is free (the rest wait in the kernel's queue) and at most
    ACCEPTS_PER_SECOND, a thread per taken connection, and a watchdog that shuts any connection past its
    absolute deadline. Nothing a client does is logged."""

    def __init__(self, bridge: Bridge, host: str, port: int, osc_address: tuple[str, int]):
        namespace = Namespace(bridge)
        osc_host, osc_port = osc_address
        self.stream = _stream_hub(namespace)
        extensions = {**EXTENSIONS, **STREAM_EXTENSIONS} if self.stream is not None else EXTENSIONS
        host_info: dict[str, Any] = {"NAME": NAME, "OSC_PORT": osc_port, "OSC_TRANSPORT": "UDP", "EXTENSIONS": extensions}
        if osc_host not in ("0.0.0.0", ""):  # else a client uses the address it reached us on
            host_info["OSC_IP"] = osc_host

        class Handler(_Handler):
            pass

        Handler.namespace = namespace
        Handler.host_info_bytes = json.dumps(host_info, separators=(",", ":")).encode("utf-8")
        Handler.owner = self
        self.httpd = _Listener((host, port), Handler)
        self.address: tuple[str, int] = self.httpd.server_address[:2]
        if self.stream is not None:
            host_info["WS_IP"], host_info["WS_PORT"] = self.address
            Handler.host_info_bytes = json.dumps(host_info, separators=(",", ":")).encode("utf-8")
        self.internal_errors = 0
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._deadlines: dict[socket.socket, float] = {}
        self._deadlines_lock = threading.Lock()
        self._pace_lock = threading.Lock()
        self._next_answer = 0.0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept_loop, name="oscquery", daemon=True),
                         threading.Thread(target=self._watchdog, name="oscquery-watchdog", daemon=True)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=2)
        with self._deadlines_lock:
            for sock in list(self._deadlines):
                _shut(sock)
        if self.stream is not None:
            self.stream.close()
        self.httpd.server_close()

    def pace(self) -> None:
        """Waits for this answer's turn, at most ANSWERS_PER_SECOND in all; the sleep holds no lock."""
        with self._pace_lock:
            now = time.monotonic()
            turn = max(now, self._next_answer)
            self._next_answer = turn + 1.0 / ANSWERS_PER_SECOND
        if turn > now:
            time.sleep(turn - now)

    def crowded(self) -> bool:
        """Most slots taken: a kept-alive connection then closes after its answer, so that a crowd of clients
        that never hang up cannot hold every slot for an idle deadline each."""
        return len(self._deadlines) >= MAX_CONNECTIONS // 2

    def set_deadline(self, sock: socket.socket, seconds: float) -> None:
        with self._deadlines_lock:
            self._deadlines[sock] = time.monotonic() + seconds

    def _accept_loop(self) -> None:
        listener = self.httpd.socket
        interval = 1.0 / ACCEPTS_PER_SECOND
        last = 0.0
        while not self._stop.is_set():
            if not self._slots.acquire(timeout=0.2):
                continue  # every slot busy: the kernel queues (then refuses) new connections, at no cost to us
            try:
                if not select.select([listener], [], [], 0.2)[0]:
                    self._slots.release()
                    continue
                wait = last + interval - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                sock, client = listener.accept()
                last = time.monotonic()
            except OSError as exc:
                self._slots.release()
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    self._stop.wait(EMFILE_BACKOFF_S)  # the descriptors come back as connections close
                continue
            try:
                threading.Thread(target=self._connection, args=(sock, client), name="oscquery-client", daemon=True).start()
            except RuntimeError:  # no thread to be had: drop this client, not the server
                _shut(sock)
                sock.close()
                self._slots.release()

    def _connection(self, sock: socket.socket, client: Any) -> None:
        self.set_deadline(sock, HEADER_DEADLINE_S)
        streaming = False
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms Nagle stall per kept-alive answer
            if self.stream is not None and is_websocket_request(self._peek_head(sock)):
                with self._deadlines_lock:
                    self._deadlines.pop(sock, None)  # the stream keeps its own deadlines
                streaming = self.stream.accept(sock)
                if not streaming:
                    sock.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
                return
            self.httpd.finish_request(sock, client)
        except OSError:
            pass  # the client went away mid-answer, or its deadline shut it: nothing to report
        except Exception as exc:  # a bug of ours: one line, and the server goes on
            self.internal_errors += 1
            print(f"pianogenie serve: oscquery: internal error ({type(exc).__name__}: {exc})", file=sys.stderr, flush=True)
        finally:
            with self._deadlines_lock:
                self._deadlines.pop(sock, None)
            if not streaming:
                _shut(sock)
                sock.close()
            self._slots.release()

    def _peek_head(self, sock: socket.socket) -> bytes:
        """The request's head as far as it has come, left in the socket for whoever reads it; waits (within the
        header deadline, which the watchdog enforces by shutting the socket) until the blank line."""
        head = b""
        deadline = time.monotonic() + HEADER_DEADLINE_S
        while b"\r\n\r\n" not in head and len(head) < PEEK_BYTES:
            # Cut by the watchdog (it forgets the socket), or past the deadline: a socket shut for reading still
            # peeks the bytes it holds, so the peek alone would never end.
            with self._deadlines_lock:
                cut = sock not in self._deadlines
            if cut or time.monotonic() > deadline:
                return b""
            before = len(head)
            head = sock.recv(PEEK_BYTES, socket.MSG_PEEK)
            if not head:
                return b""
            if len(head) == before:
                time.sleep(0.01)  # a peek of the same bytes is always ready: wait for more to come
        return head

    def _watchdog(self) -> None:
        while not self._stop.wait(0.25):
            now = time.monotonic()
            with self._deadlines_lock:
                late = [sock for sock, deadline in self._deadlines.items() if deadline < now]
                for sock in late:
                    del self._deadlines[sock]
            for sock in late:
                _shut(sock)  # wakes the thread blocked in recv or send; it then closes the connection


def _stream_hub(namespace: Namespace) -> StreamHub | None:
    """The websocket of LISTEN, when the [stream] extra is installed."""
    try:
        return StreamHub(exists=lambda path: namespace.node(path) is not None)
    except StreamMissing:
        return None


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _Listener(HTTPServer):
    """Only the listening socket and the request-handler plumbing of socketserver; OscQueryServer accepts."""

    request_queue_size = REQUEST_QUEUE_SIZE


class _Handler(BaseHTTPRequestHandler):
    namespace: Namespace
    host_info_bytes: bytes
    owner: OscQueryServer
    protocol_version = "HTTP/1.1"  # keep-alive: a client browsing node by node reuses its connection
    timeout = HEADER_DEADLINE_S  # per read; the watchdog enforces the absolute deadlines
    server_version = "pianogenie-oscquery"

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection:
            self.owner.set_deadline(self.connection, IDLE_DEADLINE_S)
            self.handle_one_request()

    def do_GET(self) -> None:  # noqa: N802 - the http.server interface
        self.owner.set_deadline(self.connection, WRITE_DEADLINE_S)
        self.owner.pace()
        url = urlsplit(self.path)
        query = unquote(url.query)
        if query == "HOST_INFO":
            self._json(HTTPStatus.OK, self.host_info_bytes)
            return
        if query and query not in ATTRIBUTES:
            self._empty(HTTPStatus.BAD_REQUEST)
            return
        body = self.namespace.answer(unquote(url.path), query)
        if body is None:
            self._empty(HTTPStatus.NOT_FOUND)
        elif not body:
            self._empty(HTTPStatus.NO_CONTENT)
        else:
            self._json(HTTPStatus.OK, body)

    def send_response(self, code: int, message: str | None = None) -> None:
        super().send_response(code, message)
        origin = self.headers.get("Origin") if getattr(self, "headers", None) is not None else None
        if origin and local_origin(origin):
            # a page of this machine or network on another port (`pianogenie web --bridge`) reads HOST_INFO
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        if self.owner.crowded():
            self.send_header("Connection", "close")  # also sets close_connection

    def _json(self, status: HTTPStatus, body: bytes) -> None:
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
