"""`pianogenie evaluate`: how models play, side by side, measured by the same code.

Any number of models: training checkpoints, bare state dicts, or model directories (the shipped,
decoder-only format). Three views:

1. Held-out windows with a person's buttons (training.person: pitch rank in the window, in eighths), in
   the file's own timing and with performer timing (every onset jittered, then re-sorted, so chord notes
   arrive in any order). A model with an encoder also reports its own buttons, and its encoder figures.
2. The live-input suite (training.live): free-running play from synthetic human input.
3. The intuitiveness check on melodies a person would play (training.melodies).
"""

from __future__ import annotations

import numpy as np
import torch

from pianogenie.engine.constants import pitch_to_key

from .data.examples import delta_times, eval_windows
from .live import LIVE_ROWS, live_suite
from .melodies import MELODIES, Melody
from .metrics import performed_pieces, person_metrics, window_metrics
from .model import PianoGenie

DEFAULT_JITTER_S = 0.010


def _agree_sign(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.sign(np.diff(a)) == np.sign(np.diff(b))))


@torch.no_grad()
def melody_metrics(model: PianoGenie, melody: Melody, with_encoder: bool = True) -> dict[str, float]:
    """How well the decoder rebuilds the melody from the person's buttons (teacher-forced, and free-running
    with argmax from its own previous keys) and, with an encoder, how close its buttons are to a person's."""
    model.eval()
    keys = np.array([pitch_to_key(p) for p in melody.pitches])
    human = np.array(melody.buttons)
    k = torch.from_numpy(keys)[None]
    t = torch.from_numpy(delta_times(np.array(melody.onsets())))[None]
    logits = model.decode_buttons(k, t, torch.from_numpy(human)[None])[0]
    nll = torch.nn.functional.cross_entropy(logits, k[0]).item()
    # Free-running: the decoder plays from the person's buttons alone, as in the instrument.
    played, _ = model.dec.generate(model.quant.to_real(torch.from_numpy(human))[None], t, temperature=0)
    played = played[0].numpy()
    out = {
        "dec_nll": nll,
        "dec_top1": float((logits.argmax(-1) == k[0]).float().mean()),
        "play_contour_agree": _agree_sign(played, keys),
        "play_interval_exact": float(np.mean(np.diff(played) == np.diff(keys))),
    }
    if with_encoder:
        enc = model.buttons(k, t)[0].numpy()
        out.update(enc_exact=float(np.mean(enc == human)), enc_mean_abs_diff=float(np.mean(np.abs(enc - human))),
                   enc_contour_agree=_agree_sign(enc, human))
    return out


def evaluate(model: PianoGenie, pieces, with_encoder: bool = True, seq_len: int = 128,
             max_windows: int | None = None, jitter_s: float = DEFAULT_JITTER_S,
             live_seeds: tuple[int, ...] = (0, 1, 2)) -> dict[str, float]:
    out: dict[str, float] = {}
    for cond, held in (("score", pieces), ("perf", performed_pieces(pieces, jitter_s))):
        keys, dts = eval_windows(held, seq_len, max_windows)
        out["notes"] = float(keys.size)
        for name, value in person_metrics(model, keys, dts, with_encoder=with_encoder).items():
            out[f"{cond}_{name}"] = value
        if with_encoder and cond == "score":
            enc = window_metrics(model, keys, dts)
            for name in ("contour_violation_ref", "contour_violation_paper", "encoder_inside"):
                out[name] = enc[name]
    for name, value in live_suite(model.dec, live_seeds).items():
        out[f"live_{name}"] = value
    per_melody = [melody_metrics(model, m, with_encoder) for m in MELODIES]
    for name in per_melody[0]:
        out[f"melody_{name}"] = float(np.mean([m[name] for m in per_melody]))
    return out


# (key, label, format, better): better is "lower", "higher" or "" (information only).
def _rows(jitter_s: float) -> list[tuple[str, str, str, str]]:
    ms = f"{jitter_s * 1000:g} ms"
    return [
        ("notes", "held-out notes", "{:.0f}", ""),
        ("score_nll", "file's timing, a person's buttons: NLL (nats/note)", "{:.3f}", "lower"),
        ("score_top1", "file's timing, a person's buttons: top-1", "{:.3f}", "higher"),
        ("perf_nll", f"performer timing (N(0, {ms})), a person's buttons: NLL", "{:.3f}", "lower"),
        ("perf_top1", f"performer timing (N(0, {ms})), a person's buttons: top-1", "{:.3f}", "higher"),
        ("score_enc_nll", "file's timing, encoder's buttons: NLL", "{:.3f}", "lower"),
        ("score_enc_top1", "file's timing, encoder's buttons: top-1", "{:.3f}", "higher"),
        ("perf_enc_nll", "performer timing, encoder's buttons: NLL", "{:.3f}", "lower"),
        ("perf_enc_top1", "performer timing, encoder's buttons: top-1", "{:.3f}", "higher"),
        ("contour_violation_ref", "encoder: contour violation, sign(dk) != sign(db)", "{:.3f}", "lower"),
        ("encoder_inside", "encoder: outputs inside [-1, 1]", "{:.3f}", "higher"),
    ] + [(f"live_{key}", f"live: {label}", "{:.3f}" if "register" not in key and "span" not in key else "{:.1f}",
          "" if better == "info" else better) for key, label, better in LIVE_ROWS] + [
        ("melody_dec_nll", "melodies: NLL from a person's buttons", "{:.3f}", "lower"),
        ("melody_play_contour_agree", "melodies: played contour = melody's", "{:.3f}", "higher"),
        ("melody_play_interval_exact", "melodies: played intervals exact", "{:.3f}", "higher"),
        ("melody_enc_exact", "melodies: encoder = person's button", "{:.3f}", "higher"),
    ]


def format_table(results: dict[str, dict[str, float]], jitter_s: float = DEFAULT_JITTER_S) -> str:
    """A markdown table, one column per model; '—' where a model has no encoder. The last column says which
    way is better, so the first model can be read against the others."""
    names = list(results)
    lines = ["| metric | " + " | ".join(names) + " | better |", "|---|" + "---:|" * len(names) + "---|"]
    for key, label, fmt, better in _rows(jitter_s):
        cells = [fmt.format(results[n][key]) if key in results[n] else "—" for n in names]
        if all(c == "—" for c in cells):
            continue
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {better} |")
    return "\n".join(lines)


def goal_report(results: dict[str, dict[str, float]], mine: str, reference: str,
                jitter_s: float = DEFAULT_JITTER_S) -> list[str]:
    """The measures on which `mine` is worse than `reference` (issue 9's goal: none, and perf NLL at most
    the reference's)."""
    losses = []
    for key, label, fmt, better in _rows(jitter_s):
        if not better or key not in results[mine] or key not in results[reference] or not (
                key == "perf_nll" or key.startswith("live_")):
            continue
        a, b = results[mine][key], results[reference][key]
        if (better == "lower" and a > b) or (better == "higher" and a < b):
            losses.append(f"{label}: {fmt.format(a)} against {fmt.format(b)}")
    return losses
