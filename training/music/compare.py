"""Models side by side on whole pieces: each measure's value, its distance to the music, and for each pair of
models a 95 % bootstrap interval over pieces of the difference in distance.

The interval is paired: both models played the same pieces on the same presses, so each piece gives one
difference, and the pieces are resampled with replacement. A difference whose interval leaves out 0 is
called significant. The summary line of a pair counts, over the measures, where the first model is nearer
the music and where it is significantly farther: the issue's goal is "no measure significantly farther than
the reference's, most nearer".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .defaults import RESAMPLES
from .measures import ALL_MEASURES, Measure
from .play import PiecePlay, combined_distance

CONFIDENCE = 0.95


@dataclass
class Difference:
    """distance(a) - distance(b) for one measure, over the pieces both models have a value on (negative:
    a is nearer the music)."""
    measure: Measure
    mean: float
    low: float
    high: float
    pieces: int

    @property
    def significant(self) -> bool:
        return self.pieces > 1 and (self.low > 0 or self.high < 0)


def bootstrap(diffs: np.ndarray, resamples: int = RESAMPLES, seed: int = 0) -> tuple[float, float, float]:
    """(mean, low, high) of the mean of `diffs` with a percentile bootstrap interval over its entries."""
    diffs = np.asarray(diffs, dtype=np.float64)
    if len(diffs) == 0:
        return float("nan"), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = diffs[rng.integers(0, len(diffs), size=(resamples, len(diffs)))].mean(axis=1)
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(diffs.mean()), float(low), float(high)


def _by_piece(plays: Sequence[PiecePlay]) -> dict[str, PiecePlay]:
    return {p.name: p for p in plays}


def differences(a: Sequence[PiecePlay], b: Sequence[PiecePlay], resamples: int = RESAMPLES,
                seed: int = 0) -> list[Difference]:
    pa, pb = _by_piece(a), _by_piece(b)
    names = [n for n in pa if n in pb]
    if not names:
        raise ValueError("the two models played no piece in common")
    out = []
    for m in ALL_MEASURES:
        d = np.array([pa[n].distance[m.key] - pb[n].distance[m.key] for n in names])
        d = d[np.isfinite(d)]
        out.append(Difference(m, *bootstrap(d, resamples, seed), pieces=len(d)))
    return out


def summary(name_a: str, name_b: str, diffs: Sequence[Difference]) -> str:
    known = [d for d in diffs if d.pieces]
    nearer = sum(d.mean < 0 for d in known)
    sig_nearer = sum(d.significant and d.mean < 0 for d in known)
    sig_farther = sum(d.significant and d.mean > 0 for d in known)
    return (f"{name_a} against {name_b}: nearer the music on {nearer} of {len(known)} measures "
            f"(significantly on {sig_nearer}), significantly farther on {sig_farther}")


def _mean_over(plays: Sequence[PiecePlay], attr: str, key: str) -> float:
    values = [getattr(p, attr)[key] for p in plays if np.isfinite(getattr(p, attr)[key])]
    return float(np.mean(values)) if values else float("nan")


def _cell(fmt: str, value: float) -> str:
    return "—" if not np.isfinite(value) else fmt.format(value)


def format_tables(results: dict[str, Sequence[PiecePlay]], resamples: int = RESAMPLES) -> str:
    """Markdown: the measures' values (each model, and the pieces), the distances to the music, and the
    first model against each other one with its 95 % interval; then the summary lines."""
    names = list(results)
    first = results[names[0]]
    lines = ["| measure | " + " | ".join(names) + " | the pieces |", "|---|" + "---:|" * (len(names) + 1)]
    for m in ALL_MEASURES:
        cells = [_cell(m.fmt, _mean_over(results[n], "model_value", m.key)) for n in names]
        piece = "0" if m.piece_zero else _cell(m.fmt, _mean_over(first, "piece_value", m.key))
        lines.append(f"| {m.label} | " + " | ".join(cells) + f" | {piece} |")
    lines += ["", "Distance to the music, |model - piece| (lower is nearer):", "",
              "| measure | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for m in ALL_MEASURES:
        lines.append(f"| {m.label} | " + " | ".join(_cell(m.fmt, _mean_over(results[n], "distance", m.key))
                                                    for n in names) + " |")
    lines.append("| **combined (mean of distance / scale)** | "
                 + " | ".join(f"**{combined_distance(results[n]):.3f}**" for n in names) + " |")
    summaries = []
    for other in names[1:]:
        diffs = differences(first, results[other], resamples)
        lines += ["", f"{names[0]} minus {other}, distance, 95 % bootstrap interval over pieces "
                      "(negative: the first is nearer; * significant):", "",
                  "| measure | difference | 95 % interval |", "|---|---:|---|"]
        for d in diffs:
            mark = " *" if d.significant else ""
            lines.append(f"| {d.measure.label} | {_cell(d.measure.fmt, d.mean)}{mark} | "
                         f"[{_cell(d.measure.fmt, d.low)}, {_cell(d.measure.fmt, d.high)}] |")
        summaries.append(summary(names[0], other, diffs))
    return "\n".join(lines + [""] + summaries)


def to_json(results: dict[str, Sequence[PiecePlay]]) -> dict:
    """Per model: per piece the values and distances, and the combined distance."""
    return {name: {"combined": combined_distance(plays),
                   "pieces": {p.name: {"distance": p.distance, "model": p.model_value, "piece": p.piece_value}
                              for p in plays}}
            for name, plays in results.items()}
