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
    # Clamped transposition of the reference (a key pushed off the piano lands on its edge). Off by default:
    # transpose_range shifts within the piano instead, by up to two octaves, to use the whole keyboard.
    transpose_max: int = 0
    # Performance augmentation (training.data.performance): make score timing look like a person playing.
    perform_prob: float = 0.8  # share of crops performed; the rest keep the score's exact timing
    jitter_max_ms: float = 15.0  # per crop, onset jitter sigma ~ U(0, max), then re-sorted
    roll_prob: float = 0.3  # share of chords rolled over 5-40 ms in random order
    rubato: float = 0.1  # std of the log tempo factor, drifting over ~20 notes
    transpose_range: int = 24  # semitones either way, never off the piano
    bass_octave: float = 1.0  # share of crops whose chord basses drop an octave, as a pianist's left hand
    top_octave: float = 1.0  # share of crops whose chords' top notes rise an octave, as a pianist's right hand
    octave_move: float = 1.0  # share of crops that go on an octave higher or lower after a random note
    octave_moves: int = 8  # at most this many such moves per crop
    repeat_passage: float = 0.0  # share of crops in which a passage of 8-32 notes is played again at once
    # Share of crops whose decoder input is a person's contour buttons (training.person) instead of the
    # encoder's: the decoder must understand the buttons people actually press.
    person_buttons: float = 0.3
    # Piece-name prefixes, comma-separated: left out of training and validation ("exclude"), or held out of
    # training for the live validation ("holdout"; "auto" = music21's keyboard works, "" = none).
    exclude: str = ""
    holdout: str = "auto"
    # Sampling weight per piece-name prefix, "prefix=weight,..." (a piece takes its first matching prefix's
    # weight; the rest weigh 1): tilts the corpus, whose notes are 60 % Palestrina, toward keyboard textures.
    piece_weights: str = ""
    val_jitter_ms: float = 10.0  # performer timing of the held-out windows
    live_seeds: int = 3  # seeds of the live-input suite at each validation
    loss_margin: float = 1.0
    loss_contour: float = 1.0
    # Evaluation on fixed validation windows; the best (lowest validation loss) checkpoint is kept.
    eval_every: int = 500
    eval_windows: int = 512
    # Which validation figure picks the best checkpoint: an evaluation key, or keys joined by "+".
    # "loss" is the training objective; "nll+contour" leaves out the margin term, which only keeps the
    # encoder in range (buttons are clamped anyway) and swings widely while the encoder grows.
    # "perf_nll" is the held-out NLL from a person's buttons with performer timing; "live" the live
    # suite's penalty (training.live.live_penalty): together, how the model plays for a person.
    best_metric: str = "perf_nll+live"
    log_every: int = 50
    max_minutes: float = 0.0  # stop (after a final evaluation) once training has run this long; 0 = no limit
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    threads: int = 0  # torch intra-op threads; 0 = torch's default
    resume: bool = False
    overwrite: bool = False  # allow a fresh run into an --out that already holds checkpoints
    # Start from these weights instead of random ones (not a resume: step, optimiser and best start anew):
    # a training checkpoint (encoder and decoder) or a model directory (the decoder only).
    init: str = ""
    keep_evals: bool = False  # also keep every validation's checkpoint as ckpt_STEP.pt, to choose among later
    workers: int = 2  # corpus parsing processes, when the cache has to be built
    progress: bool = True

    def performance(self):
        """The performance augmentation these settings ask for (training.data.performance.Performance)."""
        from .data.performance import Performance

        return Performance(prob=self.perform_prob, jitter_max_s=self.jitter_max_ms / 1000, roll_prob=self.roll_prob,
                           rubato=self.rubato, transpose_max=self.transpose_range, bass_octave_prob=self.bass_octave,
                           top_octave_prob=self.top_octave,
                           octave_move_prob=self.octave_move, octave_moves=self.octave_moves,
                           repeat_prob=self.repeat_passage)


# What `pianogenie train --help` says of each flag.
HELP = {
    "data": "music21 | a MIDI folder | a MAESTRO folder | a .npz corpus cache",
    "out": "run folder: checkpoints (ckpt_last.pt, ckpt_best.pt) and metrics.jsonl",
    "seed": "seeds the weights and every batch: the same seed gives the same run",
    "batch_size": "crops per step, per process",
    "seq_len": "notes per crop",
    "lr": "Adam learning rate (given with --resume, it replaces the checkpoint's)",
    "max_steps": "stop after this many steps in all (a resumed run counts from its checkpoint)",
    "time_stretch_max": "each crop's tempo scaled by 1 + U(-x, x)",
    "transpose_max": "the reference's clamped transposition, semitones (0 = off; see --transpose-range)",
    "perform_prob": "share of crops given performer timing (the rest keep the score's)",
    "jitter_max_ms": "performed crops: onset jitter sigma ~ U(0, x) ms, then re-sorted by time",
    "roll_prob": "performed crops: share of chords rolled over 5-40 ms in random order",
    "rubato": "performed crops: std of the slowly drifting log tempo factor",
    "transpose_range": "transposition within the piano, up to this many semitones either way",
    "bass_octave": "share of crops whose chord basses drop an octave (a pianist's left hand)",
    "top_octave": "share of crops whose chords' top notes rise an octave (a pianist's right hand)",
    "octave_move": "share of crops that go on an octave higher or lower after a random note",
    "octave_moves": "at most this many octave moves per crop, each drawn on its own",
    "repeat_passage": "share of crops in which a passage of 8-32 notes is played again at once",
    "piece_weights": "sampling weights by piece-name prefix, e.g. 'palestrina/=0.25,trecento/=0.5' (others 1)",
    "keep_evals": "keep every validation's checkpoint as ckpt_STEP.pt beside ckpt_last.pt",
    "person_buttons": "share of crops whose decoder input is a person's contour buttons",
    "exclude": "comma-separated piece-name prefixes to leave out (music21 groups: folk, keyboard)",
    "holdout": "prefixes kept out of training for the live validation (auto: music21's keyboard works)",
    "val_jitter_ms": "performer timing of the held-out validation windows, sigma in ms",
    "live_seeds": "seeds of the live-input suite run at each validation",
    "loss_margin": "weight of the loss keeping the encoder inside [-1, 1]",
    "loss_contour": "weight of the loss asking buttons to move as the keys move",
    "eval_every": "validate (and checkpoint) every this many steps",
    "eval_windows": "validation windows of seq_len notes",
    "best_metric": "validation keys joined by '+' that pick ckpt_best.pt (lower is better)",
    "log_every": "write a metrics line every this many steps",
    "max_minutes": "stop after this many minutes, after a final validation (0 = no limit)",
    "device": "auto | cpu | cuda | cuda:N",
    "threads": "torch threads (0 = torch's choice)",
    "resume": "continue from OUT/ckpt_last.pt, bit for bit",
    "overwrite": "start afresh in an OUT that already holds checkpoints",
    "init": "start from these weights: a checkpoint (whole model) or a model directory (decoder)",
    "workers": "corpus parsing processes, when the data has to be parsed first",
    "progress": "show a progress bar",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per config field (--batch-size for batch_size); booleans get --x / --no-x."""
    defaults = TrainConfig()
    for f in fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        default = getattr(defaults, f.name)
        text = f"{HELP[f.name]} (default: {default!r})" if isinstance(default, str) else f"{HELP[f.name]} (default: {default})"
        if isinstance(default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=text)
        else:
            parser.add_argument(flag, type=type(default), default=default, help=text)


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(**{f.name: getattr(args, f.name) for f in fields(TrainConfig)})
