"""Shared fixtures: a small random model written in the shared format, and the upstream reference files."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from engine.constants import DECODER_TENSORS
from engine.model_format import write_model

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


@contextmanager
def jack_dummy(period: int = 256) -> Iterator[dict[str, str]]:
    """A `jackd -d dummy` server at 48 kHz for the duration of the block. Yields the environment for its clients
    (JACK_NO_START_SERVER, so no client starts a second server); skips the test where jackd cannot run."""
    if not shutil.which("jackd"):
        pytest.skip("jackd (jackd2) not installed")
    env = dict(os.environ, JACK_NO_START_SERVER="1")
    proc = subprocess.Popen(["jackd", "-d", "dummy", "-r", "48000", "-p", str(period)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        time.sleep(2.0)
        if proc.poll() is not None:
            pytest.skip("jackd -d dummy did not start here")
        yield env
    finally:
        proc.terminate()
        proc.wait(10)
