"""A person's buttons for a stretch of music, with no model involved.

Someone playing a tune on 8 buttons presses low buttons for low notes and high buttons for high ones: the
contour. Within a window, a note's button is where its pitch ranks among the window's notes, in eighths:
the lowest eighth of the notes on button 0, the highest eighth on button 7, equal pitches on one button.
`pianogenie evaluate` uses it to judge decoder-only models (which have no encoder), and training feeds it
to the decoder on some crops so that the decoder understands a person's buttons as well as its encoder's.
"""

from __future__ import annotations

import numpy as np

from pianogenie.engine.constants import NUM_BUTTONS


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
