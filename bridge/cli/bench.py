"""`pianogenie bench osc`: the bridge's round trip on loopback, beside the transport floor, in one run.

Contenders, each its own process, measured in interleaved blocks so machine noise hits them alike:
  raw echo     recvfrom/sendto of the same bytes (the kernel + Python socket floor)
  python-osc   python-osc's BlockingOSCUDPServer + Dispatcher answering /genie/press with a /genie/noteon
  bridge       `pianogenie serve` (replies to the sender only)
The client sends a press, waits for the note-on, then sends a release and waits for its note-off; only press ->
note-on is timed. Then 16 performers at 20 presses/s each, and press -> sound: pyo on a JACK dummy server, from a
press's arrival to the voice's envelope leaving zero in the audio thread (plus JACK's output buffering, reported
separately). `--sound plugin` instead measures an LV2 instrument at the frame, --latency asap beside fixed
(cli/bench_plugin.py)."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .. import protocol as p
from ..osc.send import Encoder
from ..sound.voices import DEFAULT_BUFFER_SIZE, DEFAULT_SAMPLE_RATE
from ..system import BRIDGE_BUDGET_P99_US, SOUND_BUDGET_P99_MS
from .bench_spawn import spawn

BLOCK = 500
JACK_RATE, JACK_PERIOD, JACK_PERIODS = DEFAULT_SAMPLE_RATE, DEFAULT_BUFFER_SIZE, 2


def _echo_server(kind: str) -> None:
    """A floor contender, run as `python -m bridge.cli.bench echo raw|pythonosc`."""
    if kind == "raw":
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        print(f"echo udp 127.0.0.1:{sock.getsockname()[1]} ready", flush=True)
        while True:
            data, sender = sock.recvfrom(65536)
            sock.sendto(data, sender)
    from pythonosc.dispatcher import Dispatcher
    from pythonosc.osc_message_builder import OscMessageBuilder
    from pythonosc.osc_server import BlockingOSCUDPServer

    def answer(sender, address, *args):
        builder = OscMessageBuilder(p.OUT_NOTEON if address.endswith("press") else p.OUT_NOTEOFF)
        for value in (60, 100, args[0]) if address.endswith("press") else (60, args[0]):
            builder.add_arg(value)
        server.socket.sendto(builder.build().dgram, sender)

    dispatcher = Dispatcher()
    dispatcher.map(p.PREFIX + "/*", answer, needs_reply_address=True)
    server = BlockingOSCUDPServer(("127.0.0.1", 0), dispatcher)
    print(f"echo udp 127.0.0.1:{server.server_address[1]} ready", flush=True)
    server.serve_forever()


def _round_trips(sock: socket.socket, server: tuple[str, int], presses: int, performer_of=lambda i: 0) -> np.ndarray:
    encoder = Encoder()
    out = np.empty(presses)
    for i in range(presses):
        n = performer_of(i)
        press, release = encoder.ints(p.output_address(p.IN_PRESS, n), i % 8), encoder.ints(p.output_address(p.IN_RELEASE, n), i % 8)
        t0 = time.perf_counter()
        sock.sendto(press, server)
        sock.recv(65536)
        out[i] = time.perf_counter() - t0
        sock.sendto(release, server)
        sock.recv(65536)
    return out


def _stats(samples_s: np.ndarray) -> str:
    p50, p99 = np.percentile(samples_s * 1e6, [50, 99])
    return f"p50 {p50:7.1f} us   p99 {p99:7.1f} us"


def _pct(samples_s: np.ndarray) -> tuple[float, float]:
    p50, p99 = np.percentile(samples_s * 1e6, [50, 99])
    return float(p50), float(p99)


def _serve_args(model: Path | None, *extra: str, audio: str = "none", tree: Path | None = None) -> list[str]:
    # A checkout from before the app shell started the bridge as `python -m engine.cli`.
    shell = "engine.cli" if tree is not None and not (tree / "pianogenie" / "__main__.py").exists() else "pianogenie"
    args = [sys.executable, "-m", shell, "serve", "--port", "0", "--reply-to", "none", "--audio", audio, "--midi-out", "none", "--seed", "0"]
    if model is not None:
        args += ["--model", str(model)]
    return args + list(extra)


def round_trip_bench(model: Path | None, presses: int, baseline: Path | None = None) -> dict[str, np.ndarray]:
    procs = {}
    try:
        procs["raw echo"] = spawn([sys.executable, "-m", "pianogenie.bridge.cli.bench", "echo", "raw"])
        procs["python-osc echo"] = spawn([sys.executable, "-m", "pianogenie.bridge.cli.bench", "echo", "pythonosc"])
        procs["bridge"] = spawn(_serve_args(model))
        if baseline is not None:
            procs["baseline bridge"] = spawn(_serve_args(model, tree=baseline), cwd=baseline)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(5.0)
        for _, address in procs.values():  # warm-up
            _round_trips(sock, address, 200)
        results = {name: [] for name in procs}
        done = 0
        while done < presses:
            n = min(BLOCK, presses - done)
            for name, (_, address) in procs.items():
                results[name].append(_round_trips(sock, address, n))
            done += n
        return {name: np.concatenate(parts) for name, parts in results.items()}
    finally:
        _stop(procs)


def _stop(procs: dict) -> None:
    """SIGTERM every contender process, killing any that does not exit within 10 s."""
    for proc, _ in procs.values():
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _paced(sock, address, presses: int, performers: int, rate: float, offset: int) -> np.ndarray:
    encoder = Encoder()
    interval = 1.0 / (performers * rate)
    out = np.empty(presses)
    start = time.perf_counter()
    for j in range(presses):
        i = offset + j
        wait = start + j * interval - time.perf_counter()
        if wait > 0:
            time.sleep(wait)  # a performer is idle between presses; the bench does not spin a core
        n = i % performers
        t0 = time.perf_counter()
        sock.sendto(encoder.ints(p.output_address(p.IN_PRESS, n), (i // performers) % 8), address)
        sock.recv(65536)
        out[j] = time.perf_counter() - t0
        sock.sendto(encoder.ints(p.output_address(p.IN_RELEASE, n), (i // performers) % 8), address)
        sock.recv(65536)
    return out


def performers_bench(model: Path | None, seconds: float, performers: int = 16, rate: float = 20.0) -> dict[str, np.ndarray]:
    """The paced 16-performer load against the bridge and, in alternating one-second blocks, against the
    python-osc echo: with idle gaps between presses, both pay the machine's wake-up latency."""
    procs = {}
    try:
        procs["python-osc echo"] = spawn([sys.executable, "-m", "pianogenie.bridge.cli.bench", "echo", "pythonosc"])
        procs["bridge"] = spawn(_serve_args(model))
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(5.0)
        for _, address in procs.values():
            # Warm-up, every performer included: a performer's first message creates its session.
            _round_trips(sock, address, 20 * performers, performer_of=lambda i: i % performers)
        block = int(performers * rate)
        results = {name: [] for name in procs}
        for b in range(max(1, int(round(seconds)))):
            for name, (_, address) in procs.items():
                results[name].append(_paced(sock, address, block, performers, rate, b * block))
        return {name: np.concatenate(parts) for name, parts in results.items()}
    finally:
        _stop(procs)


