"""`pianogenie bench engine`: the engine's press against the training package's PyTorch decoder, stepped eagerly
one press at a time as the reference runs it. It lives in the app shell because it is the one benchmark that
needs both packages; the timing loop itself is engine/bench.py.

Run as `python -m pianogenie.bench_engine` (the command does this with thread counts pinned to 1 before numpy
and torch load their thread pools)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def torch_reference(model_dir: Path) -> Callable[[int, float, float], int] | None:
    """training.model.Decoder.generate with the model's dec.* tensors, batch 1, eager, one press a call;
    None without torch."""
    from pianogenie.engine.constants import SOS, button_value
    from pianogenie.engine.model_format import read_decoder

    try:
        import torch

        from pianogenie.training.model import Decoder, ModelConfig
    except ImportError:
        return None
    torch.set_num_threads(1)
    tensors, _ = read_decoder(model_dir)
    decoder = Decoder(ModelConfig())
    decoder.load_state_dict({name[len("dec."):]: torch.from_numpy(value.copy()) for name, value in tensors.items()})
    decoder.eval()
    state = {"hidden": None, "key": torch.tensor([[SOS]])}
    generator = torch.Generator().manual_seed(0)

    def step(button: int, dt: float, temperature: float) -> int:
        state["key"], state["hidden"] = decoder.generate(torch.tensor([[button_value(button)]]), torch.tensor([[dt]]),
                                                         temperature, generator, state["key"], state["hidden"])
        return int(state["key"])

    return step


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pianogenie bench engine")
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the embedded model)")
    parser.add_argument("--presses", type=int, default=20000, help="presses per contender (≥ 10,000 for the record)")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds")
    parser.add_argument("--batch", type=int, default=64, help="sessions per batched call")
    args = parser.parse_args(argv)
    from pianogenie.engine import PianoGenie
    from pianogenie.engine.bench import report, run

    genie = PianoGenie.load(args.model)
    print(report(run(genie, args.presses, args.rounds, args.batch, torch_reference(genie.model_dir))))
    return 0


def run_command(args: argparse.Namespace) -> int:
    # A fresh interpreter, so thread counts are pinned before numpy and torch load their thread pools.
    env = dict(os.environ, **{name: "1" for name in THREAD_ENV})
    command = [sys.executable, "-m", "pianogenie.bench_engine", "--presses", str(args.presses), "--batch", str(args.batch)]
    if args.model:
        command += ["--model", str(args.model)]
    return subprocess.call(command, env=env)


def add_arguments(b: argparse.ArgumentParser) -> None:
    b.add_argument("--model", type=Path, default=None, help="model directory (default: the embedded model)")
    b.add_argument("--presses", type=int, default=20000, help="presses per contender")
    b.add_argument("--batch", type=int, default=64, help="sessions per batched call")


if __name__ == "__main__":
    sys.exit(main())
