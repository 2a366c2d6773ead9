"""Shared fixtures: a small random model written in the shared format, and the upstream reference files."""

from __future__ import annotations

from pathlib import Path

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
