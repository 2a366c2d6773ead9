"""`pianogenie export CKPT --out DIR`: the decoder of a checkpoint as a model directory the engine and the
browser load (TF.js weights format via engine.model_format, cfg.json), plus a test.json fixture computed
by running the full autoencoder on a held-out piece."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import torch

from pianogenie.engine.constants import DECODER_TENSORS, DT_MAX, FIXTURE_NAME, NUM_BUTTONS, RNN_DIM, RNN_LAYERS, SOS
from pianogenie.engine.model_format import write_model

from .config import RENAMED
from .data.examples import delta_times
from .data.notes import Piece
from .model import PianoGenie, load_state_dict, shift_keys

FIXTURE_STEPS = 128


def model_config(ckpt_path: str | os.PathLike) -> dict:
    """cfg.json in the reference's schema, filled from the checkpoint's training config where it has one."""
    obj = torch.load(ckpt_path, map_location="cpu", weights_only=True)
    stored = obj.get("config", {}) if isinstance(obj, dict) else {}
    train = {RENAMED.get(key, key): value for key, value in stored.items()}  # today's knob names
    cfg = {
        "seed": train.get("seed", 0),
        "num_buttons": NUM_BUTTONS,
        "data_delta_time_max": DT_MAX,
        "data_augment_time_stretch_max": train.get("time_stretch_max", 0.05),
        "data_augment_transpose_max": train.get("transpose_clamped", 6),
        "model_rnn_dim": RNN_DIM,
        "model_rnn_num_layers": RNN_LAYERS,
        "batch_size": train.get("batch_size", 32),
        "seq_len": train.get("seq_len", 128),
        "lr": train.get("lr", 3e-4),
        "loss_margin_multiplier": train.get("loss_margin", 1.0),
        "loss_contour_multiplier": train.get("loss_contour", 1.0),
        "eval_frequency": train.get("eval_every", 128),
        "max_num_steps": train.get("max_steps", 50_000),
    }
    if isinstance(obj, dict) and "step" in obj:
        cfg["trained_steps"] = int(obj["step"])
        cfg["data"] = train.get("data")
    return cfg


@torch.no_grad()
def make_fixture(model: PianoGenie, piece: Piece, steps: int = FIXTURE_STEPS) -> dict:
    """The first `steps` notes of a piece through the whole autoencoder, in the schema of the reference
    test.json: the decoder's inputs (previous key with the start token first, dt, button) and its logits."""
    if len(piece) < steps:
        raise ValueError(f"{piece.name}: {len(piece)} notes, the fixture needs {steps}")
    model.eval()
    k = torch.from_numpy(piece.keys[:steps].astype(np.int64))[None]
    t = torch.from_numpy(delta_times(piece.onsets[:steps]))[None]
    buttons = model.buttons(k, t)
    logits = model.decode_buttons(k, t, buttons)
    return {
        "input_dts": t[0].tolist(),
        "input_keys": shift_keys(k)[0].tolist(),
        "input_buttons": buttons[0].tolist(),
        "output_logits": logits[0].tolist(),
        "source": piece.name,
    }


def export(ckpt: str | os.PathLike, out: str | os.PathLike, fixture_piece: Piece | None = None) -> Path:
    state = load_state_dict(ckpt)
    missing = [n for n in DECODER_TENSORS if n not in state]
    if missing:
        raise ValueError(f"{ckpt}: no decoder tensor(s) {missing}")
    out = write_model(out, {n: state[n].detach().cpu().numpy() for n in DECODER_TENSORS}, model_config(ckpt))
    if fixture_piece is not None:
        model = PianoGenie()
        model.load_state_dict(state, strict=True)
        fixture = make_fixture(model, fixture_piece)
        (out / FIXTURE_NAME).write_text(json.dumps(fixture) + "\n", encoding="utf-8")
    return out


def check_fixture(model_dir: str | os.PathLike) -> float:
    """Total absolute error of the numpy engine's decoder against the exported fixture (a self-check
    that the export, the fixture and the engine's contract agree)."""
    from pianogenie.engine.model_format import read_decoder

    weights, _ = read_decoder(model_dir)
    fx = json.loads((Path(model_dir) / FIXTURE_NAME).read_text())
    model = PianoGenie()
    model.dec.load_state_dict({name[len("dec."):]: torch.from_numpy(w) for name, w in weights.items()})
    k_prev = torch.tensor(fx["input_keys"])[None]
    t = torch.tensor(fx["input_dts"], dtype=torch.float32)[None]
    b = model.quant.to_real(torch.tensor(fx["input_buttons"]))[None]
    with torch.no_grad():
        logits, _ = model.dec(k_prev, t, b)
    assert int(k_prev[0, 0]) == SOS
    return float((logits[0] - torch.tensor(fx["output_logits"])).abs().sum())
