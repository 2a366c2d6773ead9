"""Piano Genie engine: a stateful, low-latency numpy runtime for the Piano Genie decoder."""

from .constants import LOWEST_PITCH, NUM_BUTTONS, NUM_KEYS, SOS, key_to_pitch, pitch_to_key
from .genie import DEFAULT_TEMPERATURE, Ensemble, PianoGenie, Session, default_model_dir, key_mask
from .model_format import ModelError

__all__ = [
    "DEFAULT_TEMPERATURE",
    "Ensemble",
    "LOWEST_PITCH",
    "ModelError",
    "NUM_BUTTONS",
    "NUM_KEYS",
    "PianoGenie",
    "SOS",
    "Session",
    "default_model_dir",
    "key_mask",
    "key_to_pitch",
    "pitch_to_key",
]
