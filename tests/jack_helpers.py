"""A JACK client that records what reaches it, for tests that must hear both channels of a synth on a real
(dummy) JACK server: the dummy driver's playback ports cannot be read back, so the recorder's inputs are
connected to the synth's outputs beside system:playback_1/2."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import wave
from pathlib import Path
from typing import Iterator

import numpy as np

from tests.conftest import REPO

RECORDER = "pgrec"
_RECORD = f"""
import os, sys, time
os.environ["PYO_GUI_WX"] = "0"
import pyo
s = pyo.Server(sr=48000, nchnls=2, buffersize=64, duplex=1, audio="jack", jackname={RECORDER!r})
s.deactivateMidi(); s.boot(); s.start()
inp = pyo.Input([0, 1])
rec = pyo.Record(inp, filename=sys.argv[1], chnls=2, fileformat=0, sampletype=0)
print("ready", flush=True)
sys.stdin.read()
rec.stop(); time.sleep(0.2); s.stop(); s.shutdown()
"""


def connections(env: dict[str, str]) -> dict[str, set[str]]:
    """port -> the ports it is connected to, as `jack_lsp -c` reports them."""
    out = subprocess.run(["jack_lsp", "-c"], capture_output=True, text=True, timeout=30, env=env).stdout
    table: dict[str, set[str]] = {}
    port = None
    for line in out.splitlines():
        if line.startswith((" ", "\t")):
            table[port].add(line.strip())
        elif line.strip():
            port = line.strip()
            table[port] = set()
    return table


def connect(env: dict[str, str], source: str, destination: str) -> None:
    subprocess.run(["jack_connect", source, destination], check=True, timeout=30, env=env)


def record_synth(env: dict[str, str], proc: subprocess.Popen, inputs: tuple[str, str]) -> dict[str, set[str]]:
    """Connects the synth's two playback outputs to the recorder's inputs, tells the synth process (waiting on
    a line of stdin) to play, and waits for it to print DONE and exit 0. Returns the connections found first."""
    table = connections(env)
    outputs = sorted(port for port, peers in table.items()
                     if peers & {"system:playback_1", "system:playback_2"} and not port.startswith(("system:", RECORDER + ":")))
    assert len(outputs) == 2, table
    assert [table[port] for port in outputs] == [{"system:playback_1"}, {"system:playback_2"}], table
    for port, recorder_in in zip(outputs, inputs):
        connect(env, port, recorder_in)
    proc.stdin.write("go\n")
    proc.stdin.flush()
    assert "DONE" in proc.stdout.read()
    assert proc.wait(60) == 0
    return table


@contextlib.contextmanager
def jack_recorder(env: dict[str, str], path: Path) -> Iterator[tuple[str, str]]:
    """A stereo JACK recorder (pyo, its own process) writing to `path` when the block ends; yields its two
    input ports."""
    proc = subprocess.Popen([sys.executable, "-c", _RECORD, str(path)], cwd=REPO, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the JACK recorder did not start")
        yield f"{RECORDER}:input_1", f"{RECORDER}:input_2"
    finally:
        proc.stdin.close()
        proc.wait(30)
    time.sleep(0.1)


def read_stereo(path: Path) -> tuple[np.ndarray, int]:
    """(frames, 2) float audio in [-1, 1] and the sample rate of a 16-bit stereo WAV."""
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 2 and wav.getsampwidth() == 2
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float64) / 32768.0
        return data.reshape(-1, 2), wav.getframerate()


_METER = """
import os, sys, time
os.environ["PYO_GUI_WX"] = "0"
import pyo
s = pyo.Server(sr=48000, nchnls=2, buffersize=int(sys.argv[1]), duplex=1, audio="jack", jackname="pgmeter")
s.deactivateMidi(); s.boot(); s.start()
inp = pyo.Input([0, 1])
last = [-1.0]
def onset():
    # Runs in pyo's audio thread for the buffer in which the signal first passes the threshold. One onset per
    # half second: a sounding note crosses the threshold every period.
    now = time.monotonic()
    if now - last[0] > 0.5:
        print(f"onset {now:.6f}", flush=True)
    last[0] = now
detector = pyo.TrigFunc(pyo.Thresh(pyo.Abs(pyo.Mix(inp, voices=1)), threshold=float(sys.argv[2]), dir=0), onset)
print("ready", flush=True)
sys.stdin.read()
s.stop(); s.shutdown()
"""


@contextlib.contextmanager
def jack_onset_meter(env: dict[str, str], period: int, threshold: float = 0.002) -> Iterator[tuple[tuple[str, str], list[float]]]:
    """A JACK client that notes the monotonic time of every buffer in which its input passes `threshold` after
    half a second without doing so. Yields its two input ports and the list of onset times (filled when the block ends)."""
    proc = subprocess.Popen([sys.executable, "-c", _METER, str(period), str(threshold)], cwd=REPO, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    times: list[float] = []
    try:
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the JACK onset meter did not start")
        yield ("pgmeter:input_1", "pgmeter:input_2"), times
    finally:
        proc.stdin.close()
        rest = proc.stdout.read()
        proc.wait(30)
        times.extend(float(line.split()[1]) for line in rest.splitlines() if line.startswith("onset "))
