"""Issue 9's new paths on small data: a person's contour buttons, performer timing and the performance
augmentation, the live-input suite, and `evaluate` on model directories and checkpoints side by side."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
mido = pytest.importorskip("mido")

from pianogenie.engine.constants import NUM_KEYS  # noqa: E402
from pianogenie.training.data.performance import Performance, perform, performer_timing, transpose_in_range  # noqa: E402
from pianogenie.training.live import chords, live_suite, random_walk  # noqa: E402
from pianogenie.training.model import PianoGenie, load_for_evaluation  # noqa: E402
from pianogenie.training.person import contour_buttons  # noqa: E402

from tests.midi_helpers import write_midi  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def test_contour_buttons_rank_in_eighths():
    assert contour_buttons(np.arange(40, 48)).tolist() == list(range(8))
    window = np.repeat(np.arange(10, 26), 8)  # 16 pitches x 8 notes: two pitches per button
    b = contour_buttons(window)
    assert b.tolist() == list(np.repeat(np.arange(8), 16))
    # Equal pitches share a button, wherever they are in the window; order does not matter.
    rng = np.random.default_rng(0)
    shuffled = rng.permutation(window)
    assert np.array_equal(contour_buttons(shuffled), np.repeat(np.arange(8), 16)[np.argsort(np.argsort(shuffled, kind="stable"), kind="stable")])
    # Batched: one ranking per window.
    two = np.stack([window, window[::-1] + 30])
    assert contour_buttons(two)[1].tolist() == b[::-1].tolist()


def _chorale(b: int, n: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """n four-note chords, 0.5 s apart, sorted low to high as a score gives them."""
    keys = np.tile(np.array([20, 32, 39, 44]), n)[None].repeat(b, 0)
    onsets = np.repeat(np.arange(n) * 0.5, 4)[None].repeat(b, 0)
    return onsets, keys


# Timing only: no transposition, octaves or repeats, so that every crop keeps its notes.
TIMING_ONLY = dict(transpose_range=0, bass_octave=0.0, top_octave=0.0, octave_move=0.0, repeat_passage=0.0)


def test_perform_keeps_the_notes_and_unsorts_chords():
    onsets, keys = _chorale(64)
    rng = np.random.default_rng(1)
    po, pk = perform(onsets, keys, Performance(perform_prob=1.0, **TIMING_ONLY), rng)
    assert np.all(np.diff(po, axis=1) >= 0)  # re-sorted by time
    assert all(sorted(a) == sorted(b) for a, b in zip(pk, keys))  # the same notes, only their order moves
    chord_orders = pk.reshape(64, -1, 4)
    unsorted = np.mean(np.any(np.diff(chord_orders, axis=2) < 0, axis=2))
    assert unsorted > 0.3  # chords now arrive in other finger orders
    gaps = np.diff(po, axis=1)
    assert np.mean(gaps == 0) < 0.01 and np.mean(gaps < 0.05) > 0.6  # no exact zeros; chords stay tight
    # prob 0: score timing untouched.
    so, sk = perform(onsets, keys, Performance(perform_prob=0.0, **TIMING_ONLY), np.random.default_rng(1))
    assert np.array_equal(so, onsets) and np.array_equal(sk, keys)
    # Seeded: the same stream gives the same performance.
    again = perform(onsets, keys, Performance(perform_prob=1.0, **TIMING_ONLY), np.random.default_rng(1))
    assert np.array_equal(again[0], po) and np.array_equal(again[1], pk)


def test_transposition_stays_on_the_piano_and_uses_octaves():
    keys = np.array([[0, 10, 30]] * 200 + [[50, 60, 87]] * 200)
    out = transpose_in_range(keys, 24, np.random.default_rng(2))
    assert out.min() >= 0 and out.max() <= NUM_KEYS - 1
    shifts = out[:, 0] - keys[:, 0]
    assert np.all(np.diff(out, axis=1) == np.diff(keys, axis=1))  # intervals kept: nothing clamped
    assert shifts[:200].min() == 0 and shifts[:200].max() == 24
    assert shifts[200:].max() == 0 and shifts[200:].min() == -24


def test_performer_timing_jitters_and_resorts():
    onsets = np.repeat(np.arange(50) * 0.5, 3)
    keys = np.tile([10, 14, 17], 50)
    o, k = performer_timing(onsets, keys, 0.01, np.random.default_rng(3))
    assert np.all(np.diff(o) >= 0) and sorted(k) == sorted(keys)
    assert not np.array_equal(k, keys)
    assert np.std(o - np.sort(onsets)) == pytest.approx(0.01, rel=0.3)


def _constant_decoder(key: int) -> PianoGenie:
    """A decoder that always plays `key`: every live measure has a known value."""
    model = PianoGenie()
    with torch.no_grad():
        model.dec.output.weight.zero_()
        model.dec.output.bias.fill_(-50.0)
        model.dec.output.bias[key] = 50.0
    return model


def test_live_suite_measures_a_stuck_decoder():
    m = live_suite(_constant_decoder(40).dec, seeds=(0,))
    assert m["walk_repeated_keys"] == 1.0 and m["walk_register"] == 0.0 and m["scale_span"] == 0.0
    assert m["walk_contour"] == 0.0 and m["scale_contour"] == 0.0  # buttons move, the key never does
    assert m["chords_collision"] == 1.0 and m["chords_consonant"] == 0.0


def test_live_suite_scenarios_are_human_and_seeded():
    walk = random_walk(np.random.default_rng(0))
    assert walk.buttons.min() >= 0 and walk.buttons.max() <= 7 and np.all(np.abs(np.diff(walk.buttons)) <= 2)
    assert 0.1 < np.median(walk.dts[:, 1:]) < 0.3
    ch = chords(np.random.default_rng(0))
    triads = np.sort(ch.buttons[:, :126].reshape(ch.buttons.shape[0], -1, 3), axis=2)
    assert np.all(np.diff(triads, axis=2) == 2)
    within = ch.dts[:, :126].reshape(ch.dts.shape[0], -1, 3)[:, :, 1:]
    assert within.max() <= 0.015 + 1e-6  # the three fingers land within 30 ms
    assert not np.array_equal(ch.buttons, np.sort(ch.buttons.reshape(-1, 3), axis=1).reshape(ch.buttons.shape))
    model = PianoGenie()
    assert live_suite(model.dec, seeds=(0,)) == live_suite(model.dec, seeds=(0,))


def test_load_for_evaluation_model_directory(tmp_path):
    from pianogenie.engine.constants import DECODER_TENSORS
    from pianogenie.engine.model_format import write_model

    model = PianoGenie()
    state = model.state_dict()
    cfg = json.loads((REPO / "engine/models/default/cfg.json").read_text())
    write_model(tmp_path / "m", {n: state[n].numpy() for n in DECODER_TENSORS}, cfg)
    loaded, has_encoder = load_for_evaluation(tmp_path / "m")
    assert not has_encoder
    assert all(torch.equal(loaded.state_dict()[n], state[n]) for n in DECODER_TENSORS)
    with pytest.raises(ValueError):
        load_for_evaluation(tmp_path)  # a directory without a model


@pytest.fixture(scope="module")
def chord_folder(tmp_path_factory) -> Path:
    """Six small 'pieces' of sorted three-note chords and runs, as MIDI files: the shape of score data."""
    folder = tmp_path_factory.mktemp("chords")
    rng = np.random.default_rng(0)
    for f in range(6):
        roots = rng.integers(40, 70, size=60)
        write_midi(folder / f"piece{f}.mid", [([r, r + 4, r + 7], 240) for r in roots])
    return folder


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("PIANOGENIE_CACHE", str(tmp_path / "cache"))
    from pianogenie.cli import main

    return main


TINY = dict(batch_size=4, eval_every=2, eval_windows=4, log_every=1, threads=1, progress=False, live_seeds=1)


def test_train_evaluate_side_by_side_on_a_folder(chord_folder, tmp_path, cli, capsys, monkeypatch):
    from pianogenie.training.config import TrainConfig
    from pianogenie.training.train import BEST, LAST, train

    run = tmp_path / "run"
    val = train(TrainConfig(data=str(chord_folder), out=str(run), max_steps=2, **TINY))
    assert {"perf_nll", "live", "live_walk_repeated_keys", "live_chords_consonant"} <= set(val)
    # A second fresh run into the same folder would overwrite it: refused, the checkpoints untouched.
    before = (run / LAST).read_bytes()
    with pytest.raises(FileExistsError, match="--resume"):
        train(TrainConfig(data=str(chord_folder), out=str(run), max_steps=2, **TINY))
    assert (run / LAST).read_bytes() == before
    assert cli(["train", "--data", str(chord_folder), "--out", str(run), "--max-steps", "1", "--no-progress"]) == 2
    assert "already holds checkpoints" in capsys.readouterr().err

    # Initialise a new run's decoder from a model directory.
    model_dir = tmp_path / "model"
    assert cli(["export", str(run / BEST), "--out", str(model_dir)]) == 0
    init = tmp_path / "init"
    train(TrainConfig(data=str(chord_folder), out=str(init), max_steps=1, init=str(model_dir), lr=0.0, **TINY))
    a = torch.load(init / LAST, weights_only=True)["model"]
    b = torch.load(run / BEST, weights_only=True)["model"]
    assert torch.equal(a["dec.output.weight"], b["dec.output.weight"])  # lr 0: the decoder is the exported one
    assert not torch.equal(a["enc.output.weight"], b["enc.output.weight"])  # the encoder starts afresh

    # Side by side: a model directory and a checkpoint, both conditions and the live suite, --split all.
    capsys.readouterr()
    assert cli(["evaluate", "--model", str(model_dir), "--model", str(run / BEST), "--data", str(chord_folder),
                "--split", "all", "--live-seeds", "1", "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert "split all: 6 pieces" in out
    for label in ["file's timing, a person's buttons: NLL", "performer timing (N(0, 10 ms)), a person's buttons: NLL",
                  "live: random walk: register used", "live: chords, random finger order: fully consonant",
                  "live: 8-button scale: steps follow the buttons"]:
        assert label in out
    enc_row = next(line for line in out.splitlines() if "encoder's buttons: NLL" in line)
    assert enc_row.split("|")[2].strip() == "—" and enc_row.split("|")[3].strip() != "—"  # directory: no encoder
    assert "against" in out  # the first model read against the last

    # No --data: a model trained on a folder is evaluated on that folder, and music21 is never parsed.
    import pianogenie.training.data.music21_corpus as m21

    monkeypatch.setattr(m21, "build_corpus", lambda *a, **k: pytest.fail("parsed the music21 corpus"))
    assert cli(["evaluate", "--model", str(run / BEST), "--split", "all", "--live-seeds", "1"]) == 0
    assert "split all: 6 pieces" in capsys.readouterr().out
    assert cli(["evaluate", "--model", str(REPO / "engine/models/default"), "--live-seeds", "1"]) == 2  # trained on music21
    assert "--data" in capsys.readouterr().err


def test_chord_voice_octave_moves_only_chord_basses_or_tops():
    from pianogenie.training.data.performance import chord_voice_octave

    onsets = np.array([[0, 0, 0, 1, 2, 2, 3, 3, 3]] * 2, float)
    keys = np.array([[40, 47, 52, 50, 30, 45, 44, 32, 60], [40, 47, 52, 50, 5, 45, 44, 32, 60]])
    out = chord_voice_octave(onsets, keys, np.array([True, False]), -12)
    assert out[0].tolist() == [28, 47, 52, 50, 18, 45, 44, 20, 60]  # single notes and upper voices stay
    assert out[1].tolist() == keys[1].tolist()  # a row not chosen is untouched
    low = chord_voice_octave(onsets[:1], np.array([[5, 17, 29, 50, 8, 9, 44, 32, 60]]), np.array([True]), -12)
    assert low[0, 0] == 5 and low[0, 4] == 8  # no room below the piano's lowest key: left alone
    # The right hand: each chord's top note up an octave, where the piano has room (80 + 12 has none).
    top = chord_voice_octave(onsets[:1], np.array([[5, 17, 80, 50, 8, 9, 44, 32, 60]]), np.array([True]), 12)
    assert top[0].tolist() == [5, 17, 80, 50, 8, 21, 44, 32, 72]


def test_octave_move_shifts_a_tail_within_the_piano():
    from pianogenie.training.data.performance import move_octave

    keys = np.array([[40, 42, 44, 46, 48, 50]] * 100 + [[80, 82, 84, 86, 85, 84]] * 100)
    out = move_octave(keys, np.ones(200, bool), np.random.default_rng(4))
    diff = out - keys
    assert set(np.unique(diff)) <= {-12, 0, 12} and out.min() >= 0 and out.max() <= NUM_KEYS - 1
    assert np.all(diff[:, 0] == 0)  # the move starts after the first note
    assert np.all(np.diff(np.abs(diff), axis=1) >= 0)  # once moved, the rest of the crop stays moved
    assert np.any(diff[:100] == 12) and np.any(diff[:100] == -12)
    assert not np.any(diff[100:] == 12)  # no room above 86 + 12: those move down


def test_resume_from_a_shipped_checkpoint_is_bit_for_bit(chord_folder, tmp_path, monkeypatch):
    from pianogenie.training.config import TrainConfig
    from pianogenie.training.train import LAST, train

    monkeypatch.setenv("PIANOGENIE_CACHE", str(tmp_path / "cache"))
    cfg = dict(data=str(chord_folder), batch_size=4, eval_every=2, eval_windows=4, log_every=1, threads=1,
               progress=False, live_seeds=1)
    train(TrainConfig(out=str(tmp_path / "straight"), max_steps=4, **cfg))
    train(TrainConfig(out=str(tmp_path / "half"), max_steps=2, **cfg))
    shipped = tmp_path / "shipped.pt"
    shipped.write_bytes((tmp_path / "half" / LAST).read_bytes())
    # A new run folder: --resume continues the checkpoint named by --init, optimiser and step included.
    train(TrainConfig(out=str(tmp_path / "resumed"), max_steps=4, resume=True, init=str(shipped), **cfg))
    a = torch.load(tmp_path / "straight" / LAST, weights_only=True)
    b = torch.load(tmp_path / "resumed" / LAST, weights_only=True)
    assert b["step"] == 4 and all(torch.equal(a["model"][n], b["model"][n]) for n in a["model"])
    assert b["live_penalty_version"] == 2 and b["best_metric"] == "perf_nll+live"

    # A checkpoint whose best was scored by an older live penalty (no version saved: version 1) cannot keep
    # its best: even an unbeatable one is dropped, and the resumed run writes its own ckpt_best.pt.
    old = torch.load(shipped, weights_only=True)
    del old["live_penalty_version"]
    old["best_val"] = -1e9
    torch.save(old, tmp_path / "old.pt")
    train(TrainConfig(out=str(tmp_path / "from_old"), max_steps=4, resume=True, init=str(tmp_path / "old.pt"), **cfg))
    assert torch.load(tmp_path / "from_old" / "ckpt_best.pt", weights_only=True)["best_val"] > -1e9
