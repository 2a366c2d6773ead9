"""The browser app's HTTP server: the app (web/) and a model directory, from one local server.

The page fetches everything from this one server: its ES modules, TensorFlow.js, the wasm binaries and Tone.js
from web/node_modules (`npm ci` in web/), the model at /model/, and the General MIDI SoundFont of the page's piano at
/soundfont.sf2 (with /soundfont.json saying whether there is one). Nothing is fetched from the network.
An installed package serves the copy of the page that setup.py put in the wheel (bridge/web/page/).
"""

from __future__ import annotations

import functools
import http.server
import io
import ipaddress
import json
import os
import socket
import ssl
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pianogenie.engine.constants import CONFIG_NAME, FIXTURE_NAME, MANIFEST_NAME

from ..protocol import DEFAULT_HOST
from ..sound.file_check import soundfont_damage
from ..sound.soundfont import SoundFontError, check_soundfont, find_soundfont

# The wheel's copy of the page (made at build time, never in the source tree), else the checkout's web/.
PACKAGED_WEB_ROOT = Path(__file__).resolve().parent / "page"
CHECKOUT_WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
WEB_ROOT = PACKAGED_WEB_ROOT if (PACKAGED_WEB_ROOT / "index.html").is_file() else CHECKOUT_WEB_ROOT
MODEL_PREFIX = "/model/"
# The one route to the SoundFont: the file found at start-up, never a path taken from the request.
SOUNDFONT_ROUTE = "/soundfont.sf2"
SOUNDFONT_INFO_ROUTE = "/soundfont.json"
# `web --bridge`: where serve is and what the page listens to (bridge/web/bridge_link.py); {"bridge": null} without.
BRIDGE_INFO_ROUTE = "/bridge.json"
DEFAULT_PORT = 8000
# Seconds a connection may wait between two reads of its request: an abandoned client does not keep a thread.
IDLE_TIMEOUT_S = 20.0
# What of web/ the page loads (setup.py ships the same): these files, src/, and from node_modules only what
# web/vendor.txt lists. tools/, test/, package files and the rest of node_modules stay private.
PAGE_FILES = ("index.html", "bench.html", "style.css")
PAGE_FOLDERS = ("src/",)
VENDOR_LIST = "vendor.txt"
# The model files the page fetches besides the manifest's shards (FIXTURE_NAME: the page's self-test).
MODEL_FILES = (MANIFEST_NAME, CONFIG_NAME, FIXTURE_NAME)
# Files the page cannot run without: a clear message beats a blank page.
REQUIRED_WEB_FILES = (
    "index.html",
    "node_modules/@tensorflow/tfjs-core/dist/tf-core.min.js",
    "node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm",
    "node_modules/tone/build/Tone.js",
)
_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".wasm": "application/wasm",  # needed for WebAssembly.instantiateStreaming
    ".json": "application/json",
    ".bin": "application/octet-stream",
    ".sf2": "application/octet-stream",
    ".sf3": "application/octet-stream",
}


class WebAppError(RuntimeError):
    """The app cannot be served (missing build or model); the message says what to do."""


def check_web_root(web_root: Path) -> None:
    missing = [name for name in REQUIRED_WEB_FILES if not (web_root / name).is_file()]
    if missing:
        fix = ("reinstall pianogenie-bridge: this install is incomplete" if web_root == PACKAGED_WEB_ROOT
               else "run `make web-deps` (npm ci in web/)")
        raise WebAppError(f"{web_root}: missing {', '.join(missing)}; {fix}")


def resolve_model_dir(model_dir: str | os.PathLike | None) -> Path:
    """The directory to serve at /model/: the given one, or the engine's embedded default model."""
    if model_dir is None:
        from pianogenie.engine import default_model_dir  # numpy only; kept lazy so `pianogenie --help` stays fast

        path = Path(default_model_dir())
        if not (path / MANIFEST_NAME).is_file():
            raise WebAppError(f"{path}: the embedded default model is not installed; pass --model DIR")
        return path
    path = Path(model_dir).resolve()
    if not (path / MANIFEST_NAME).is_file():
        raise WebAppError(f"{path}: not a model directory (no {MANIFEST_NAME})")
    return path


