"""`pianogenie bench engine`: press -> key latency of the engine against a plain PyTorch eager step.

Everything is measured in one process on one thread, in interleaved rounds, so that load from other processes
on a shared machine hits every contender alike and the ratios stay meaningful.
Run as `python -m engine.bench` (the CLI does this with thread counts pinned to 1 before numpy loads).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

from .constants import DT_MAX, NUM_BUTTONS, NUM_KEYS, SOS, button_value
from .genie import PianoGenie
from .kernels import numpy_kernel
from .model_format import read_decoder

THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
_clock = time.perf_counter_ns


def _summary(samples_ns: list[float]) -> dict[str, float]:
    a = np.asarray(samples_ns, dtype=np.float64) / 1e3
    return {"p50": float(np.median(a)), "p99": float(np.percentile(a, 99)), "mean": float(a.mean()), "n": int(a.size)}


def _session_round(genie: PianoGenie, n: int, seed: int, press_ns: list, full_ns: list, start: float) -> float:
    session = genie.session(seed=seed)
    t = start
    for i in range(n):
        t += 0.05 + 0.01 * (i % 7)
        a = _clock()
        session.press(i % NUM_BUTTONS, time=t, temperature=0.25)
        b = _clock()
        session.prepare()
        c = _clock()
        press_ns.append(b - a)
        full_ns.append(c - a)
    return t


def _torch_reference(model_dir: Path) -> Callable[[int, float, int], int] | None:
    """The decoder as the reference writes it: nn.Linear -> nn.LSTM -> nn.Linear, batch 1, eager, no_grad."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    tensors, _ = read_decoder(model_dir)
    inp = torch.nn.Linear(SOS + 3, 128)
    lstm = torch.nn.LSTM(128, 128, num_layers=2, batch_first=True)
    out = torch.nn.Linear(128, NUM_KEYS)
    with torch.no_grad():
        for module, prefix in ((inp, "dec.input."), (lstm, "dec.lstm."), (out, "dec.output.")):
            module.load_state_dict({k[len(prefix):]: torch.from_numpy(v.copy()) for k, v in tensors.items() if k.startswith(prefix)})
    state = {"hidden": None, "key": SOS}
    generator = torch.Generator().manual_seed(0)

    @torch.no_grad()
    def step(button: int, dt: float, temperature: float) -> int:
        x = torch.zeros(1, 1, SOS + 3)
        x[0, 0, state["key"]] = 1.0
        x[0, 0, SOS + 1] = dt
        x[0, 0, SOS + 2] = button_value(button)
        h, state["hidden"] = lstm(inp(x), state["hidden"])
        logits = out(h)[0, 0]
        probs = torch.softmax(logits / temperature, dim=-1)
        key = int(torch.multinomial(probs, 1, generator=generator))
        state["key"] = key
        return key

    return step


def run(model_dir: Path | None, presses: int, rounds: int, batch: int) -> dict:
    genie = PianoGenie.load(model_dir)
    fallback = PianoGenie(genie.weights, genie.cfg, genie.model_dir, numpy_kernel(genie.weights))
    torch_step = _torch_reference(genie.model_dir)
    per_round = max(1, presses // rounds)
    results: dict[str, list] = {k: [] for k in ("press", "full", "np_press", "np_full", "torch", "batch")}
    ensemble = genie.ensemble(batch, seed=0)
    t = 0.0
    for r in range(rounds):
        t = _session_round(genie, per_round, r, results["press"], results["full"], t)
        _session_round(fallback, per_round, r, results["np_press"], results["np_full"], t)
        if torch_step is not None:
            for i in range(per_round):
                a = _clock()
                torch_step(i % NUM_BUTTONS, min(0.05 + 0.01 * (i % 7), DT_MAX), 0.25)
                results["torch"].append(_clock() - a)
        for i in range(per_round // 16 or 1):
            buttons = (np.arange(batch) + i) % NUM_BUTTONS
            times = np.full(batch, t + 0.1 * i)
            a = _clock()
            ensemble.press(buttons, times=times, temperature=0.25)
            results["batch"].append(_clock() - a)
    summary = {k: _summary(v) for k, v in results.items() if v}
    summary["kernel"] = genie.kernel.name
    summary["batch_size"] = batch
    return summary


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}"


def report(s: dict) -> str:
    lines = [
        f"machine: {machine()}; kernel: {s['kernel']}; one thread",
        "",
        "| what | p50 µs | p99 µs | mean µs | samples |",
        "|---|---:|---:|---:|---:|",
    ]
    names = {
        "press": f"engine ({s['kernel']}): press → key",
        "full": f"engine ({s['kernel']}): full cost per press (press + prepare)",
        "np_press": "engine (numpy fallback): press → key",
        "np_full": "engine (numpy fallback): full cost per press",
        "torch": "PyTorch eager reference step (nn.LSTM, batch 1)",
        "batch": f"ensemble of {s['batch_size']} sessions: one batched call",
    }
    for key, label in names.items():
        if key in s:
            v = s[key]
            lines.append(f"| {label} | {v['p50']:.1f} | {v['p99']:.1f} | {v['mean']:.1f} | {v['n']} |")
    lines.append("")
    if "torch" in s:
        lines.append(f"- PyTorch step / engine press → key (p50): **{s['torch']['p50'] / s['press']['p50']:.1f}×**")
        lines.append(f"- PyTorch step / engine full cost per press (p50): **{s['torch']['p50'] / s['full']['p50']:.1f}×**")
    lines.append(f"- numpy fallback / {s['kernel']} press → key (p50): {s['np_press']['p50'] / s['press']['p50']:.1f}×")
    lines.append(f"- batched: {s['batch']['p50'] / s['batch_size']:.2f} µs per session per step (p50 of the call / {s['batch_size']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pianogenie bench engine")
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the embedded model)")
    parser.add_argument("--presses", type=int, default=20000, help="presses per contender (≥ 10,000 for the record)")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds")
    parser.add_argument("--batch", type=int, default=64, help="sessions per batched call")
    args = parser.parse_args(argv)
    print(report(run(args.model, args.presses, args.rounds, args.batch)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
