"""`pianogenie train`: the training loop, nanoGPT-style: one config dataclass (training.config), one short loop.

Runs on CPU or CUDA, single process or under torchrun (DistributedDataParallel: gloo on CPU, nccl on GPU).
Each rank draws its own batches from a stream seeded by (seed, rank, step), so a resumed run sees exactly
the batches it would have seen, and ranks never duplicate each other's data. Only rank 0 writes.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from .config import TrainConfig, flat_config
from .data.examples import CropSampler, eval_windows
from .data.sources import load_source, piece_weights, select_pieces
from .live import PENALTY_VERSION, live_penalty, live_suite
from .metrics import performer_metrics, window_metrics
from .model import ModelConfig, PianoGenie, compute_losses, load_for_evaluation
from .music.play import MIN_NOTES, combined_distance, play_pieces, playable
from .person import contour_buttons, local_person_buttons

LAST = "ckpt_last.pt"
BEST = "ckpt_best.pt"
METRICS = "metrics.jsonl"
VAL_KEYS = {"loss", "recons", "margin", "contour", "nll", "contour_violation_ref",  # lower is better
            "contour_violation_paper", "perf_nll", "live", "music"}
MUSIC_SEEDS = 2  # seeds of the whole-piece validation: enough to rank checkpoints, cheap beside a step budget
MUSIC_PIECES = 16  # at most this many validation pieces are played whole when nothing is held out


def setup_distributed(device: str) -> tuple[int, int, torch.device]:
    """(rank, world size, device) and, under torchrun, the process group."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    dev = torch.device(device)
    if dev.type == "cuda" and world > 1:
        dev = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    if world > 1:
        torch.distributed.init_process_group("nccl" if dev.type == "cuda" else "gloo")
    return rank, world, dev


def selection(best_metric: str, live_version: int = PENALTY_VERSION) -> dict:
    """What best_val was measured with: the metric, and the live penalty's version where the metric uses it."""
    uses_live = "live" in best_metric.split("+")
    return {"best_metric": best_metric, "live_penalty_version": live_version if uses_live else None}


def save_checkpoint(path: Path, model: PianoGenie, opt, step: int, best: float, cfg: TrainConfig, val: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step, "best_val": best,
                "config": flat_config(cfg), **selection(cfg.best_metric), "val": val}, tmp)
    os.replace(tmp, path)  # a crash while saving never corrupts the previous checkpoint


def prepare_out(cfg: TrainConfig, rank: int) -> Path:
    out = Path(cfg.out)
    if not cfg.resume and not cfg.overwrite and any((out / name).exists() for name in (LAST, BEST)):
        raise FileExistsError(f"{out} already holds checkpoints: --resume continues that run, --overwrite starts "
                              f"afresh there, or choose another --out")
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)
    return out


@dataclass
class Data:
    """Random augmented crops for training; fixed windows and whole pieces for validation."""
    sampler: CropSampler
    val_k: np.ndarray
    val_t: np.ndarray
    val_pieces: list
    live_pieces: list  # held out of training for the live validation


def load_data(cfg: TrainConfig, rank: int, world: int, log: Callable[..., None]) -> Data:
    if rank == 0:  # rank 0 parses and caches the source first; the others then read the cache
        corpus = load_source(cfg.data, workers=cfg.workers, progress=cfg.progress)
    if world > 1:
        torch.distributed.barrier()
    if rank != 0:
        corpus = load_source(cfg.data, workers=cfg.workers, progress=False)
    log(f"data {cfg.data}: {corpus.summary()}")
    train_pieces, val_pieces, live_pieces = select_pieces(corpus, cfg.data, cfg.exclude, cfg.holdout)
    log(f"training on {len(train_pieces)} pieces ({sum(len(p) for p in train_pieces)} notes); validation "
        f"{len(val_pieces)} pieces; live validation (held out of training) {len(live_pieces)} pieces "
        f"({sum(len(p) for p in live_pieces)} notes)")
    sampler = CropSampler(train_pieces, cfg.seq_len, cfg.augment, cfg.perform,
                          piece_weights(train_pieces, cfg.piece_weights))
    val_k, val_t = eval_windows(val_pieces, cfg.seq_len, cfg.eval_windows)
    if "music" in cfg.best_metric.split("+") and len(playable(live_pieces)) < 2 and len(playable(val_pieces)) < 2:
        raise ValueError(f"--best-metric music plays whole pieces: it needs at least 2 held-out or validation "
                         f"pieces of {MIN_NOTES} notes or more")
    return Data(sampler, val_k, val_t, val_pieces, live_pieces)