def resolve_soundfont(named: str | os.PathLike | None) -> tuple[Path | None, str]:
    """The SoundFont to serve and a one-line note: --soundfont FILE (a bad one is a WebAppError), else the best
    General MIDI one installed, else None and the reason the page's piano is off."""
    if named is not None:
        try:
            path = check_soundfont(named).resolve()
        except SoundFontError as exc:
            raise WebAppError(str(exc)) from None
        damage = soundfont_damage(path)  # the page would fetch megabytes before finding out
        if damage:
            raise WebAppError(f"--soundfont {named}: {damage}")
        return path, ""
    try:
        return find_soundfont().resolve(), ""
    except SoundFontError:
        return None, ("no General MIDI SoundFont installed (apt install fluid-soundfont-gm or timgm6mb-soundfont, "
                      "or pianogenie web --soundfont FILE)")


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from the web root, with the model directory mounted at /model/. No directory listings."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **_TYPES}

    timeout = IDLE_TIMEOUT_S

    def __init__(self, *args, web_root: Path, model_dir: Path, soundfont: Path | None = None,
                 soundfont_note: str = "", public: "PublicFiles", bridge: dict | None = None, **kwargs):
        self._bridge = bridge
        self._model_dir = model_dir
        self._soundfont = soundfont
        self._soundfont_note = soundfont_note
        self._public = public
        super().__init__(*args, directory=str(web_root), **kwargs)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if not self._public.host_allowed(self.headers.get("Host", "")):
            # DNS rebinding: a page from another site, its name pointed at this machine, must not read the app
            self.send_error(403, "unknown Host")
            return False
        return True

    def translate_path(self, path: str) -> str:
        # The base class drops '..' and other unsafe parts; only the root changes for /model/.
        route = unquote(urlsplit(path).path)
        nowhere = super().translate_path("/.not-served")  # a name under the root that is never there (a 404)
        if route == SOUNDFONT_ROUTE:
            # The file chosen at start-up; without one, the 404.
            return str(self._soundfont) if self._soundfont else nowhere
        if route.startswith(MODEL_PREFIX):
            saved, self.directory = self.directory, str(self._model_dir)
            try:
                translated = super().translate_path(path[len(MODEL_PREFIX) - 1:])
            finally:
                self.directory = saved
            return translated if self._public.model_file(translated) else nowhere
        translated = super().translate_path(path)
        return translated if self._public.page_file(translated) else nowhere

    def send_head(self):  # noqa: ANN201 - base-class signature
        route = unquote(urlsplit(self.path).path)
        if route == SOUNDFONT_INFO_ROUTE:
            return self._send_soundfont_info()
        if route == BRIDGE_INFO_ROUTE:
            return self._send_json({"bridge": self._bridge})
        try:
            return super().send_head()
        except ValueError:  # a NUL byte in the path (GET /%00): the file system refuses the name
            self.send_error(400, "bad path")
            return None

    def _send_soundfont_info(self):  # noqa: ANN202
        """{"available", "name", "bytes", "reason"}: what the page's sound list shows for the piano."""
        soundfont = self._soundfont
        return self._send_json({
            "available": soundfont is not None,
            "name": soundfont.name if soundfont else None,
            "bytes": soundfont.stat().st_size if soundfont else 0,
            "reason": "" if soundfont else (self._soundfont_note or "this server was started without a SoundFont"),
        })

    def _send_json(self, document: dict):  # noqa: ANN202
        body = json.dumps(document).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def list_directory(self, path):  # noqa: ANN001 - base-class signature
        self.send_error(404, "directory listings are off")
        return None

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        # Cross-origin isolation gives performance.now() its fine resolution for the page's latency readout.
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - base-class signature
        pass


