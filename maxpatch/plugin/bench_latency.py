"""Press -> note-out latency through the plugin and `pianogenie serve`, as a DAW sees it: the LV2 build in the lilv
host (host/pg-lv2host.c), blocks paced to the wall clock, each press at a known frame, each note-on at the frame the
plugin wrote it. Prints p50/p99 in frames and ms for each block size.

    python maxpatch/plugin/bench_latency.py [--blocks 64 128] [--presses 400]

Needs `make plugin` (it builds the host itself) and a Python environment where `python -m pianogenie serve` runs.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOST = HERE / "build" / "pg-lv2host"
BUNDLE = HERE / "bin" / "PianoGenie.lv2"
URI = "urn:pianogenie:plugin"
RATE = 48000


def start_serve() -> tuple[subprocess.Popen, int]:
    command = [sys.executable, "-m", "pianogenie", "serve", "--port", "0", "--reply-to", "none", "--audio", "none",
               "--midi-out", "none", "--no-zeroconf", "--oscquery-port", "none", "--seed", "1"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port = None
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(r"listening\s+osc udp [\w.]+:(\d+)", line)
        port = int(found.group(1)) if found else port
        if line.strip() == "pianogenie serve: ready":
            return proc, port or 0
    raise SystemExit(f"serve did not start ({proc.wait()})")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(block: int, count: int, port: int) -> list[int]:
    """Frames from each press to its note-on, for `count` presses 20 ms apart (each held 10 ms)."""
    every, start = RATE // 50, RATE // 2  # both multiples of 64 and 128: every press on a block's first frame
    lines, frames = [], []
    for k in range(count):
        key, frame = 60 + k % 8, start + k * every
        lines += [f"0 {frame} midi 90 {key:02x} 64", f"0 {frame + every // 2} midi 80 {key:02x} 00"]
        frames.append(frame)
    seconds = (frames[-1] + RATE // 2) / RATE
    result = subprocess.run([str(HOST), "--bundle", str(BUNDLE), "--block", str(block), "--rate", str(RATE),
                             "--seconds", str(seconds), "--state", f"server=127.0.0.1:{port}", URI],
                            input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    ons = [int(w[2]) for w in (line.split() for line in result.stdout.splitlines())
           if w[0] == "out" and w[3][0] == "9" and w[5] != "00"]
    if len(ons) != count:
        raise SystemExit(f"{len(ons)} note-ons for {count} presses at {block} frames: is serve answering?")
    return [on - press for press, on in zip(frames, ons)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--presses", type=int, default=400)
    args = parser.parse_args()
    subprocess.run(["make", "-C", str(HERE), "-s", "all", "host"], check=True)
    proc, port = start_serve()
    try:
        print(f"press -> note-on through the plugin and serve, {args.presses} presses, {RATE} Hz")
        print(f"{'block':>6} {'p50 frames':>11} {'p99 frames':>11} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
              f"{'within next block':>18}")
        for block in args.blocks:
            lat = measure(block, args.presses, port)
            # Presses fall on a block's first frame, so "in the next block" is under two blocks after the press.
            within = sum(1 for d in lat if d < 2 * block) / len(lat)
            ms = [d * 1000 / RATE for d in lat]
            print(f"{block:>6} {statistics.median(lat):>11.0f} {percentile(lat, 0.99):>11.0f} "
                  f"{statistics.median(ms):>8.2f} {percentile(ms, 0.99):>8.2f} {max(ms):>8.2f} {within:>17.1%}")
    finally:
        proc.terminate()
        proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
