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
