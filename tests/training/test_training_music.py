"""Whole pieces played as a person would (training.music, `pianogenie evaluate --play`), the corpus tilt and the
repeated-passage augmentation of this round's training."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
mido = pytest.importorskip("mido")

from pianogenie.engine.constants import NUM_BUTTONS  # noqa: E402
from pianogenie.cli import main as cli  # noqa: E402
from pianogenie.training.data.examples import CropSampler  # noqa: E402
from pianogenie.training.data.notes import make_piece  # noqa: E402
from pianogenie.training.data.performance import repeat_passage  # noqa: E402
from pianogenie.training.data.sources import piece_weights  # noqa: E402
from pianogenie.training.model import PianoGenie  # noqa: E402
from pianogenie.training.music.compare import bootstrap, differences, format_tables, summary  # noqa: E402
from pianogenie.training.music.measures import ALL_MEASURES, MEASURES, Context, IntervalModel, measure_stream, recurrences, score_order  # noqa: E402
from pianogenie.training.music.play import combined_distance, play_pieces  # noqa: E402
from pianogenie.training.music.presses import piece_presses  # noqa: E402
from pianogenie.training.music.roll import parse_roll  # noqa: E402

from tests.midi_helpers import write_midi  # noqa: E402


@pytest.fixture(autouse=True)
def _one_thread():
    # One step of a batch of 4 is tiny: a second thread only fights the machine's other work.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _piece(name: str, seed: int, block: int = 20, times: int = 4):
    """Single notes and triads; the first `block` events come back `times` times (a refrain)."""
    rng = np.random.default_rng(seed)
    events, pitch = [], 40
    for _ in range(block):
        pitch = int(np.clip(pitch + rng.integers(-3, 4), 20, 70))
        events.append(([pitch] if rng.random() < 0.6 else [pitch, pitch + 4, pitch + 7], float(rng.choice([0.25, 0.5]))))
    notes, t = [], 0.0
    for _ in range(times):
        for chord, dur in events:
            notes += [(t, k, 80, 0.2) for k in chord]
            t += dur
    return make_piece(name, notes)


def test_presses_put_chords_on_distinct_buttons_and_keep_the_timing():
    piece = _piece("a", 0)
    for mapping in ("range", "rank"):
        p = piece_presses(piece, mapping, np.random.default_rng(1))
        assert p.buttons.min() >= 0 and p.buttons.max() < NUM_BUTTONS
        assert np.all(np.diff(p.onsets) >= 0) and np.all(p.releases > p.onsets)
        assert np.abs(np.sort(p.onsets) - np.sort(piece.onsets)).max() <= 0.010 + 1e-9
        for c in np.unique(p.chord):
            b = p.buttons[p.chord == c]
            assert len(np.unique(b)) == len(b), f"chord {c} doubles a button under {mapping}"
        # Higher keys of a chord are never on lower buttons.
        for c in np.unique(p.chord):
            k, b = p.keys[p.chord == c], p.buttons[p.chord == c]
            assert np.all(np.diff(b[np.argsort(k)]) > 0)
    with pytest.raises(ValueError, match="mapping"):
        piece_presses(piece, "pitch", np.random.default_rng(0))


def test_the_piece_is_at_distance_zero_from_itself_and_a_refrain_is_found():
    pieces = [_piece("a", 0), _piece("b", 1)]
    p = piece_presses(pieces[0], "range", np.random.default_rng(0))
    pairs = recurrences(p)
    assert pairs, "the refrain on the same buttons should be found"
    ctx = Context(p, IntervalModel([np.asarray(pieces[1].keys)]), pairs)
    own = measure_stream(p.keys, p, ctx)
    assert set(own) == {m.key for m, _ in MEASURES}
    for m, _ in MEASURES:
        if m.piece_zero:
            assert own[m.key] == pytest.approx(0.0, abs=1e-9), m.key
    # A stream a semitone up everywhere keeps the shape (leaps, chords) but moves the mean key by 1.
    up = measure_stream(p.keys + 1, p, ctx)
    assert up["mean_key"] - own["mean_key"] == pytest.approx(1.0)
    assert up["leap_1"] == pytest.approx(own["leap_1"]) and up["recurrence"] == 0.0
    # A stream whose refrain comes back an octave lower is far off on the recurrence measure (not all 12: a
    # passage's first time can itself lie in an earlier return, lowered too).
    order = score_order(p)
    lowered = p.keys.copy()
    for _, later in pairs:
        lowered[order[later:later + 8]] -= 12
    assert 6.0 < measure_stream(lowered, p, ctx)["recurrence"] <= 12.0


def test_bootstrap_interval_and_summary():
    mean, low, high = bootstrap(np.array([1.0, 2.0, 3.0, 4.0]), resamples=2000)
    assert mean == 2.5 and 1.0 <= low < mean < high <= 4.0
    assert bootstrap(np.array([0.5] * 6), resamples=100) == (0.5, 0.5, 0.5)
    assert all(np.isnan(bootstrap(np.array([]))))


def test_play_pieces_side_by_side_and_same_model_is_no_different():
    torch.manual_seed(0)
    dec = PianoGenie().dec
    pieces = [_piece(n, i) for i, n in enumerate("abc")]
    plays = play_pieces(dec, pieces, seeds=2)
    assert [p.name for p in plays] == ["a", "b", "c"]
    assert len(plays[0].played) == 2 * 2  # mappings x seeds
    assert set(plays[0].distance) == {m.key for m in ALL_MEASURES}
    assert np.isfinite(combined_distance(plays))
    again = play_pieces(dec, pieces, seeds=2)  # seeded: the same streams
    assert all(np.array_equal(a, b) for a, b in zip(plays[0].played, again[0].played))
    diffs = differences(plays, again, resamples=200)
    assert all(d.mean == 0 and not d.significant for d in diffs if d.pieces)
    line = summary("x", "y", diffs)
    assert "nearer the music on 0 of" in line and "significantly farther on 0" in line
    assert "x against y" in format_tables({"x": plays, "y": again}, resamples=200)
    with pytest.raises(ValueError, match="at least 2 pieces"):
        play_pieces(dec, pieces[:1])


def test_parse_roll():
    assert parse_roll("fur_elise.mid:12.5") == ("fur_elise.mid", 12.5)
    assert parse_roll("fur_elise") == ("fur_elise", 0.0)
    for bad in ("x:-1", "x:soon", ":3", "x:inf"):
        with pytest.raises(ValueError, match="--roll"):
            parse_roll(bad)


def test_piece_weights_tilt_the_sampler():
    pieces = [make_piece(n, [(0.1 * i, 30 + i % 20, 80, 0.1) for i in range(200)])
              for n in ("palestrina/a", "bach/b", "bach/c")]
    weights = piece_weights(pieces, "palestrina/=0, bach/c=3")
    assert weights == [0.0, 1.0, 3.0]
    assert piece_weights(pieces, "") is None
    for bad in ("palestrina", "x=-1", "x=nan", "=2"):
        with pytest.raises(ValueError, match="piece-weights"):
            piece_weights(pieces, bad)
    sampler = CropSampler(pieces, 128, weights=weights)
    starts = sampler.crop_starts[np.searchsorted(sampler.cumulative, np.random.default_rng(0).random(4000),
                                                 side="right")]
    per_piece = np.bincount(starts // 200, minlength=3)
    assert per_piece[0] == 0 and 2.5 < per_piece[2] / per_piece[1] < 3.5
    with pytest.raises(ValueError, match="weights"):
        CropSampler(pieces, 128, weights=[1.0])


def test_repeat_passage_plays_a_passage_again_at_once():
    rng = np.random.default_rng(0)
    onsets = np.tile(np.arange(64) * 0.25, (3, 1))
    keys = rng.integers(20, 70, size=(3, 64))
    rows = np.array([True, False, True])
    o, k = repeat_passage(onsets, keys, rows, rng)
    assert np.array_equal(k[1], keys[1]) and np.array_equal(o[1], onsets[1])
    for r in (0, 2):
        assert np.all(np.diff(o[r]) > 0)
        # Some L in 8..32: keys[a + L + i] == keys[a + i] for the whole passage.
        found = [length for length in range(8, 33) for a in range(0, 64 - 2 * length + 1)
                 if np.array_equal(k[r, a:a + length], k[r, a + length:a + 2 * length])
                 and not np.array_equal(k[r], keys[r])]
        assert found


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "pieces"
    folder.mkdir()
    rng = np.random.default_rng(3)
    for f in range(3):
        pitch, notes = 60, []
        for _ in range(140):  # 128 notes or more: a folder's shorter files are skipped
            pitch = int(np.clip(pitch + rng.integers(-4, 5), 40, 90))
            notes.append(([pitch] if rng.random() < 0.7 else [pitch, pitch + 4], 240))
        write_midi(folder / f"piece{f}.mid", notes, 500_000)
    return folder


def test_evaluate_play_end_to_end(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("PIANOGENIE_CACHE", str(tmp_path / "cache"))
    folder = _folder(tmp_path)
    models = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        path = tmp_path / f"m{seed}.pt"
        torch.save(PianoGenie().state_dict(), path)
        models += ["--model", str(path)]
    args = ["evaluate", "--play", "--data", str(folder), "--split", "all", *models, "--seeds", "2",
            "--threads", "1", "--resamples", "200"]
    assert cli(args + ["--roll", "piece1:2", "--roll-out", str(tmp_path / "rolls"),
                       "--json", str(tmp_path / "out.json")]) == 0
    out = capsys.readouterr().out
    for label in ("one-button step -> a leap of an octave or more", "pitch-class profile",
                  "same passage on the same buttons", "95 % bootstrap interval", "nearer the music on"):
        assert label in out
    png = tmp_path / "rolls" / "roll_piece1_2.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads((tmp_path / "out.json").read_text())
    assert set(data[str(tmp_path / "m0.pt")]["pieces"]) == {"piece0.mid", "piece1.mid", "piece2.mid"}
    # Bad requests: one line, exit 2.
    for extra, message in ((["--mappings", "pitch"], "--mappings"), (["--roll", "nothing:1"], "no piece"),
                           (["--roll", "piece1:999"], "no note there"), (["--seeds", "0"], "--seeds")):
        assert cli(args + extra) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err


def test_local_person_buttons_read_the_passage_and_give_a_chord_distinct_fingers():
    """training.person's local reading (train --person-local): a passage high in the crop still spans the buttons
    (the whole crop's contour puts it all on the top ones), a chord's notes get distinct buttons, and the same
    rng gives the same buttons."""
    from pianogenie.training.person import contour_buttons, local_person_buttons

    low = np.tile([40, 42, 44, 45, 47, 49, 51, 52], 8)  # a low scale, then the same scale two octaves up
    keys = np.concatenate([low, low + 24])[None, :]
    dts = np.full(keys.shape, 0.25, dtype=np.float32)
    dts[0, 21:24] = 0.0  # notes 20..23 struck together
    keys[0, 20:24] = [40, 44, 47, 52]
    local = local_person_buttons(keys, dts, np.random.default_rng(0))
    contour = contour_buttons(keys)
    assert set(contour[0, 96:]) <= set(range(4, 8))  # the contour reads the high scale as high buttons only
    assert set(local[0, 96:]) == set(range(NUM_BUTTONS))  # a player reads it across the buttons
    assert len(set(local[0, 20:24])) == 4 and list(local[0, 20:24]) == sorted(local[0, 20:24])
    again = local_person_buttons(keys, dts, np.random.default_rng(0))
    assert np.array_equal(local, again) and local.min() >= 0 and local.max() < NUM_BUTTONS


def test_a_run_without_local_readings_draws_the_batches_it_drew_before():
    """--person-local 0 (the default) leaves every batch as it was, so checkpoints resume bit for bit."""
    from pianogenie.training.config import TrainConfig
    from pianogenie.training.person import contour_buttons
    from pianogenie.training.train import person_buttons

    keys = np.random.default_rng(1).integers(30, 80, (4, 128))
    dts = np.full(keys.shape, 0.2, dtype=np.float32)
    rng, untouched = np.random.default_rng(2), np.random.default_rng(2)
    assert np.array_equal(person_buttons(keys, dts, TrainConfig(), rng), contour_buttons(keys))
    assert rng.random() == untouched.random()
    mixed = person_buttons(keys, dts, TrainConfig(person_local=0.5), np.random.default_rng(3))
    assert not np.array_equal(mixed, contour_buttons(keys))
