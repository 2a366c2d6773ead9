"""A person's buttons for a stretch of music, with no model involved.

Someone playing a tune on 8 buttons presses low buttons for low notes and high buttons for high ones: the
contour. Two readings are given:

- `contour_buttons`: a note's button is where its pitch ranks among the whole window's notes, in eighths: the
  lowest eighth of the notes on button 0, the highest eighth on button 7, equal pitches on one button.
  `pianogenie evaluate` uses it to judge decoder-only models (which have no encoder).
- `local_person_buttons`: as a player reading a passage, each note placed in the music *around it* (its local
  range or its rank among nearby distinct pitches, over a window that varies from crop to crop), and the notes
  of a chord on distinct buttons, a finger each (training.music.presses).

Training feeds them to the decoder on some crops, so that it understands a person's buttons as well as its
encoder's. The whole window's ranks follow the crop's register rather than the passage's, and now and then put
two notes of a chord on one button (4.5 % of a chord's neighbouring notes in 256 crops of Bach's chorales); a
player does neither.
"""

from __future__ import annotations

import numpy as np

from pianogenie.engine.constants import NUM_BUTTONS

from .music.defaults import MAPPINGS
from .music.presses import local_buttons, spread_chords

# A performed crop's notes this close together are one chord, struck with several fingers (performer timing
# spreads a chord's onsets over up to tens of milliseconds).
CHORD_GAP_S = 0.03
# Notes either side that a player's eye takes in when placing one: drawn per crop, so that no one window's
# quirks are learned.
LOCAL_CONTEXT = (6, 24)


def contour_buttons(keys: np.ndarray, num_buttons: int = NUM_BUTTONS) -> np.ndarray:
    """[..., T] keys -> [..., T] buttons 0..num_buttons-1 (per window: the last axis)."""
    keys = np.asarray(keys)
    t = keys.shape[-1]
    sorted_keys = np.sort(keys, axis=-1)
    flat_sorted = sorted_keys.reshape(-1, t)
    flat_keys = keys.reshape(-1, t)
    # Notes strictly below each note: equal pitches get the same count, hence the same button.
    below = np.stack([np.searchsorted(row_sorted, row, side="left") for row_sorted, row in zip(flat_sorted, flat_keys)])
    return (below * num_buttons // t).reshape(keys.shape).astype(np.int64)


def local_person_buttons(keys: np.ndarray, dts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """[B, T] keys and seconds since the previous note -> [B, T] buttons: each crop read with a mapping and a
    window drawn from `rng`, its chords (notes within CHORD_GAP_S) spread over distinct buttons."""
    keys = np.asarray(keys, dtype=np.int64)
    out = np.empty_like(keys)
    for row, (crop, gaps) in enumerate(zip(keys, np.asarray(dts))):
        mapping = MAPPINGS[rng.integers(len(MAPPINGS))]
        context = int(rng.integers(LOCAL_CONTEXT[0], LOCAL_CONTEXT[1] + 1))
        chord = np.cumsum(np.concatenate([[True], gaps[1:] > CHORD_GAP_S])) - 1
        out[row] = spread_chords(local_buttons(crop, mapping, context), crop, chord)
    return out
