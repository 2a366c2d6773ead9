"""Piano Genie engine: a stateful, low-latency numpy runtime for the Piano Genie decoder.

The names below load on first use (PEP 562), so a caller that needs only `pianogenie.engine.constants` (a
command's flags and their defaults, `pianogenie --help`) does not import numpy and the decoder."""

from __future__ import annotations

import importlib
from typing import Any

# name -> the module of this package that defines it
_EXPORTS = {
    "LOWEST_PITCH": "constants", "NUM_BUTTONS": "constants", "NUM_KEYS": "constants", "SOS": "constants",
    "key_to_pitch": "constants", "pitch_to_key": "constants", "DEFAULT_TEMPERATURE": "constants",
    "Ensemble": "genie", "PianoGenie": "genie", "Session": "genie", "default_model_dir": "genie", "key_mask": "genie",
    "ModelError": "model_format",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
