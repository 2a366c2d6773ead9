"""The training recipe, top to bottom as in nanoGPT's train.py: every knob once, with its default and its help.

The `pianogenie train` flags are made from these fields (`--batch-size` for batch_size; a nested group's knobs
are flags of their own, `--rubato` for perform.rubato), so a knob is described nowhere else. Torch- and
numpy-free, so the CLI starts fast.

Checkpoints store the config flat, one key per knob ({"rubato": 0.1, ...}, see `flat_config`); `stored_config`
reads that back, old names included.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import MISSING, Field, dataclass, field, fields, is_dataclass
from typing import Any, Iterator, Mapping

DEFAULT_SOURCE = "music21"


def knob(default: Any, help: str, renamed_from: tuple[str, ...] = ()) -> Any:
    """A config field with its flag's help text; renamed_from: its earlier names, which checkpoints may still
    store and which stay working as deprecated flags."""
    return field(default=default, metadata={"help": help, "renamed_from": renamed_from})


def group(cls: type) -> Any:
    """A nested group of knobs (its fields become flags of their own)."""
    return field(default_factory=cls)


@dataclass
class Augmentation:
    """The reference's augmentation of every crop: tempo and key."""

    time_stretch_max: float = knob(0.05, "each crop's tempo scaled by 1 + U(-x, x)")
    # Clamped transposition (a key pushed off the piano lands on its edge), as the reference does. Off by
    # default: Performance.transpose_range shifts within the piano instead, to use the whole keyboard.
    transpose_clamped: int = knob(0, "the reference's clamped transposition, semitones (0 = off; see "
                                     "--transpose-range)", renamed_from=("transpose_max",))


@dataclass
class Performance:
    """Make a crop look like a person playing it (training.data.performance)."""

    perform_prob: float = knob(0.8, "share of crops given performer timing (the rest keep the score's)")
    jitter_max_ms: float = knob(15.0, "performed crops: onset jitter sigma ~ U(0, x) ms, then re-sorted by time")
    roll_prob: float = knob(0.3, "performed crops: share of chords rolled over 5-40 ms in random order")
    rubato: float = knob(0.1, "performed crops: std of the log tempo factor, drifting over ~20 notes")
    transpose_range: int = knob(24, "transposition within the piano, up to this many semitones either way")
    bass_octave: float = knob(1.0, "share of crops whose chord basses drop an octave (a pianist's left hand)")
    top_octave: float = knob(1.0, "share of crops whose chords' top notes rise an octave (a pianist's right hand)")
    octave_move: float = knob(1.0, "share of crops that go on an octave higher or lower after a random note")
    octave_moves: int = knob(8, "at most this many octave moves per crop, each drawn on its own")
    repeat_passage: float = knob(0.0, "share of crops in which a passage of 8-32 notes is played again at once")


@dataclass
class LossWeights:
    """The weights of the reference's two auxiliary losses."""

    loss_margin: float = knob(1.0, "weight of the loss keeping the encoder inside [-1, 1]")
    loss_contour: float = knob(1.0, "weight of the loss asking buttons to move as the keys move")


@dataclass
class TrainConfig:
    # I/O
    data: str = knob(DEFAULT_SOURCE, "music21 | a MIDI folder | a MAESTRO folder | a .npz corpus cache")
    out: str = knob("runs/default", "run folder: checkpoints (ckpt_last.pt, ckpt_best.pt) and metrics.jsonl")
    # Defaults from the reference (cfg.json of the tutorial).
    seed: int = knob(0, "seeds the weights and every batch: the same seed gives the same run")
    batch_size: int = knob(32, "crops per step, per process")
    seq_len: int = knob(128, "notes per crop")
    lr: float = knob(3e-4, "Adam learning rate (given with --resume, it replaces the checkpoint's)")
    max_steps: int = knob(50_000, "stop after this many steps in all (a resumed run counts from its checkpoint)")
    augment: Augmentation = group(Augmentation)
    perform: Performance = group(Performance)
    # The decoder must understand the buttons people actually press, not only the encoder's.
    person_buttons: float = knob(0.3, "share of crops whose decoder input is a person's contour buttons "
                                      "(training.person) instead of the encoder's")
    person_local: float = knob(0.0, "share of those crops read as a player reads a passage: each note in its local "
                                    "range or rank, chords on distinct buttons (training.person), not by the "
                                    "whole crop's contour")
    # Which pieces: music21's corpus is 60 % Palestrina by notes; weights tilt it toward keyboard textures.
    exclude: str = knob("", "comma-separated piece-name prefixes to leave out (music21 groups: folk, keyboard)")
    holdout: str = knob("auto", "prefixes kept out of training for the live validation (auto: music21's keyboard "
                                "works; '' = none)")
    piece_weights: str = knob("", "sampling weights by piece-name prefix, e.g. 'palestrina/=0.25,trecento/=0.5' "
                                  "(a piece takes its first matching prefix's weight; others 1)")
    val_jitter_ms: float = knob(10.0, "performer timing of the held-out validation windows, sigma in ms")
    live_seeds: int = knob(3, "seeds of the live-input suite run at each validation")
    loss: LossWeights = group(LossWeights)
    # Evaluation on fixed validation windows; the best checkpoint by best_metric is kept. "loss" is the
    # training objective; "nll+contour" leaves out the margin term, which only keeps the encoder in range
    # (buttons are clamped anyway) and swings widely while the encoder grows. "perf_nll" is the held-out NLL
    # from a person's buttons with performer timing; "live" the live suite's penalty (training.live.live_penalty):
    # together, how the model plays for a person.
    eval_every: int = knob(500, "validate (and checkpoint) every this many steps")
    eval_windows: int = knob(512, "validation windows of seq_len notes")
    best_metric: str = knob("perf_nll+live", "validation keys joined by '+' that pick ckpt_best.pt (lower is better)")
    log_every: int = knob(50, "write a metrics line every this many steps")
    max_minutes: float = knob(0.0, "stop after this many minutes, after a final validation (0 = no limit)")
    # System
    device: str = knob("auto", "auto | cpu | cuda | cuda:N")
    threads: int = knob(0, "torch threads (0 = torch's choice)")
    resume: bool = knob(False, "continue from OUT/ckpt_last.pt (or the checkpoint --init names), bit for bit")
    overwrite: bool = knob(False, "start afresh in an OUT that already holds checkpoints")
    # Not a resume: step, optimiser and best start anew.
    init: str = knob("", "start from these weights: a checkpoint (whole model) or a model directory (decoder)")
    keep_evals: bool = knob(False, "keep every validation's checkpoint as ckpt_STEP.pt beside ckpt_last.pt")
    workers: int = knob(2, "corpus parsing processes, when the data has to be parsed first")
    progress: bool = knob(True, "show a progress bar")


