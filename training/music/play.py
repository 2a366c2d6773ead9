"""Play whole pieces through a decoder as a person would, and measure how far the result is from the music.

Each piece is pressed with every button mapping (training.music.presses), once per seed: the seed draws the
finger jitter and the decoder's samples. The decoder runs free-running from one reset to the last note, at
the instrument's default temperature, its own previous key fed back, exactly as on stage. Each stream is
measured (training.music.measures) beside the piece's own keys for the same presses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from pianogenie.engine.constants import DEFAULT_TEMPERATURE

from ..data.notes import Piece
from ..live import Scenario, play
from ..model import Decoder
from .defaults import DEFAULT_SEEDS
from .measures import ALL_MEASURES, MEASURES, Context, IntervalModel, melody_line, measure_stream, recurrences
from .presses import MAPPINGS, Presses, chord_ids, piece_presses

MIN_NOTES = 32  # shorter pieces say nothing about register, drift or recurring passages


@dataclass
class PiecePlay:
    """One piece played by one model: per (mapping, seed) the presses and the keys played."""
    name: str
    presses: list[Presses] = field(default_factory=list)
    played: list[np.ndarray] = field(default_factory=list)
    mapping: list[str] = field(default_factory=list)
    # measure key -> |model - piece|, averaged over seeds and mappings
    distance: dict[str, float] = field(default_factory=dict)
    model_value: dict[str, float] = field(default_factory=dict)
    piece_value: dict[str, float] = field(default_factory=dict)


def interval_models(pieces: Sequence[Piece]) -> list[IntervalModel]:
    """For each piece, the melody-interval n-gram model fitted on all the *other* pieces (leave one out), so
    that a piece is never judged by a model that has seen it."""
    lines = [melody_line(np.asarray(p.keys, dtype=np.int64), chord_ids(np.asarray(p.onsets))) for p in pieces]
    return [IntervalModel([line for j, line in enumerate(lines) if j != i]) for i in range(len(pieces))]


def _nanmean(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def play_piece(dec: Decoder, piece: Piece, intervals: IntervalModel, seeds: int = DEFAULT_SEEDS,
               mappings: Sequence[str] = MAPPINGS, temperature: float = DEFAULT_TEMPERATURE) -> PiecePlay:
    out = PiecePlay(piece.name)
    per_measure: dict[str, list[float]] = {m.key: [] for m in ALL_MEASURES}
    mine: dict[str, list[float]] = {m.key: [] for m in ALL_MEASURES}
    theirs: dict[str, list[float]] = {m.key: [] for m in ALL_MEASURES}
    for m_index, mapping in enumerate(mappings):
        # The jitter of seed s is the same for every model, so that models are compared on the same presses.
        presses = [piece_presses(piece, mapping, np.random.default_rng([s, m_index, 17])) for s in range(seeds)]
        buttons = np.stack([p.buttons for p in presses])
        dts = np.stack([p.dts() for p in presses])
        keys = play(dec, Scenario(buttons, dts), temperature, seed=1000 * m_index + 7)
        means, registers = [], []
        for p, k in zip(presses, keys):
            ctx = Context(p, intervals, recurrences(p))
            model_m, piece_m = measure_stream(k, p, ctx), measure_stream(p.keys, p, ctx)
            for name in model_m:
                per_measure[name].append(abs(model_m[name] - piece_m[name]))
                mine[name].append(model_m[name])
                theirs[name].append(piece_m[name])
            means.append(model_m["mean_key"])
            registers.append(model_m["register"])
            out.presses.append(p)
            out.played.append(k)
            out.mapping.append(mapping)
        for name, values in (("seed_mean_key", means), ("seed_register", registers)):
            spread = float(np.std(values))
            per_measure[name].append(spread)
            mine[name].append(spread)
            theirs[name].append(0.0)
    out.distance = {name: _nanmean(v) for name, v in per_measure.items()}
    out.model_value = {name: _nanmean(v) for name, v in mine.items()}
    out.piece_value = {name: _nanmean(v) for name, v in theirs.items()}
    return out


def playable(pieces: Sequence[Piece]) -> list[Piece]:
    return [p for p in pieces if len(p) >= MIN_NOTES]


def play_pieces(dec: Decoder, pieces: Sequence[Piece], seeds: int = DEFAULT_SEEDS,
                mappings: Sequence[str] = MAPPINGS, temperature: float = DEFAULT_TEMPERATURE) -> list[PiecePlay]:
    pieces = playable(pieces)
    if len(pieces) < 2:
        raise ValueError(f"playing pieces needs at least 2 pieces of {MIN_NOTES} notes or more "
                         "(the melody n-gram model of each piece is fitted on the others)")
    models = interval_models(pieces)
    return [play_piece(dec, p, m, seeds, mappings, temperature) for p, m in zip(pieces, models)]


def combined_distance(plays: Sequence[PiecePlay]) -> float:
    """One number for checkpoint selection, from every measure at once: each measure's distance to the music,
    averaged over pieces and divided by the measure's scale, then averaged over measures. No model enters it,
    only the music: a decoder can lower it only by playing more like the pieces on all measures together."""
    parts = []
    for m in ALL_MEASURES:
        values = [p.distance[m.key] for p in plays if np.isfinite(p.distance[m.key])]
        if values:
            parts.append(np.mean(values) / m.scale)
    return float(np.mean(parts))


__all__ = ["PiecePlay", "play_piece", "play_pieces", "combined_distance", "MEASURES", "ALL_MEASURES"]
