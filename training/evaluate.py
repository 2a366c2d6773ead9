"""`pianogenie evaluate`: held-out metrics of one or more checkpoints on the same windows, side by side,
plus the intuitiveness check on melodies a person would play (training.melodies)."""

from __future__ import annotations

import numpy as np
import torch

from engine.constants import SOS, pitch_to_key

from .data.examples import delta_times, eval_windows
from .melodies import MELODIES, Melody
from .metrics import window_metrics
from .model import PianoGenie


def _agree_sign(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.sign(np.diff(a)) == np.sign(np.diff(b))))


@torch.no_grad()
def melody_metrics(model: PianoGenie, melody: Melody) -> dict[str, float]:
    """How close the encoder's buttons are to a person's, and how well the decoder rebuilds the melody
    from the person's buttons (teacher-forced, and free-running with argmax from its own previous keys)."""
    model.eval()
    keys = np.array([pitch_to_key(p) for p in melody.pitches])
    human = np.array(melody.buttons)
    k = torch.from_numpy(keys)[None]
    t = torch.from_numpy(delta_times(np.array(melody.onsets())))[None]
    enc = model.buttons(k, t)[0].numpy()
    logits = model.decode_buttons(k, t, torch.from_numpy(human)[None])[0]
    nll = torch.nn.functional.cross_entropy(logits, k[0]).item()
    # Free-running: the decoder plays from the person's buttons alone, as in the instrument.
    prev, state, played = SOS, None, []
    b_real = model.quant.to_real(torch.from_numpy(human))
    for i in range(len(keys)):
        step_logits, state = model.dec(torch.tensor([[prev]]), t[:, i:i + 1], b_real[i].reshape(1, 1), state)
        prev = int(step_logits[0, -1].argmax())
        played.append(prev)
    played = np.array(played)
    return {
        "enc_exact": float(np.mean(enc == human)),
        "enc_mean_abs_diff": float(np.mean(np.abs(enc - human))),
        "enc_contour_agree": _agree_sign(enc, human),
        "dec_nll": nll,
        "dec_top1": float((logits.argmax(-1) == k[0]).float().mean()),
        "play_contour_agree": _agree_sign(played, keys),
        "play_interval_exact": float(np.mean(np.diff(played) == np.diff(keys))),
    }


def evaluate(model: PianoGenie, pieces, seq_len: int = 128, max_windows: int | None = None) -> dict[str, float]:
    keys, dts = eval_windows(pieces, seq_len, max_windows)
    out = window_metrics(model, keys, dts)
    per_melody = [melody_metrics(model, m) for m in MELODIES]
    for name in per_melody[0]:
        out[f"melody_{name}"] = float(np.mean([m[name] for m in per_melody]))
    for m, row in zip(MELODIES, per_melody):
        out[f"melody[{m.name}]_enc_exact"] = row["enc_exact"]
        out[f"melody[{m.name}]_dec_top1"] = row["dec_top1"]
    return out


ROWS = [
    ("notes", "held-out notes", "{:.0f}"),
    ("nll", "reconstruction NLL (nats/note)", "{:.4f}"),
    ("perplexity", "perplexity", "{:.3f}"),
    ("top1", "top-1 accuracy", "{:.4f}"),
    ("top5", "top-5 accuracy", "{:.4f}"),
    ("contour_violation_ref", "contour violation, sign(dk) != sign(db)", "{:.4f}"),
    ("contour_violation_paper", "contour violation, dk*db < 0", "{:.4f}"),
    ("encoder_inside", "encoder outputs inside [-1, 1]", "{:.4f}"),
    ("margin", "margin loss", "{:.5f}"),
    ("contour", "contour loss", "{:.4f}"),
    ("loss", "total loss", "{:.4f}"),
] + [(f"button_{i}", f"button {i} share", "{:.3f}") for i in range(8)] + [
    ("melody_enc_exact", "melodies: encoder = person's button", "{:.3f}"),
    ("melody_enc_mean_abs_diff", "melodies: mean abs(encoder - person) buttons", "{:.3f}"),
    ("melody_enc_contour_agree", "melodies: encoder contour = person's", "{:.3f}"),
    ("melody_dec_nll", "melodies: NLL from person's buttons", "{:.3f}"),
    ("melody_dec_top1", "melodies: top-1 from person's buttons", "{:.3f}"),
    ("melody_play_contour_agree", "melodies: played contour = melody's", "{:.3f}"),
    ("melody_play_interval_exact", "melodies: played intervals exact", "{:.3f}"),
]


def format_table(results: dict[str, dict[str, float]]) -> str:
    """A markdown table, one column per model."""
    names = list(results)
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for key, label, fmt in ROWS:
        lines.append(f"| {label} | " + " | ".join(fmt.format(results[n][key]) for n in names) + " |")
    melody_keys = [k for k in results[names[0]] if k.startswith("melody[")]
    for key in melody_keys:
        melody, what = key[len("melody["):].split("]_")
        label = f"{melody}: " + {"enc_exact": "encoder = person's button", "dec_top1": "top-1 from person's buttons"}[what]
        lines.append(f"| {label} | " + " | ".join(f"{results[n][key]:.3f}" for n in names) + " |")
    return "\n".join(lines)
