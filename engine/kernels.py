"""Choosing how a single session steps: a compiled numba kernel when numba is installed, numpy otherwise.

The compiled kernel does a press in a few microseconds, where numpy's per-call overhead (about 30 calls per
step) costs tens. Its tanh is a rational approximation (Eigen's, |error| < 4e-7) because scalar libm calls do not
vectorise; the fixture test bounds the effect.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import decoder as d

# Set PIANOGENIE_KERNEL=numpy to force the numpy path (for comparison, or where numba misbehaves).
KERNEL_ENV = "PIANOGENIE_KERNEL"


@dataclass(frozen=True)
class Kernel:
    name: str
    press: Callable[[np.ndarray, int, float, float], int]
    prepare: Callable[[np.ndarray, int], None]


def numpy_kernel(w: d.DecoderWeights) -> Kernel:
    return Kernel(
        "numpy",
        lambda state, button, dt, temperature: d.press_numpy(state, w, button, dt, temperature),
        lambda state, key: d.prepare_numpy(state, w, key),
    )


def numba_kernel(w: d.DecoderWeights) -> Kernel:
    from ._numba_kernels import prepare, press
    press_pack, prepare_pack = w.press_pack, w.prepare_pack
    return Kernel(
        "numba",
        lambda state, button, dt, temperature: press(state, press_pack, button, dt, temperature),
        lambda state, key: prepare(state, prepare_pack, key),
    )


def best_kernel(w: d.DecoderWeights) -> Kernel:
    """numba if it is installed and not disabled, else numpy."""
    if os.environ.get(KERNEL_ENV, "").lower() == "numpy":
        return numpy_kernel(w)
    try:
        return numba_kernel(w)
    except ImportError:
        return numpy_kernel(w)
