"""Piano rolls of a piece and of each model's playing of it, one above the other, as a PNG: a person can see
a drift, an octave leap or a refrain that lands elsewhere faster than read it in a table. Needs matplotlib
(the `plot` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from pianogenie.engine.constants import NUM_KEYS

from .play import PiecePlay

WINDOW_S = 20.0


def parse_roll(spec: str) -> tuple[str, float]:
    """'PIECE:START' -> (piece name or prefix, start in seconds); START may be left out (0)."""
    name, _, start = spec.rpartition(":") if ":" in spec else (spec, "", "0")
    try:
        seconds = float(start or 0)
    except ValueError:
        raise ValueError(f"--roll {spec!r}: START must be seconds, as in 'fur_elise.mid:12.5'") from None
    if not name or not np.isfinite(seconds) or seconds < 0:
        raise ValueError(f"--roll {spec!r}: use PIECE:START, a piece name (or its start) and seconds >= 0")
    return name, seconds


def find_play(plays: Sequence[PiecePlay], name: str) -> PiecePlay:
    exact = [p for p in plays if p.name == name]
    matches = exact or [p for p in plays if p.name.startswith(name) or Path(p.name).stem == name]
    if len(matches) != 1:
        known = ", ".join(p.name for p in plays[:8]) + (", ..." if len(plays) > 8 else "")
        raise ValueError(f"--roll {name!r}: {'no' if not matches else 'more than one'} piece played matches "
                         f"(pieces: {known})")
    return matches[0]


def draw_rolls(piece: str, start: float, plays: dict[str, PiecePlay], out: Path,
               window_s: float = WINDOW_S) -> Path:
    """The piece (its own keys on the first mapping's presses, seed 0) and each model's first stream, from
    `start` for `window_s` seconds, sharing the time and key axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    first = next(iter(plays.values()))
    presses = first.presses[0]
    rows = [("the piece", presses.keys)] + [(name, p.played[0]) for name, p in plays.items()]
    fig, axes = plt.subplots(len(rows), 1, figsize=(12, 2.2 * len(rows)), sharex=True, sharey=True, squeeze=False)
    span = (presses.onsets >= start) & (presses.onsets < start + window_s)
    if not span.any():
        raise ValueError(f"--roll {piece}:{start:g}: the piece has no note there (it lasts "
                         f"{presses.onsets[-1]:.1f} s)")
    shown = np.concatenate([keys[span] for _, keys in rows])
    lo, hi = max(int(shown.min()) - 3, 0), min(int(shown.max()) + 3, NUM_KEYS - 1)
    for ax, (label, keys) in zip(axes[:, 0], rows):
        on, off = presses.onsets[span], presses.releases[span]
        ax.barh(keys[span], off - on, left=on, height=0.8, color="#345" if label == "the piece" else "#b53")
        ax.set_ylim(lo, hi)
        ax.set_ylabel("key")
        ax.set_title(label, fontsize=9, loc="left")
    axes[-1, 0].set_xlabel(f"seconds ({first.mapping[0]} mapping, seed 0)")
    fig.suptitle(f"{piece} from {start:g} s", fontsize=10)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out