# ---------------------------------------------------------------------------------------------------------------
# The knobs as one flat namespace: flags, checkpoints and the readers of both.


def _is_group(f: Field) -> bool:
    return f.default_factory is not MISSING and is_dataclass(f.default_factory)


def knobs(cls: type = TrainConfig) -> Iterator[tuple[Field, Field | None]]:
    """Every knob, depth first: (field, the group's field in TrainConfig, None at the top)."""
    for f in fields(cls):
        if _is_group(f):
            yield from ((g, f) for g, _ in knobs(f.default_factory))
        else:
            yield f, None


def _default(f: Field) -> Any:
    return f.default if f.default is not MISSING else f.default_factory()


def _build(cls: type, values: Mapping[str, Any]) -> Any:
    return cls(**{f.name: _build(f.default_factory, values) if _is_group(f) else values[f.name]
                  for f in fields(cls) if _is_group(f) or f.name in values})


def flat_config(cfg: TrainConfig) -> dict[str, Any]:
    """{knob: value}: what a checkpoint stores."""

    def walk(obj: Any) -> Iterator[tuple[str, Any]]:
        for f in fields(obj):
            value = getattr(obj, f.name)
            yield from walk(value) if _is_group(f) else ((f.name, value),)

    return dict(walk(cfg))


# Earlier knob names -> today's, from the fields' renamed_from.
RENAMED = {old: f.name for f, _ in knobs() for old in f.metadata["renamed_from"]}


def stored_config(stored: Mapping[str, Any]) -> TrainConfig:
    """The TrainConfig a checkpoint's flat config describes. Earlier names are read as today's; a knob it
    does not name (one newer than the checkpoint) takes today's default; one no longer known is an error."""
    names = {f.name for f, _ in knobs()}
    values: dict[str, Any] = {}
    for key, value in stored.items():
        name = RENAMED.get(key, key)
        if name not in names:
            raise ValueError(f"stored training config: unknown knob {key!r}")
        values[name] = value
    return _build(TrainConfig, values)


def config_from_flat(values: Mapping[str, Any]) -> TrainConfig:
    """TrainConfig from {knob: value}, today's names only (e.g. config_from_flat(dict(rubato=0.2)))."""
    unknown = set(values) - {f.name for f, _ in knobs()}
    if unknown:
        raise TypeError(f"unknown knob(s): {', '.join(sorted(unknown))}")
    return _build(TrainConfig, values)


# ---------------------------------------------------------------------------------------------------------------
# `pianogenie train` flags.


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


class _Deprecated(argparse.Action):
    """An earlier flag name: still works, and says which name to use."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"pianogenie train: {option_string} is deprecated, use {_flag(self.dest)}", file=sys.stderr)
        setattr(namespace, self.dest, values)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per knob (booleans get --x / --no-x); a group's knobs under its name, with its docstring."""
    sections: dict[str | None, Any] = {None: parser}
    for f, in_group in knobs():
        name = in_group.name if in_group else None
        if name not in sections:
            sections[name] = parser.add_argument_group(name, in_group.default_factory.__doc__.strip())
        section = sections[name]
        default = _default(f)
        shown = repr(default) if isinstance(default, str) else str(default)
        text = f"{f.metadata['help']} (default: {shown})".replace("%", "%%")
        if isinstance(default, bool):
            section.add_argument(_flag(f.name), action=argparse.BooleanOptionalAction, default=default, help=text)
        else:
            section.add_argument(_flag(f.name), type=type(default), default=default, help=text)
        for old in f.metadata["renamed_from"]:
            section.add_argument(_flag(old), dest=f.name, type=type(default), action=_Deprecated, metavar=old.upper(),
                                 default=argparse.SUPPRESS, help=f"deprecated name of {_flag(f.name)}")


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    return _build(TrainConfig, {f.name: getattr(args, f.name) for f, _ in knobs()})