def resume_or_init(cfg: TrainConfig, out: Path, model: PianoGenie, opt, device: torch.device,
                   log: Callable[..., None]) -> tuple[int, float]:
    """(step, best) to start from, with the weights (and optimiser) loaded into model and opt.

    --resume continues OUT/ckpt_last.pt or, in a new OUT, the full checkpoint named by --init (such as the
    one shipped beside the default model): either way bit for bit, optimiser and step included. A bare state
    dict has no optimiser: it can only be an --init."""
    resume_from, ckpt = None, None
    if cfg.resume:
        shipped = Path(cfg.init) if cfg.init and Path(cfg.init).is_file() else None
        candidate = out / LAST if (out / LAST).exists() else shipped
        if candidate is not None:
            loaded = torch.load(candidate, map_location=device, weights_only=True)
            if isinstance(loaded, dict) and "optimizer" in loaded:
                resume_from, ckpt = candidate, loaded
    if ckpt is None:
        if cfg.init:
            init_model, has_encoder = load_for_evaluation(cfg.init)
            source = init_model if has_encoder else init_model.dec
            (model if has_encoder else model.dec).load_state_dict(source.state_dict())
            log(f"initialised {'encoder and decoder' if has_encoder else 'the decoder'} from {cfg.init}")
        return 0, math.inf
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optimizer"])
    step, best = int(ckpt["step"]), float(ckpt["best_val"])
    # Checkpoints from before the version was saved used version 1.
    stored = selection(ckpt.get("best_metric", "loss"), ckpt.get("live_penalty_version", 1))
    if stored != selection(cfg.best_metric):
        best = math.inf  # a different yardstick: the old best says nothing
    for group in opt.param_groups:  # --lr given on resume wins over the checkpoint's
        group["lr"] = cfg.lr
    log(f"resumed from {resume_from} at step {step} (best validation {cfg.best_metric} {best:.4f})")
    return step, best


def validate(model: PianoGenie, data: Data, cfg: TrainConfig, device: torch.device) -> dict:
    """Every validation figure (the model comes back on `device`)."""
    val = window_metrics(model, data.val_k, data.val_t, weights=cfg.loss, device=device)
    performer = data.live_pieces or data.val_pieces
    val.update(performer_metrics(model, performer, cfg.seq_len, cfg.val_jitter_ms / 1000, device=device))
    live = live_suite(model.dec.cpu() if device.type != "cpu" else model.dec, tuple(range(cfg.live_seeds)))
    model.to(device)
    val.update({f"live_{name}": value for name, value in live.items()})
    val["live"] = live_penalty(live)
    # The pieces played whole as a person would, against the music itself (training.music): every
    # measure at once, no model in the yardstick. The held-out works when there are some.
    whole = playable(data.live_pieces) if len(playable(data.live_pieces)) >= 2 else playable(data.val_pieces)[:MUSIC_PIECES]
    if len(whole) >= 2:
        val["music"] = combined_distance(play_pieces(model.dec.cpu(), whole, seeds=MUSIC_SEEDS))
        model.to(device)
    return val


