"""`pianogenie bench training`: training steps per second and the data pipeline's share of a step, on one
thread, with the real model and a real corpus (the cache of --data; a synthetic one with --synthetic)."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import numpy as np
import torch

from .config import TrainConfig
from .data.examples import CropSampler
from .data.notes import make_piece
from .model import PianoGenie, compute_losses


def _synthetic_pieces(n: int = 50) -> list:
    rng = np.random.default_rng(0)
    return [make_piece(f"s{i}", [(0.25 * j + rng.uniform(0, 0.05), int(rng.integers(20, 70)), 64, 0.2) for j in range(600)])
            for i in range(n)]


def bench_training(pieces, batch_size: int = 32, seq_len: int = 128, steps: int = 20, threads: int = 1) -> dict:
    torch.set_num_threads(threads)
    c = TrainConfig()  # the default recipe's augmentation, performance included
    sampler = CropSampler(pieces, seq_len, c.augment, c.perform)
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    for _ in range(200):
        sampler.sample(batch_size, rng)
    sample_ms = (time.perf_counter() - t0) / 200 * 1e3
    torch.manual_seed(0)
    model = PianoGenie()
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
    times = []
    for i in range(steps + 2):
        t0 = time.perf_counter()
        k, t = (torch.from_numpy(a) for a in sampler.sample(batch_size, rng))
        logits, e = model(k, t)
        loss = compute_losses(logits, e, k)["loss"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if i >= 2:  # the first steps warm up allocators
            times.append(time.perf_counter() - t0)
    step_ms = float(np.median(times)) * 1e3
    return {"batch_ms": sample_ms, "step_ms": step_ms, "steps_per_s": 1e3 / step_ms,
            "data_share": sample_ms / step_ms, "notes_per_s": batch_size * seq_len * 1e3 / step_ms}


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run(args) -> int:
    if args.synthetic:
        pieces, name = _synthetic_pieces(), "synthetic (50 pieces x 600 notes)"
    else:
        from .data.sources import load_source

        pieces, name = load_source(args.data).split("train"), args.data
    r = bench_training(pieces, args.batch_size, steps=args.steps, threads=args.threads)
    cpu = cpu_name()
    print(f"machine: {cpu}, torch {torch.__version__}, {args.threads} thread(s); data: {name}")
    print(f"| batch {args.batch_size}x128 | median |\n|---|---:|")
    print(f"| data: one augmented batch | {r['batch_ms']:.3f} ms |")
    print(f"| one training step (data + forward + backward + Adam) | {r['step_ms']:.0f} ms |")
    print(f"| steps/s | {r['steps_per_s']:.2f} |")
    print(f"| notes/s | {r['notes_per_s']:.0f} |")
    print(f"| data share of a step | {100 * r['data_share']:.2f} % |")
    return 0

