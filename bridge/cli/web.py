"""`pianogenie web` (the browser app on a local server) and `pianogenie bench web` (its benchmark in headless
Chromium)."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import threading
from pathlib import Path

from pianogenie.errors import CommandError

from ..protocol import DEFAULT_HOST
from ..system import on_stop_signals
from ..web.server import (CHECKOUT_WEB_ROOT, DEFAULT_PORT, WebAppError, WebServer, check_web_root, lan_names,
                          resolve_model_dir, resolve_soundfont)
from ..web.bridge_link import DEFAULT_BRIDGE, BridgeAddressError, bridge_config, parse_bridge, probe
from ..web.tls import TLSError, server_context


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port {args.port} is outside 0..65535")
    try:
        bridge_arg = getattr(args, "bridge", None)  # run() is also called with a bare Namespace (tests, embedding)
        bridge = parse_bridge(bridge_arg) if bridge_arg is not None else None
        model_dir = resolve_model_dir(args.model)
        soundfont, note = resolve_soundfont(args.soundfont)
        tls, tls_note = _tls(args)
        server = WebServer(model_dir, host=args.host, port=args.port, soundfont=soundfont, soundfont_note=note, tls=tls,
                           bridge=bridge_config(*bridge) if bridge else None)
    except (WebAppError, TLSError, BridgeAddressError) as exc:
        raise CommandError(str(exc)) from None
    piano = f"piano {soundfont}" if soundfont else f"piano off: {note}"
    print(f"Piano Genie in the browser: {server.url}  (model {server.model_dir}; {piano}; Ctrl-C stops)", flush=True)
    if bridge:
        print(f"  bridge: the page shows the notes of serve: {probe(*bridge)}", flush=True)
    for line in _phone_lines(server, tls_note):
        print(line, flush=True)
    stopped = threading.Event()
    on_stop_signals(stopped.set)
    try:
        stopped.wait()
    finally:
        server.close()
    return 0


def _tls(args: argparse.Namespace):  # -> (ssl.SSLContext | None, str)
    """The server's TLS context for --https (or --cert), and a line about the certificate for the banner."""
    cert, key = getattr(args, "cert", None), getattr(args, "key", None)
    if not (getattr(args, "https", False) or cert or key):
        return None, ""
    context, path, made = server_context(Path(cert) if cert else None, Path(key) if key else None,
                                         names=lan_names(args.host))
    if cert:
        return context, f"certificate {path}"
    return context, f"self-signed certificate {'made' if made else 'kept'} in {path.parent}"


def _phone_lines(server: WebServer, tls_note: str) -> list[str]:
    """How to play from a phone: the LAN addresses to open, or what to add to get them."""
    urls = server.lan_urls()
    if not urls:
        return ["To play from a phone on this Wi-Fi: pianogenie web --host 0.0.0.0 --https"]
    lines = [f"From a phone on this network, open: {'  '.join(urls)}"]
    if server.scheme == "http":
        lines.append("  (over http a phone gets no SoundFont piano, which needs a secure context: add --https)")
    else:
        lines.append(f"  ({tls_note}: the phone warns once; accept it to play)")
    return lines


def run_bench(args: argparse.Namespace) -> int:
    node = shutil.which("node")
    if node is None:
        raise CommandError("node is not installed (apt install nodejs npm)")
    # The benchmark drives Chromium with web/'s npm dev tools, which only a checkout has.
    script = CHECKOUT_WEB_ROOT / "tools" / "bench.mjs"
    if not script.is_file():
        raise CommandError("runs from a source checkout (it needs web/tools and npm's playwright-core)")
    try:
        model_dir = resolve_model_dir(args.model)
        check_web_root(CHECKOUT_WEB_ROOT)
    except WebAppError as exc:
        raise CommandError(str(exc)) from None
    command = [node, str(script), "--model", str(model_dir), "--presses", str(args.presses)]
    return subprocess.call(command)


def add_arguments(web: argparse.ArgumentParser) -> None:
    from ..protocol import DEFAULT_HOST
    from ..web.server import DEFAULT_PORT

    web.add_argument("--model", default=None, help="model directory (default: the embedded default model)")
    web.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST}: this machine only)")
    web.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    web.add_argument("--https", action="store_true",
                     help="serve over HTTPS (what a phone needs for the piano), with a self-signed certificate made on "
                          "first use and kept in ~/.config/pianogenie/web-tls, unless --cert is given")
    web.add_argument("--cert", default=None, metavar="PEM", help="your own certificate (implies --https)")
    web.add_argument("--key", default=None, metavar="PEM", help="its private key (default: inside the --cert file)")
    web.add_argument("--soundfont", default=None, metavar="FILE",
                     help="the SoundFont (.sf2/.sf3) of the page's piano (default: the best General MIDI one installed)")
    web.add_argument("--bridge", nargs="?", const=DEFAULT_BRIDGE, default=None, metavar="HOST:PORT",
                     help="the page shows the notes that a running pianogenie serve plays, from its OSCQuery "
                          f"websocket at HOST:PORT (serve's oscquery address; default {DEFAULT_BRIDGE}); the page's "
                          "own buttons are then off")


def add_bench_arguments(bench: argparse.ArgumentParser) -> None:
    bench.add_argument("--model", default=None, help="model directory (default: the embedded default model)")
    bench.add_argument("--presses", type=int, default=2000, help="timed presses per backend (default 2000)")