class RunLog:
    """Rank 0's progress bar and OUT/metrics.jsonl (every other rank's writes nothing)."""

    def __init__(self, cfg: TrainConfig, out: Path, rank: int, step: int):
        from tqdm import tqdm

        self.bar = tqdm(total=cfg.max_steps, initial=step, disable=not (cfg.progress and rank == 0), unit="step",
                        dynamic_ncols=True, smoothing=0.05)
        if rank == 0 and not cfg.resume and (out / METRICS).exists():
            (out / METRICS).unlink()  # an overwritten run starts a new log
        self.file = (out / METRICS).open("a") if rank == 0 else None
        self.t_log, self.s_log = time.time(), step

    def losses(self, step: int, losses: dict[str, torch.Tensor]) -> None:
        now = time.time()
        rate = (step - self.s_log) / max(now - self.t_log, 1e-9)
        self.t_log, self.s_log = now, step
        row = {name: round(v.item(), 5) for name, v in losses.items()}
        self.bar.set_postfix(**row, refresh=False)
        self._write({"step": step, "time": now, "steps_per_s": round(rate, 3), **row})

    def evaluation(self, step: int, val: dict, improved: bool) -> None:
        self._write({"step": step, "time": time.time(), "eval": val})
        self.bar.write(f"step {step}: validation loss {val['loss']:.4f} nll {val['nll']:.4f} top1 {val['top1']:.3f} "
                       f"contour violation {val['contour_violation_ref']:.3f} | performer nll {val['perf_nll']:.3f} "
                       f"live {val['live']:.3f} (repeats {val['live_walk_repeated_keys']:.2f}, register "
                       f"{val['live_walk_register']:.0f}, chords {val['live_chords_consonant']:.2f})"
                       + (f" music {val['music']:.3f}" if "music" in val else "")
                       + (" (best)" if improved else ""))

    def _write(self, row: dict) -> None:
        self.file.write(json.dumps(row) + "\n")
        self.file.flush()

    def close(self) -> None:
        self.bar.close()
        if self.file is not None:
            self.file.close()


def evaluate_and_checkpoint(model: PianoGenie, opt, data: Data, cfg: TrainConfig, out: Path, step: int, best: float,
                            device: torch.device, run_log: RunLog) -> tuple[dict, float]:
    """Validate, write ckpt_best.pt if the score improved on `best`, and ckpt_last.pt: -> (figures, best)."""
    val = validate(model, data, cfg, device)
    score = sum(val[key] for key in cfg.best_metric.split("+"))
    improved = score < best
    if improved:
        best = score
        save_checkpoint(out / BEST, model, opt, step, best, cfg, val)
    save_checkpoint(out / LAST, model, opt, step, best, cfg, val)
    if cfg.keep_evals:
        save_checkpoint(out / f"ckpt_{step:06d}.pt", model, opt, step, best, cfg, val)
    run_log.evaluation(step, val, improved)
    return val, best


def person_buttons(keys: np.ndarray, dts: np.ndarray, cfg: TrainConfig, rng: np.random.Generator) -> np.ndarray:
    """A person's buttons for every crop of the batch: a share `person_local` read locally, the rest by contour.
    A run without local readings draws nothing more from `rng`, so its batches stay what they were."""
    contour = contour_buttons(keys)
    if cfg.person_local <= 0:
        return contour
    local = np.flatnonzero(rng.random(len(keys)) < cfg.person_local)
    contour[local] = local_person_buttons(keys[local], dts[local], rng)
    return contour


