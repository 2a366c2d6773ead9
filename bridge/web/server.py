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
import json
import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from engine.constants import MANIFEST_NAME

from ..protocol import DEFAULT_HOST
from ..sound.soundfont import SoundFontError, check_soundfont, find_soundfont

# The wheel's copy of the page (made at build time, never in the source tree), else the checkout's web/.
PACKAGED_WEB_ROOT = Path(__file__).resolve().parent / "page"
CHECKOUT_WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
WEB_ROOT = PACKAGED_WEB_ROOT if (PACKAGED_WEB_ROOT / "index.html").is_file() else CHECKOUT_WEB_ROOT
MODEL_PREFIX = "/model/"
# The one route to the SoundFont: the file found at start-up, never a path taken from the request.
SOUNDFONT_ROUTE = "/soundfont.sf2"
SOUNDFONT_INFO_ROUTE = "/soundfont.json"
DEFAULT_PORT = 8000
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
        from engine import default_model_dir  # numpy only; kept lazy so `pianogenie --help` stays fast

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
            return check_soundfont(named).resolve(), ""
        except SoundFontError as exc:
            raise WebAppError(str(exc)) from None
    try:
        return find_soundfont().resolve(), ""
    except SoundFontError:
        return None, ("no General MIDI SoundFont installed (apt install fluid-soundfont-gm or timgm6mb-soundfont, "
                      "or pianogenie web --soundfont FILE)")


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from the web root, with the model directory mounted at /model/. No directory listings."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **_TYPES}

    def __init__(self, *args, web_root: Path, model_dir: Path, soundfont: Path | None = None,
                 soundfont_note: str = "", **kwargs):
        self._model_dir = model_dir
        self._soundfont = soundfont
        self._soundfont_note = soundfont_note
        super().__init__(*args, directory=str(web_root), **kwargs)

    def translate_path(self, path: str) -> str:
        # The base class drops '..' and other unsafe parts; only the root changes for /model/.
        route = unquote(urlsplit(path).path)
        if route == SOUNDFONT_ROUTE:
            # The file chosen at start-up; without one, a name under the root that is never there (a 404).
            return str(self._soundfont) if self._soundfont else super().translate_path("/.no-soundfont")
        if route.startswith(MODEL_PREFIX):
            saved, self.directory = self.directory, str(self._model_dir)
            try:
                return super().translate_path(path[len(MODEL_PREFIX) - 1:])
            finally:
                self.directory = saved
        return super().translate_path(path)

    def send_head(self):  # noqa: ANN201 - base-class signature
        if unquote(urlsplit(self.path).path) == SOUNDFONT_INFO_ROUTE:
            return self._send_soundfont_info()
        try:
            return super().send_head()
        except ValueError:  # a NUL byte in the path (GET /%00): the file system refuses the name
            self.send_error(400, "bad path")
            return None

    def _send_soundfont_info(self):  # noqa: ANN202
        """{"available", "name", "bytes", "reason"}: what the page's sound list shows for the piano."""
        soundfont = self._soundfont
        body = json.dumps({
            "available": soundfont is not None,
            "name": soundfont.name if soundfont else None,
            "bytes": soundfont.stat().st_size if soundfont else 0,
            "reason": "" if soundfont else (self._soundfont_note or "this server was started without a SoundFont"),
        }).encode()
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


class WebServer:
    """The app's HTTP server, running in a background thread until close()."""

    def __init__(self, model_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, web_root: Path = WEB_ROOT,
                 soundfont: Path | None = None, soundfont_note: str = ""):
        check_web_root(web_root)
        handler = functools.partial(_Handler, web_root=web_root, model_dir=model_dir, soundfont=soundfont,
                                    soundfont_note=soundfont_note)
        self.httpd = http.server.ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.model_dir = model_dir
        self.soundfont = soundfont
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="pianogenie-web", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join()

    def __enter__(self) -> "WebServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
