"""`pianogenie web`: serves the browser app (web/) and a model directory from a local HTTP server, and
`pianogenie bench web`: the browser benchmark in headless Chromium.

The page fetches everything from this one server: its ES modules, TensorFlow.js, the wasm binaries and Tone.js
from web/node_modules (`npm ci` in web/), and the model at /model/. Nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

WEB_ROOT = Path(__file__).resolve().parents[1] / "web"
MODEL_PREFIX = "/model/"
DEFAULT_HOST = "127.0.0.1"
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
}


class WebAppError(RuntimeError):
    """The app cannot be served (missing build or model); the message says what to do."""


def check_web_root(web_root: Path) -> None:
    missing = [name for name in REQUIRED_WEB_FILES if not (web_root / name).is_file()]
    if missing:
        raise WebAppError(f"{web_root}: missing {', '.join(missing)}; run `npm ci` in web/ (make test does)")


def resolve_model_dir(model_dir: str | os.PathLike | None) -> Path:
    """The directory to serve at /model/: the given one, or the engine's embedded default model."""
    if model_dir is None:
        from engine import default_model_dir  # numpy only; kept lazy so `pianogenie --help` stays fast

        path = Path(default_model_dir())
        if not (path / "weights_manifest.json").is_file():
            raise WebAppError(f"{path}: the embedded default model is not installed; pass --model DIR")
        return path
    path = Path(model_dir).resolve()
    if not (path / "weights_manifest.json").is_file():
        raise WebAppError(f"{path}: not a model directory (no weights_manifest.json)")
    return path


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from the web root, with the model directory mounted at /model/. No directory listings."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **_TYPES}

    def __init__(self, *args, web_root: Path, model_dir: Path, **kwargs):
        self._model_dir = model_dir
        super().__init__(*args, directory=str(web_root), **kwargs)

    def translate_path(self, path: str) -> str:
        # The base class drops '..' and other unsafe parts; only the root changes for /model/.
        route = unquote(urlsplit(path).path)
        if route.startswith(MODEL_PREFIX):
            saved, self.directory = self.directory, str(self._model_dir)
            try:
                return super().translate_path(path[len(MODEL_PREFIX) - 1:])
            finally:
                self.directory = saved
        return super().translate_path(path)

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

    def __init__(self, model_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, web_root: Path = WEB_ROOT):
        check_web_root(web_root)
        handler = functools.partial(_Handler, web_root=web_root, model_dir=model_dir)
        self.httpd = http.server.ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.model_dir = model_dir
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


def run_web(args: argparse.Namespace) -> int:
    try:
        server = WebServer(resolve_model_dir(args.model), host=args.host, port=args.port)
    except (WebAppError, OSError) as exc:
        print(f"pianogenie web: {exc}", file=sys.stderr)
        return 1
    print(f"Piano Genie in the browser: {server.url}  (model {server.model_dir}; Ctrl-C stops)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


def run_bench(args: argparse.Namespace) -> int:
    node = shutil.which("node")
    if node is None:
        print("pianogenie bench web: node is not installed", file=sys.stderr)
        return 1
    try:
        model_dir = resolve_model_dir(args.model)
        check_web_root(WEB_ROOT)
    except WebAppError as exc:
        print(f"pianogenie bench web: {exc}", file=sys.stderr)
        return 1
    command = [node, str(WEB_ROOT / "tools" / "bench.mjs"), "--model", str(model_dir), "--presses", str(args.presses)]
    return subprocess.call(command)


def register_web(registry) -> None:  # registry: engine.cli.Registry
    """Adds `pianogenie web` and `pianogenie bench web`."""
    web = registry.command("web", run_web, "serve the browser app (web/) and a model on a local HTTP server")
    web.add_argument("--model", default=None, help="model directory (default: the embedded default model)")
    web.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST}: this machine only)")
    web.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    bench = registry.bench("web", run_bench, "per-press latency of the TensorFlow.js decoder in headless Chromium")
    bench.add_argument("--model", default=None, help="model directory (default: the embedded default model)")
    bench.add_argument("--presses", type=int, default=2000, help="timed presses per backend (default 2000)")
