"""The training recipe's knobs: each described once (a default and a help in its field), the `pianogenie train`
flags made from them, an earlier flag name still working, and checkpoints' flat configs, old names included,
read back."""

from __future__ import annotations

import argparse
import re
from dataclasses import fields
from pathlib import Path

import pytest

from pianogenie.training import config as C

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CHECKPOINT = REPO / "engine" / "models" / "default" / "checkpoint.pt"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pianogenie train")
    C.add_arguments(parser)
    return parser


def _train_help() -> str:
    from pianogenie.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return " ".join(sub.choices["train"].format_help().split())  # argparse wraps lines wherever it likes


def test_every_knob_has_one_name_a_default_and_a_help():
    names = [f.name for f, _ in C.knobs()]
    assert len(names) == len(set(names)), "two knobs share a name, so one flag would hide the other"
    assert {"rubato", "octave_moves", "loss_margin", "transpose_clamped", "batch_size"} <= set(names)
    for f, _ in C.knobs():
        assert f.metadata["help"].strip(), f.name
    # The groups are TrainConfig's own fields: the same class everywhere it is used.
    from pianogenie.training.data import examples, performance

    assert performance.Performance is C.Performance and examples.Augmentation is C.Augmentation
    groups = {f.name: f.default_factory for f in fields(C.TrainConfig) if f.default_factory is not C.MISSING}
    assert groups == {"augment": C.Augmentation, "perform": C.Performance, "loss": C.LossWeights}


def test_the_flags_are_the_knobs_with_their_defaults():
    parser = _parser()
    assert C.config_from_args(parser.parse_args([])) == C.TrainConfig()
    flags = {option for action in parser._actions for option in action.option_strings}
    for f, _ in C.knobs():
        assert "--" + f.name.replace("_", "-") in flags
    args = parser.parse_args(["--rubato", "0.2", "--octave-moves", "3", "--loss-contour", "2", "--no-progress",
                              "--batch-size", "4", "--data", "folder"])
    cfg = C.config_from_args(args)
    assert (cfg.perform.rubato, cfg.perform.octave_moves, cfg.loss.loss_contour) == (0.2, 3, 2.0)
    assert (cfg.progress, cfg.batch_size, cfg.data) == (False, 4, "folder")
    assert cfg.perform.bass_octave == C.Performance().bass_octave  # the rest keep their one default


def test_train_help_lists_every_knob_with_its_help_and_default():
    text = _train_help()
    defaults = C.flat_config(C.TrainConfig())
    for f, _ in C.knobs():
        flag = "--" + f.name.replace("_", "-")
        value = defaults[f.name]
        shown = repr(value) if isinstance(value, str) else str(value)
        help_text = " ".join(f.metadata["help"].split())
        entry = re.escape(flag) + r"(?: [A-Z_]+|, --no-[a-z-]+) " + re.escape(f"{help_text} (default: {shown})")
        assert re.search(entry, text), flag
    assert "--transpose-max TRANSPOSE_MAX deprecated name of --transpose-clamped" in text


def test_the_old_transpose_max_flag_still_sets_the_clamped_transposition(capsys):
    parser = _parser()
    cfg = C.config_from_args(parser.parse_args(["--transpose-max", "5"]))
    assert cfg.augment.transpose_clamped == 5 and cfg.perform.transpose_range == C.Performance().transpose_range
    assert "--transpose-max is deprecated, use --transpose-clamped" in capsys.readouterr().err
    # As with any repeated flag, the last one given wins.
    cfg = C.config_from_args(parser.parse_args(["--transpose-max", "5", "--transpose-clamped", "2"]))
    assert cfg.augment.transpose_clamped == 2
    assert C.config_from_args(parser.parse_args([])).augment.transpose_clamped == 0


def test_a_flat_config_round_trips_and_old_names_are_read():
    cfg = C.config_from_flat(dict(seed=3, rubato=0.2, transpose_clamped=4, loss_margin=3.0, resume=True))
    flat = C.flat_config(cfg)
    assert flat["rubato"] == 0.2 and flat["transpose_clamped"] == 4 and "transpose_max" not in flat
    assert list(flat) == [f.name for f, _ in C.knobs()]
    assert C.stored_config(flat) == cfg
    old = {**{k: v for k, v in flat.items() if k != "transpose_clamped"}, "transpose_max": 4}
    assert C.stored_config(old) == cfg
    # A knob newer than the checkpoint takes today's default; one nobody knows is an error, not ignored.
    assert C.stored_config({"seed": 3}) == C.TrainConfig(seed=3)
    with pytest.raises(ValueError, match="'no_such_knob'"):
        C.stored_config({"no_such_knob": 1})
    with pytest.raises(TypeError, match="transpose_max"):
        C.config_from_flat({"transpose_max": 4})  # today's names only: old ones are for stored configs


def test_the_shipped_checkpoints_stored_config_is_read():
    torch = pytest.importorskip("torch")
    stored = torch.load(DEFAULT_CHECKPOINT, map_location="cpu", weights_only=True)["config"]
    assert "transpose_max" in stored and "transpose_clamped" not in stored  # written before the rename
    cfg = C.stored_config(stored)
    assert cfg.augment.transpose_clamped == stored["transpose_max"]
    assert cfg.perform.transpose_range == stored["transpose_range"] == 3
    assert (cfg.loss.loss_margin, cfg.person_buttons, cfg.best_metric) == (3.0, 0.5, "music")
    renamed = {C.RENAMED.get(k, k): v for k, v in stored.items()}
    newer = set(C.flat_config(cfg)) - set(renamed)  # knobs added since: their defaults, which keep the old recipe
    assert newer == {"person_local"} and cfg.person_local == 0.0
    assert {k: v for k, v in C.flat_config(cfg).items() if k not in newer} == renamed


def test_export_reads_the_shipped_checkpoints_old_names():
    pytest.importorskip("torch")
    import json

    from pianogenie.training.export import model_config

    # cfg.json was exported from checkpoint.pt when the clamped transposition was still called transpose_max.
    shipped = json.loads((DEFAULT_CHECKPOINT.parent / "cfg.json").read_text())
    assert model_config(DEFAULT_CHECKPOINT) == shipped and shipped["data_augment_transpose_max"] == 0
