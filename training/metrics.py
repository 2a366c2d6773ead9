"""Held-out metrics for a Piano Genie autoencoder, computed on fixed windows (see data.examples.eval_windows).
Used by the periodic evaluation in training and by `pianogenie evaluate`, so both report the same numbers."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from pianogenie.engine.constants import NUM_BUTTONS, NUM_KEYS

from .config import LossWeights
from .model import PianoGenie, compute_losses


@torch.no_grad()
def window_metrics(model: PianoGenie, keys: np.ndarray, dts: np.ndarray, batch_size: int = 64,
                   weights: LossWeights = LossWeights(), device: str | torch.device = "cpu") -> dict[str, float]:
    """Everything the evaluation table reports, averaged over all notes of all windows.

    Contour violation, between consecutive notes of a window (b = the encoder's buttons):
      reference definition: sign(dk) != sign(db)  (a repeated key needs a repeated button);
      paper-code definition: dk * db < 0          (only moves in opposite directions count).
    """
    was_training = model.training
    model.eval()
    sums = {"loss": 0.0, "recons": 0.0, "margin": 0.0, "contour": 0.0}
    nll = top1 = top5 = inside = 0.0
    viol_ref = viol_paper = 0.0
    hist = np.zeros(NUM_BUTTONS, dtype=np.int64)
    n_notes = n_pairs = 0
    for s in range(0, len(keys), batch_size):
        k = torch.as_tensor(keys[s:s + batch_size], device=device)
        t = torch.as_tensor(dts[s:s + batch_size], device=device)
        logits, e = model(k, t)
        n = k.numel()
        for name, value in compute_losses(logits, e, k, weights).items():
            # margin/recons are means over notes, contour over pairs: weight by what each averages.
            sums[name] += value.item() * (k[:, 1:].numel() if name == "contour" else n)
        flat = logits.reshape(-1, logits.shape[-1])
        target = k.reshape(-1)
        nll += F.cross_entropy(flat, target, reduction="sum").item()
        top1 += (flat.argmax(-1) == target).sum().item()
        top5 += (flat.topk(5, dim=-1).indices == target[:, None]).any(-1).sum().item()
        inside += ((e >= -1) & (e <= 1)).sum().item()
        b = model.quant.to_discrete(e)
        dk, db = torch.diff(k, dim=1), torch.diff(b, dim=1)
        viol_ref += (torch.sign(dk) != torch.sign(db)).sum().item()
        viol_paper += (dk * db < 0).sum().item()
        hist += np.bincount(b.reshape(-1).cpu().numpy(), minlength=NUM_BUTTONS)
        n_notes += n
        n_pairs += dk.numel()
    model.train(was_training)
    out = {
        "windows": float(len(keys)),
        "notes": float(n_notes),
        "loss": sums["recons"] / n_notes + weights.loss_margin * sums["margin"] / n_notes
        + weights.loss_contour * sums["contour"] / n_pairs,
        "recons": sums["recons"] / n_notes,
        "margin": sums["margin"] / n_notes,
        "contour": sums["contour"] / n_pairs,
        "nll": nll / n_notes,
        "perplexity": math.exp(nll / n_notes),
        "top1": top1 / n_notes,
        "top5": top5 / n_notes,
        "contour_violation_ref": viol_ref / n_pairs,
        "contour_violation_paper": viol_paper / n_pairs,
        "encoder_inside": inside / n_notes,
    }
    for i, count in enumerate(hist):
        out[f"button_{i}"] = float(count) / n_notes
    return out


def performed_pieces(pieces, jitter_s: float, seed: int = 0) -> list:
    """The pieces with performer timing: every onset jittered by N(0, jitter_s) (seeded per piece, so the
    windows are fixed), then re-sorted, so chord notes arrive in any order as from a person."""
    from dataclasses import replace

    from .data.performance import performer_timing

    out = []
    for i, p in enumerate(pieces):
        if jitter_s <= 0:
            out.append(p)
            continue
        onsets, keys = performer_timing(p.onsets, p.keys, jitter_s, np.random.default_rng([seed, i]))
        out.append(replace(p, onsets=onsets - onsets[0], keys=keys))
    return out


@torch.no_grad()
def person_metrics(model: PianoGenie, keys: np.ndarray, dts: np.ndarray, with_encoder: bool = True,
                   batch_size: int = 64, device: str | torch.device = "cpu") -> dict[str, float]:
    """Teacher-forced NLL and top-1 of the decoder fed a person's contour buttons (training.person); with
    an encoder, the same from the encoder's buttons beside it."""
    from .person import contour_buttons

    was_training = model.training
    model.eval()
    sums = {"nll": 0.0, "top1": 0.0, "enc_nll": 0.0, "enc_top1": 0.0}
    n = 0
    for s in range(0, len(keys), batch_size):
        k = torch.as_tensor(keys[s:s + batch_size], device=device)
        t = torch.as_tensor(dts[s:s + batch_size], device=device)
        b = torch.as_tensor(contour_buttons(keys[s:s + batch_size]), device=device)
        variants = [("", b)] + ([("enc_", model.buttons(k, t))] if with_encoder else [])
        for prefix, buttons in variants:
            logits = model.decode_buttons(k, t, buttons).reshape(-1, NUM_KEYS)
            target = k.reshape(-1)
            sums[prefix + "nll"] += F.cross_entropy(logits, target, reduction="sum").item()
            sums[prefix + "top1"] += (logits.argmax(-1) == target).sum().item()
        n += k.numel()
    model.train(was_training)
    out = {"nll": sums["nll"] / n, "top1": sums["top1"] / n}
    if with_encoder:
        out.update(enc_nll=sums["enc_nll"] / n, enc_top1=sums["enc_top1"] / n)
    return out


def performer_metrics(model: PianoGenie, pieces, seq_len: int, jitter_s: float, max_windows: int | None = 512,
                      device: str | torch.device = "cpu") -> dict[str, float]:
    """perf_nll / perf_top1: a person's buttons with performer timing, on fixed windows of the pieces."""
    from .data.examples import eval_windows

    keys, dts = eval_windows(performed_pieces(pieces, jitter_s), seq_len, max_windows)
    m = person_metrics(model, keys, dts, with_encoder=False, device=device)
    return {"perf_nll": m["nll"], "perf_top1": m["top1"]}
