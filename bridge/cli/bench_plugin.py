"""`pianogenie bench osc --sound plugin`: arrival -> onset of an LV2 instrument in `pianogenie serve` at 64 frames
on a JACK dummy server, `--latency asap` and `--latency fixed` side by side in one run, both with --realtime.
Onsets are found at the frame by a JACK client of the bench's own (bridge/frame_meter.py), outside the synth, so
the figure is what a listener on JACK would hear: press sent -> first sample at the playback ports, each frame
on JACK's own cycle times (bridge/sound/jack_clock.py). On that clock an asap note can read up to a period before
its press: the callback that rendered its block woke late after the block's start, which the device's playback
latency absorbs."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

import numpy as np

from pianogenie.errors import CommandError

from ..frame_meter import FrameMeter, press_times
from ..sound.synth_process import BLOCKS_SUFFIX
from ..sound.voices import DEFAULT_SAMPLE_RATE

PERIOD = 64
MODES = ("asap", "fixed")
REST_S = 1.0   # after each release: MDA Piano's tail stays above ONSET for up to 0.68 s (its lowest notes)
# The meter's onset: above this, MDA Piano's first or second sample at any pitch. At the meter's default (0.002)
# a low note crosses only 8-11 samples in, so the figure measured the pitch as much as the timing.
ONSET = 1e-4
# A press's onset is looked for from a period before it (on JACK's clock an asap block's start can precede the
# press whose note it carries) to this long after it.
PAIR_EARLY_S, PAIR_LATE_S = PERIOD / DEFAULT_SAMPLE_RATE, 0.1
WARMUP = 2     # first presses, not counted: the first note of a run pays for the plugin's first voice
_SERVERS = itertools.count()


def plugin_problem(uri: str) -> str | None:
    """Why this machine cannot run the bench (one line), or None."""
    if not shutil.which("jackd"):
        return "jackd is not installed (Debian: apt install jackd2)"
    try:
        import jack  # noqa: F401 - the frame meter's JACK client
    except (ImportError, OSError) as exc:
        return f"the JACK client library for Python is missing ({exc}): pip install JACK-Client"
    from ..sound.lilv import LilvMissing
    from ..sound.lv2 import list_plugins

    try:
        found = {info.uri: info for info in list_plugins()}
    except LilvMissing as exc:
        return str(exc)
    if uri not in found:
        return f"no LV2 instrument {uri} is installed (`pianogenie plugins` lists them; Debian: apt install mda-lv2)"
    return None if found[uri].usable else f"{uri} cannot play here: {found[uri].why}"


@contextlib.contextmanager
def jack_dummy(period: int = PERIOD) -> Iterator[dict[str, str]]:
    """`jackd -d dummy` under a server name of its own (a user's JACK is left alone); yields its clients' env."""
    name = f"pgbench-{os.getpid()}-{next(_SERVERS)}"
    env = dict(os.environ, JACK_NO_START_SERVER="1", JACK_DEFAULT_SERVER=name)
    jack = subprocess.Popen(["jackd", "-n", name, "-d", "dummy", "-r", str(DEFAULT_SAMPLE_RATE), "-p", str(period)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        time.sleep(2.0)
        if jack.poll() is not None:
            raise CommandError("jackd -d dummy did not start here")
        yield env
    finally:
        jack.send_signal(signal.SIGTERM)
        try:
            jack.wait(10)
        except subprocess.TimeoutExpired:
            jack.kill()


def arrival_to_onset(serve: list[str], env: dict[str, str], presses: int, rest: float = REST_S,
                     warmup: int = WARMUP) -> tuple[np.ndarray, np.ndarray, str, int]:
    """Seconds from each press's send to its first sound at JACK (on JACK's cycle times, and by the meter's
    wake-up floor), serve's banner, and the server's xruns during the presses; `serve` is the command line of a
    serve that replies to the sender and plays on JACK."""
    from .bench_spawn import spawn

    proc, address = spawn(serve, ready="pianogenie serve: ready", env=env)
    banner = spawn.banner
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(5.0)
        with FrameMeter(env, ONSET) as meter:
            time.sleep(0.3)
            sent = list(press_times(sock, address, presses + warmup, rest))
        sock.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    heard = _pair(sent, meter.onsets)
    sent_at = np.array(sent)
    jack_times, floor_times = np.array(meter.onsets)[heard], np.array(meter.floor_onsets)[heard]
    return (jack_times - sent_at)[warmup:], (floor_times - sent_at)[warmup:], banner, meter.xruns


def _pair(sent: list[float], onsets: list[float]) -> list[int]:
    """Each press's onset: the first heard from PAIR_EARLY_S before it to PAIR_LATE_S after it (a plugin's stray
    sound between presses, such as a transient at load, is no press's). CommandError names a press unheard."""
    heard = []
    for n, press in enumerate(sent):
        near = [i for i, onset in enumerate(onsets) if press - PAIR_EARLY_S <= onset <= press + PAIR_LATE_S]
        if not near:
            raise CommandError(f"the meter heard no onset for press {n + 1} of {len(sent)} ({len(onsets)} onsets heard)")
        heard.append(near[0])
    return heard


