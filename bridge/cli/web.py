"""`pianogenie web` (the browser app on a local server) and `pianogenie bench web` (its benchmark in headless
Chromium)."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import threading

from ..protocol import DEFAULT_HOST
from ..web.server import (CHECKOUT_WEB_ROOT, DEFAULT_PORT, WebAppError, WebServer, check_web_root, resolve_model_dir,
                          resolve_soundfont)


def run_web(args: argparse.Namespace) -> int:
    try:
        model_dir = resolve_model_dir(args.model)
        soundfont, note = resolve_soundfont(args.soundfont)
        server = WebServer(model_dir, host=args.host, port=args.port, soundfont=soundfont, soundfont_note=note)
    except (WebAppError, OSError, OverflowError) as exc:  # OverflowError: a --port outside 0..65535
        print(f"pianogenie web: {exc}", file=sys.stderr)
        return 1
    piano = f"piano {soundfont}" if soundfont else f"piano off: {note}"
    print(f"Piano Genie in the browser: {server.url}  (model {server.model_dir}; {piano}; Ctrl-C stops)", flush=True)
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
    # The benchmark drives Chromium with web/'s npm dev tools, which only a checkout has.
    script = CHECKOUT_WEB_ROOT / "tools" / "bench.mjs"
    if not script.is_file():
        print("pianogenie bench web: runs from a source checkout (it needs web/tools and npm's playwright-core)",
              file=sys.stderr)
        return 1
    try:
        model_dir = resolve_model_dir(args.model)
        check_web_root(CHECKOUT_WEB_ROOT)
    except WebAppError as exc:
        print(f"pianogenie bench web: {exc}", file=sys.stderr)
        return 1
    command = [node, str(script), "--model", str(model_dir), "--presses", str(args.presses)]
    return subprocess.call(command)


def register(registry) -> None:  # registry: pianogenie.cli.Registry
    """Adds `pianogenie web` and `pianogenie bench web`."""
    web = registry.command("web", run_web, "serve the browser app (web/) and a model on a local HTTP server")
    web.add_argument("--model", default=None, help="model directory (default: the embedded default model)")
    web.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST}: this machine only)")
    web.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    web.add_argument("--soundfont", default=None, metavar="FILE",
                     help="the SoundFont (.sf2/.sf3) of the page's piano (default: the best General MIDI one installed)")
    bench = registry.bench("web", run_bench, "per-press latency of the TensorFlow.js decoder in headless Chromium")
    bench.add_argument("--model", default=None, help="model directory (default: the embedded default model)")
    bench.add_argument("--presses", type=int, default=2000, help="timed presses per backend (default 2000)")