def train_step(model: torch.nn.Module, opt, sampler: CropSampler, cfg: TrainConfig, rank: int, step: int,
               device: torch.device) -> dict[str, torch.Tensor]:
    """One optimiser step on the batch that (seed, rank, step) draws."""
    rng = np.random.default_rng([cfg.seed, rank, step])
    k_np, t_np = sampler.sample(cfg.batch_size, rng)
    k = torch.from_numpy(k_np).to(device, non_blocking=True)
    t = torch.from_numpy(t_np).to(device, non_blocking=True)
    forced = None
    if cfg.person_buttons > 0:
        person = np.where(rng.random((cfg.batch_size, 1)) < cfg.person_buttons, person_buttons(k_np, t_np, cfg, rng), -1)
        forced = torch.from_numpy(person).to(device, non_blocking=True)
    logits, e = model(k, t, forced)
    losses = compute_losses(logits, e, k, cfg.loss)
    opt.zero_grad(set_to_none=True)
    losses["loss"].backward()
    opt.step()
    return losses


def out_of_time(deadline: float, world: int, device: torch.device) -> bool:
    """Whether the time budget is spent: every rank must agree on when to stop, so rank 0's clock decides."""
    stop = time.time() > deadline
    if world > 1:
        flag = torch.tensor([float(stop)], device=device)
        torch.distributed.broadcast(flag, src=0)
        stop = bool(flag.item())
    return stop


def train(cfg: TrainConfig) -> dict:
    if cfg.best_metric == "" or any(k not in VAL_KEYS for k in cfg.best_metric.split("+")):
        raise ValueError(f"--best-metric {cfg.best_metric!r}: use evaluation keys joined by '+', from {sorted(VAL_KEYS)}")
    rank, world, device = setup_distributed(cfg.device)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    out = prepare_out(cfg, rank)
    log = (lambda *a: print(*a, flush=True)) if rank == 0 else (lambda *a: None)
    data = load_data(cfg, rank, world, log)
    torch.manual_seed(cfg.seed)  # the same seed on every rank gives the same initial weights
    raw_model = PianoGenie(ModelConfig()).to(device)
    opt = torch.optim.Adam(raw_model.parameters(), lr=cfg.lr)
    step, best = resume_or_init(cfg, out, raw_model, opt, device, log)
    model = raw_model
    if world > 1:
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    log(f"training on {device} x{world}, {sum(p.numel() for p in raw_model.parameters())} parameters, "
        f"{cfg.max_steps} steps of {cfg.batch_size}x{cfg.seq_len} per rank")

    run_log, val = RunLog(cfg, out, rank, step), {}
    model.train()
    deadline = time.time() + 60 * cfg.max_minutes if cfg.max_minutes > 0 else math.inf
    stop = False
    while step < cfg.max_steps and not stop:
        losses = train_step(model, opt, data.sampler, cfg, rank, step, device)
        step += 1
        if rank == 0 and (step % cfg.log_every == 0 or step == cfg.max_steps):
            run_log.losses(step, losses)
        run_log.bar.update(1)
        if cfg.max_minutes > 0 and out_of_time(deadline, world, device):
            stop = True
            log(f"\nstopping at step {step}: the {cfg.max_minutes} minute budget is spent")
        if rank == 0 and (step % cfg.eval_every == 0 or step == cfg.max_steps or stop):
            val, best = evaluate_and_checkpoint(raw_model, opt, data, cfg, out, step, best, device, run_log)
    run_log.close()
    if world > 1:
        diff = replica_difference(raw_model)
        log(f"replicas after {step} steps: max abs parameter difference from rank 0 = {diff:.3g}")
        val = {**val, "replica_max_abs_diff": diff}
        # Once in CI (never in 16 runs here) rank 0 aborted at teardown, after its last line, with "terminate called
        # without an active exception". DDP's reducer holds the process group, so drop it first, and let no rank
        # tear its side down while the other may still be in the last collective.
        del model
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()
    return val


def replica_difference(model: torch.nn.Module) -> float:
    """Largest |parameter - rank 0's| over all ranks: DDP must keep the replicas identical (0.0)."""
    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    reference = flat.clone()
    torch.distributed.broadcast(reference, src=0)
    diff = (flat - reference).abs().max()
    torch.distributed.all_reduce(diff, op=torch.distributed.ReduceOp.MAX)
    return float(diff)
