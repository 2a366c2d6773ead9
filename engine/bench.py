"""The engine's side of `pianogenie bench engine`: press -> key latency of a session, the numpy fallback and a
batched ensemble, each round interleaved with a reference step the caller passes in (the app shell passes the
training package's PyTorch decoder; the engine itself knows nothing of PyTorch).

Everything is measured in one process on one thread, in interleaved rounds, so that load from other processes
on a shared machine hits every contender alike and the ratios stay meaningful.
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path
from typing import Callable

import numpy as np

from .constants import DEFAULT_TEMPERATURE, DT_MAX, NUM_BUTTONS
from .genie import PianoGenie
from .kernels import numpy_kernel

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
        session.press(i % NUM_BUTTONS, time=t, temperature=DEFAULT_TEMPERATURE)
        b = _clock()
        session.prepare()
        c = _clock()
        press_ns.append(b - a)
        full_ns.append(c - a)
    return t


# A reference decoder step: (button, dt, temperature) -> key.
ReferenceStep = Callable[[int, float, float], int]


def run(genie: PianoGenie, presses: int, rounds: int, batch: int, torch_step: ReferenceStep | None = None) -> dict:
    fallback = PianoGenie(genie.weights, genie.cfg, genie.model_dir, numpy_kernel(genie.weights))
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
                torch_step(i % NUM_BUTTONS, min(0.05 + 0.01 * (i % 7), DT_MAX), DEFAULT_TEMPERATURE)
                results["torch"].append(_clock() - a)
        for i in range(per_round // 16 or 1):
            buttons = (np.arange(batch) + i) % NUM_BUTTONS
            times = np.full(batch, t + 0.1 * i)
            a = _clock()
            ensemble.press(buttons, times=times, temperature=DEFAULT_TEMPERATURE)
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