def sound_bench(model: Path | None, presses: int = 200, realtime: bool = False) -> tuple[np.ndarray | None, str]:
    """`pianogenie serve` with pyo on a JACK dummy server; its synth logs arrival -> onset for every note."""
    if not shutil.which("jackd"):
        return None, "skipped: jackd is not installed"
    env = dict(os.environ, JACK_NO_START_SERVER="1")
    jack = subprocess.Popen(["jackd", "-d", "dummy", "-r", str(JACK_RATE), "-p", str(JACK_PERIOD)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    proc = None
    try:
        time.sleep(2.0)
        if jack.poll() is not None:
            return None, "skipped: jackd -d dummy did not start"
        with tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp) / "onsets.txt"
            proc, address = spawn(_serve_args(
                model, "--audio-backend", "jack", "--buffer-size", str(JACK_PERIOD), "--sample-rate", str(JACK_RATE),
                "--voices", "32", "--onset-log", str(log), *(["--realtime"] if realtime else []), audio="pyo"))
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind(("127.0.0.1", 0))
            encoder = Encoder()
            for i in range(presses):
                sock.sendto(encoder.ints(p.IN_PRESS, i % 8), address)
                time.sleep(0.02)
                sock.sendto(encoder.ints(p.IN_RELEASE, i % 8), address)
                # 32 voices in turn, each back to silence (below the 1e-6 onset threshold) before its reuse
                time.sleep(0.04)
            time.sleep(0.5)
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
            values = [float(x) for x in log.read_text().split()] if log.exists() else []
        if not values:
            return None, "skipped: pyo did not start on the JACK dummy server"
        scheduling = "SCHED_FIFO" if "SCHED_FIFO" in spawn.banner else "normal scheduling"
        return np.array(values), f"{len(values)} onsets of {presses} presses, {scheduling}"
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        jack.send_signal(signal.SIGTERM)
        try:
            jack.wait(10)
        except subprocess.TimeoutExpired:
            jack.kill()


def run(args: argparse.Namespace) -> int:
    import platform

    if args.presses < 1 or args.notes < 1:
        print("pianogenie bench osc: --presses and --notes must be positive", file=sys.stderr)
        return 2
    if args.sound == "plugin":
        from .bench_plugin import run_plugin_bench

        from .options import plugin_bench_params

        return run_plugin_bench(args.plugin, args.notes, plugin_bench_params(args), lambda *extra: _serve_args(args.model, *extra))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"round trip press -> note-on on loopback, {args.presses} presses each, interleaved blocks of {BLOCK}:")
    results = round_trip_bench(args.model, args.presses, args.baseline)
    for name, samples in results.items():
        print(f"  {name:<16} {_stats(samples)}")
    floor50, floor99 = _pct(results["python-osc echo"])
    raw50, raw99 = _pct(results["raw echo"])
    bridge50, bridge99 = _pct(results["bridge"])
    print(f"  bridge / python-osc echo: p50 x{bridge50 / floor50:.2f}, p99 x{bridge99 / floor99:.2f}")
    print(f"  bridge / raw echo:        p50 x{bridge50 / raw50:.2f}, p99 x{bridge99 / raw99:.2f}")
    if args.baseline is not None:
        base50, base99 = _pct(results["baseline bridge"])
        print(f"  bridge / baseline bridge ({args.baseline}): p50 x{bridge50 / base50:.2f}, p99 x{bridge99 / base99:.2f}")
    met = bridge50 <= 1.3 * floor50 and bridge99 <= 1.3 * floor99 and bridge99 <= BRIDGE_BUDGET_P99_US
    print(f"  target (<= 1.3x the python-osc echo at p50 and p99, p99 <= {BRIDGE_BUDGET_P99_US} us): {'met' if met else 'NOT met'}")
    print(f"16 performers x 20 presses/s, {args.seconds:g} s each, alternating one-second blocks:")
    many = performers_bench(args.model, args.seconds)
    for name, samples in many.items():
        print(f"  {name:<16} {_stats(samples)}   ({len(samples)} presses)")
    print(f"  target (bridge p99 <= 1 ms): {'met' if _pct(many['bridge'])[1] <= 1000.0 else 'NOT met'}")
    if args.sound == "skip":
        print("press -> sound: skipped (--sound skip)")
        return 0
    buffering = JACK_PERIOD * JACK_PERIODS / JACK_RATE
    for realtime in (False, True):
        sound, note = sound_bench(args.model, realtime=realtime)
        label = "serve --realtime" if realtime else "serve"
        if sound is None or not len(sound):
            print(f"press -> sound ({label}): {note}")
            continue
        print(f"press -> sound, {label}, pyo on jackd -d dummy -r {JACK_RATE} -p {JACK_PERIOD} ({note}):")
        print(f"  arrival -> onset computed  {_stats(sound)}")
        print(f"  + JACK output buffering {buffering * 1e3:.2f} ms ({JACK_PERIODS} x {JACK_PERIOD} frames) "
              f"-> p99 {np.percentile(sound, 99) * 1e3 + buffering * 1e3:.2f} ms at the output")
        met = np.percentile(sound, 99) <= SOUND_BUDGET_P99_MS / 1e3
        print(f"  target (arrival -> onset p99 <= {SOUND_BUDGET_P99_MS} ms): {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["echo"]:
        _echo_server(sys.argv[2])