def _line(mode: str, ms: np.ndarray, xruns: int) -> str:
    p1, p50, p99 = np.percentile(ms, [1, 50, 99])
    return (f"  --latency {mode:<6} p50 {p50:6.3f} ms   p99 {p99:6.3f} ms   jitter p99-p1 {p99 - p1:6.3f} ms   "
            f"xruns {xruns}")


def run_plugin_bench(uri: str, presses: int, params: list[str], serve_args) -> int:
    """The whole section: one line and exit 2 where JACK or the plugin is missing. `params`: NAME=VALUE for
    serve's --plugin-param; `serve_args(*flags)`: serve's command line."""
    problem = plugin_problem(uri)
    if problem:
        raise CommandError(problem)
    results: dict[str, np.ndarray] = {}
    floors: dict[str, np.ndarray] = {}
    blocks: list[np.ndarray] = []
    xruns: dict[str, int] = {}
    with jack_dummy() as env, tempfile.TemporaryDirectory() as logs:
        for mode in MODES:
            log = Path(logs) / f"{mode}.log"  # the synth child's, written as it exits: block render times beside it
            serve = serve_args("--audio", "sounddevice", "--buffer-size", str(PERIOD), "--sample-rate",
                               str(DEFAULT_SAMPLE_RATE), "--synth", f"lv2:{uri}", "--latency", mode, "--realtime",
                               "--onset-log", str(log), *(flag for param in params for flag in ("--plugin-param", param)))
            started = time.monotonic()
            results[mode], floors[mode], banner, xruns[mode] = arrival_to_onset(serve, env, presses)
            timed = Path(str(log) + BLOCKS_SUFFIX)
            if timed.exists():
                blocks.append(np.loadtxt(timed, ndmin=1))
        # The server's own xruns on this machine, as long as one mode took, with no serve and no plugin: what the
        # host adds is the modes' counts above this.
        with FrameMeter(env, ONSET) as idle:
            time.sleep(time.monotonic() - started)
    scheduling = "SCHED_FIFO" if "SCHED_FIFO" in banner else "normal scheduling (no real-time priority granted)"
    print(f"arrival -> onset at the frame, lv2:{uri} {' '.join(params)} in serve, jackd -d dummy -r {DEFAULT_SAMPLE_RATE} "
          f"-p {PERIOD}, {presses} presses each (after {WARMUP} not counted), {scheduling}:")
    for mode in MODES:
        print(_line(mode, results[mode] * 1e3, xruns[mode]))
    print(f"  xruns with no serve and no plugin, as long: {idle.xruns}")
    print("  the same onsets by the meter's wake-up floor (independent of JACK's clock, which lags for seconds after "
          "a stall of the server):")
    for mode in MODES:
        print(_line(mode, floors[mode] * 1e3, xruns[mode]))
    asap, fixed = (np.median(results[mode]) * 1e3 for mode in MODES)
    print(f"  fixed - asap p50: {fixed - asap:+.3f} ms (one period is {PERIOD / DEFAULT_SAMPLE_RATE * 1e3:.3f} ms)")
    if blocks:
        run = np.concatenate(blocks) * 1e6
        print(f"  the plugin's block (run() with its events and gain, in the audio callback): p50 {np.median(run):.1f} us, "
              f"p99 {np.percentile(run, 99):.1f} us, max {run.max():.1f} us over {run.size} blocks "
              f"(a block lasts {PERIOD / DEFAULT_SAMPLE_RATE * 1e6:.0f} us)")
    else:
        print("  the plugin's block: not timed (the synth child wrote no block times)")
    return 0
