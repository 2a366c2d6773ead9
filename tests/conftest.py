"""Shared fixtures and helpers: a small random model written in the shared format, the upstream reference files,
a note sink that logs what it gets, and a JACK dummy server."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from pianogenie.bridge.sound.voices import DEFAULT_SAMPLE_RATE
from pianogenie.engine.constants import DECODER_TENSORS
from pianogenie.engine.model_format import write_model

REPO = Path(__file__).resolve().parents[1]
UPSTREAM = REPO.parent / "shared" / "upstream"
CONFIG = {"num_buttons": 8, "model_rnn_dim": 128, "model_rnn_num_layers": 2, "data_delta_time_max": 1.0}


def random_tensors(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {name: (rng.standard_normal(shape) * 0.3).astype(np.float32) for name, shape in DECODER_TENSORS.items()}


@pytest.fixture(scope="session")
def random_model_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("random_model")
    write_model(out, random_tensors(), CONFIG)
    return out


@pytest.fixture(scope="session")
def upstream_dir() -> Path:
    if not (UPSTREAM / "weights_manifest.json").exists():
        pytest.skip(f"reference files not found at {UPSTREAM}")
    return UPSTREAM


class Log:
    """A note sink that keeps what it was sent: ("on", performer, pitch, velocity, button, time, sender) and
    ("off", performer, pitch, button, time, sender)."""

    def __init__(self):
        self.events = []

    def note_on(self, performer, pitch, velocity, button, time, sender=None):
        self.events.append(("on", performer, pitch, velocity, button, time, sender))

    def note_off(self, performer, pitch, button, time, sender=None):
        self.events.append(("off", performer, pitch, button, time, sender))

    def sounding(self):
        """(performer, pitch) pairs on and not yet off; fails if anything is turned on twice or off unmatched."""
        on = set()
        for event in self.events:
            key = (event[1], event[2])
            if event[0] == "on":
                assert key not in on, f"{key} turned on twice without an off"
                on.add(key)
            else:
                assert key in on, f"note-off for {key} that is not on"
                on.remove(key)
        return on


_JACK_SERVERS = itertools.count()


@contextmanager
def jack_dummy(period: int = 256) -> Iterator[dict[str, str]]:
    """A `jackd -d dummy` server at 48 kHz for the duration of the block. Yields the environment for its clients
    (JACK_NO_START_SERVER, so no client starts a second server); skips the test where jackd cannot run."""
    if not shutil.which("jackd"):
        pytest.skip("jackd (jackd2) not installed")
    # A server name of its own: several test runs on one machine (or a user's own JACK) each get their own
    # server instead of failing to start on the default one. Every libjack client reads JACK_DEFAULT_SERVER.
    name = f"pgtest-{os.getpid()}-{next(_JACK_SERVERS)}"
    env = dict(os.environ, JACK_NO_START_SERVER="1", JACK_DEFAULT_SERVER=name)
    proc = subprocess.Popen(["jackd", "-n", name, "-d", "dummy", "-r", str(DEFAULT_SAMPLE_RATE), "-p", str(period)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        time.sleep(2.0)
        if proc.poll() is not None:
            pytest.skip("jackd -d dummy did not start here")
        yield env
    finally:
        proc.terminate()
        proc.wait(10)
