"""The training configuration: one dataclass, and the `pianogenie train` flags made from it (torch-free, so
the CLI starts fast)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields

DEFAULT_SOURCE = "music21"


@dataclass
class TrainConfig:
    data: str = DEFAULT_SOURCE
    out: str = "runs/default"
    # Defaults from the reference (cfg.json of the tutorial).
    seed: int = 0
    batch_size: int = 32  # per rank
    seq_len: int = 128
    lr: float = 3e-4
    max_steps: int = 50_000
    time_stretch_max: float = 0.05
    transpose_max: int = 6
    loss_margin: float = 1.0
    loss_contour: float = 1.0
    # Evaluation on fixed validation windows; the best (lowest validation loss) checkpoint is kept.
    eval_every: int = 500
    eval_windows: int = 512
    # Which validation figure picks the best checkpoint: an evaluation key, or keys joined by "+".
    # "loss" is the training objective; "nll+contour" leaves out the margin term, which only keeps the
    # encoder in range (buttons are clamped anyway) and swings widely while the encoder grows.
    best_metric: str = "loss"
    log_every: int = 50
    max_minutes: float = 0.0  # stop (after a final evaluation) once training has run this long; 0 = no limit
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    threads: int = 0  # torch intra-op threads; 0 = torch's default
    resume: bool = False
    workers: int = 2  # corpus parsing processes, when the cache has to be built
    progress: bool = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per config field (--batch-size for batch_size); booleans get --x / --no-x."""
    defaults = TrainConfig()
    for f in fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        default = getattr(defaults, f.name)
        if isinstance(default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=f"(default: {default})")
        else:
            parser.add_argument(flag, type=type(default), default=default, help=f"(default: {default})")


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(**{f.name: getattr(args, f.name) for f in fields(TrainConfig)})