class PublicFiles:
    """Which paths the server may answer with, and for which Host names: the page's files, the model's files as
    its manifest names them, each resolving inside its folder (no symlink out)."""

    def __init__(self, web_root: Path, model_dir: Path, host: str):
        self.web_root, self.model_dir = web_root, model_dir
        vendor = web_root / VENDOR_LIST
        # The wheel's page holds only what the page loads, and no vendor list: all of it is public.
        self.vendor = None if not vendor.is_file() else {
            line.strip() for line in vendor.read_text().splitlines() if line.strip() and not line.lstrip().startswith("#")}
        shards: set[str] = set()
        try:
            manifest = json.loads((model_dir / MANIFEST_NAME).read_text())
            shards = {path for group in manifest for path in group.get("paths", []) if isinstance(path, str)}
        except (OSError, ValueError, TypeError, AttributeError):
            pass  # the page reports the broken manifest; its shards are then not served
        self.model_files = set(MODEL_FILES) | shards
        name = socket.gethostname().lower()
        self.hosts = {"localhost", name, f"{name.split('.')[0]}.local", host.lower()}

    def host_allowed(self, header: str) -> bool:
        """An IP address, localhost or this machine's name: never a domain that merely resolves here."""
        host = header.strip().lower()
        if host.startswith("["):
            host = host[1:host.find("]")] if "]" in host else host
        elif host.count(":") == 1:
            host = host.split(":")[0]
        try:
            ipaddress.ip_address(host)
            return True
        except ValueError:
            return host.rstrip(".") in self.hosts

    @staticmethod
    def _inside(translated: str, root: Path) -> str | None:
        """The path relative to root, if it is under root and resolves inside it (symlinks followed); else None."""
        path = Path(translated)
        try:
            inside = path.resolve().is_relative_to(root.resolve())
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop
            return None
        return path.relative_to(root).as_posix() if inside and path.is_relative_to(root) else None

    def page_file(self, translated: str) -> bool:
        relative = self._inside(translated, self.web_root)
        if relative is None:
            return False
        if relative.startswith("node_modules/"):
            return self.vendor is None or relative in self.vendor
        return relative in (".", *PAGE_FILES) or relative.startswith(PAGE_FOLDERS) or (
            self.vendor is None and not relative.startswith("."))

    def model_file(self, translated: str) -> bool:
        relative = self._inside(translated, self.model_dir)
        return relative in self.model_files


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    tls: ssl.SSLContext | None = None

    def finish_request(self, request, client_address) -> None:  # noqa: ANN001 - base-class signature
        if self.tls is None:
            return super().finish_request(request, client_address)
        # The TLS handshake runs in the connection's own thread, under the idle timeout: a client that connects
        # and says nothing holds one thread for a while, never the accept loop.
        request.settimeout(IDLE_TIMEOUT_S)
        secure = self.tls.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
        try:
            secure.do_handshake()
            super().finish_request(secure, client_address)
        finally:
            secure.close()

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001 - base-class signature
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            return  # an aborted download, a reset, a timeout: the client's business, not a log line
        print(f"pianogenie web: internal error ({type(error).__name__}: {error})", file=sys.stderr, flush=True)


class WebServer:
    """The app's HTTP server, running in a background thread until close()."""

    def __init__(self, model_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, web_root: Path = WEB_ROOT,
                 soundfont: Path | None = None, soundfont_note: str = "", tls: ssl.SSLContext | None = None,
                 bridge: dict | None = None):
        """bridge: the page's /bridge.json (bridge/web/bridge_link.py: bridge_config), None without --bridge."""
        check_web_root(web_root)
        public = PublicFiles(web_root, model_dir, host)
        handler = functools.partial(_Handler, web_root=web_root, model_dir=model_dir, soundfont=soundfont,
                                    soundfont_note=soundfont_note, public=public, bridge=bridge)
        try:
            self.httpd = _QuietServer((host, port), handler)
        except OverflowError:
            raise WebAppError(f"port {port} is outside 0..65535") from None
        except OSError as exc:
            raise WebAppError(_bind_problem(host, port, exc)) from None
        self.httpd.tls = tls
        self.model_dir = model_dir
        self.soundfont = soundfont
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="pianogenie-web", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The page's address on this machine."""
        host, port = self.httpd.server_address[:2]
        return f"{self.scheme}://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}/"

    @property
    def scheme(self) -> str:
        return "https" if self.httpd.tls is not None else "http"

    def lan_urls(self) -> list[str]:
        """The addresses another device (a phone) opens: this machine's LAN addresses when bound to all of them."""
        from ..discovery import lan_addresses

        host, port = self.httpd.server_address[:2]
        if host != "0.0.0.0":
            return [] if ipaddress.ip_address(host).is_loopback else [self.url]
        return [f"{self.scheme}://{address}:{port}/" for address in lan_addresses() if address != "127.0.0.1"]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join()

    def __enter__(self) -> "WebServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def lan_names(host: str) -> list[str]:
    """The names a certificate for a server bound to host must cover: host itself, or every LAN address."""
    from ..discovery import lan_addresses

    return lan_addresses() if host in ("0.0.0.0", "") else [host]


def _bind_problem(host: str, port: int, exc: OSError) -> str:
    import errno

    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is in use (another pianogenie web?); pick another with --port, or --port 0"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"port {port} on {host} needs privileges; pick one above 1023 with --port"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine; use --host 127.0.0.1 or --host 0.0.0.0"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
