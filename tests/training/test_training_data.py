"""Training data: MIDI parsing (tempo maps, tracks, running status, velocity-0 note-offs, drums), the
skip-and-warn behaviour, the music21 corpus parser on a handful of scores, the cache, and the crops."""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import numpy as np
import pytest

mido = pytest.importorskip("mido")

from pianogenie.engine.constants import DT_MAX, NUM_KEYS, pitch_to_key  # noqa: E402
from pianogenie.training.data.examples import Augmentation, CropSampler, delta_times, eval_windows  # noqa: E402
from pianogenie.training.data.midi_files import midi_notes, parse_midi  # noqa: E402
from pianogenie.training.data.notes import MIN_NOTES, NoteCorpus, SkipPiece, make_piece, split_for  # noqa: E402
from pianogenie.training.data.sources import load_source  # noqa: E402


def _varlen(n: int) -> bytes:
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    return bytes(reversed(out))


def _smf(tracks: list[bytes], tpb: int = 96, fmt: int = 1) -> bytes:
    """A Standard MIDI File from raw track event bytes (so running status can be written by hand)."""
    data = b"MThd" + struct.pack(">IHHH", 6, fmt, len(tracks), tpb)
    for events in tracks:
        events += b"\x00\xff\x2f\x00"  # end of track
        data += b"MTrk" + struct.pack(">I", len(events)) + events
    return data


def test_raw_file_with_running_status_tempo_map_tracks_and_drums(tmp_path):
    tpb = 96
    # Track 0: tempo 120 bpm (500000 us/beat) at tick 0, 60 bpm (1000000) at beat 2.
    tempo = (b"\x00\xff\x51\x03" + (500_000).to_bytes(3, "big")
             + _varlen(2 * tpb) + b"\xff\x51\x03" + (1_000_000).to_bytes(3, "big"))
    # Track 1, channel 0, running status throughout: one note-on status byte, then data bytes only;
    # each note ends with a note-on of velocity 0. Notes on beats 0, 1, 2, 3 (last two at 60 bpm).
    melody = b"\x00\x90\x3c\x50"  # beat 0: C4 on (status 0x90)
    melody += _varlen(tpb // 2) + b"\x3c\x00"  # half a beat later: C4 velocity 0 = off (running status)
    melody += _varlen(tpb // 2) + b"\x3e\x51"  # beat 1: D4 on
    melody += _varlen(tpb) + b"\x3e\x00" + b"\x00\x40\x52"  # beat 2: D4 off, E4 on at once
    melody += _varlen(tpb) + b"\x40\x00" + b"\x00\x41\x53"  # beat 3: E4 off, F4 on
    melody += _varlen(tpb) + b"\x80\x41\x40"  # beat 4: F4 off with a real note-off
    # Track 2: a bass note on channel 1 at beat 1, and a drum hit on channel 10 (0x99) that must vanish.
    bass = b"\x00\x99\x24\x64" + _varlen(tpb) + b"\x91\x24\x46" + b"\x00\x89\x24\x00" + _varlen(tpb) + b"\x81\x24\x00"
    path = tmp_path / "running.mid"
    path.write_bytes(_smf([tempo, melody, bass], tpb))

    notes = sorted(midi_notes(path))
    # (onset s, pitch, velocity, duration s): beats 0,1 at 0.5 s/beat; beats 2.. at 1 s/beat.
    expected = [(0.0, 60, 0x50, 0.25), (0.5, 36, 0x46, 0.5), (0.5, 62, 0x51, 0.5), (1.0, 64, 0x52, 1.0), (2.0, 65, 0x53, 1.0)]
    assert len(notes) == len(expected)
    for got, want in zip(notes, expected):
        assert got[1:3] == want[1:3]
        assert got[0] == pytest.approx(want[0]) and got[3] == pytest.approx(want[3])


def _mido_file(path: Path, n_notes: int, *, channel: int = 0, tempo: int = 500_000, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    mid = mido.MidiFile(ticks_per_beat=480)
    meta, notes = mido.MidiTrack(), mido.MidiTrack()
    mid.tracks += [meta, notes]
    meta.append(mido.MetaMessage("set_tempo", tempo=tempo, time=0))
    pitch = 60
    for _ in range(n_notes):
        pitch = int(np.clip(pitch + rng.integers(-5, 6), 30, 100))
        notes.append(mido.Message("note_on", channel=channel, note=pitch, velocity=int(rng.integers(30, 120)), time=0))
        notes.append(mido.Message("note_on", channel=channel, note=pitch, velocity=0, time=int(rng.choice([120, 240, 480]))))
    mid.save(path)
    return path


def test_mido_written_file_gives_a_sorted_piece_in_seconds(tmp_path):
    path = _mido_file(tmp_path / "a.mid", 150, tempo=250_000)  # 240 bpm: 480 ticks = 0.25 s
    piece = parse_midi(path)
    assert len(piece) == 150
    assert piece.onsets[0] == 0.0 and np.all(np.diff(piece.onsets) > 0)
    assert set(np.round(np.diff(piece.onsets), 6)) <= {0.0625, 0.125, 0.25}
    assert piece.keys.dtype == np.uint8 and piece.keys.max() < NUM_KEYS
    assert np.all(piece.velocities >= 30)


def test_drum_only_and_short_files_are_skipped(tmp_path):
    with pytest.raises(SkipPiece, match="fewer than"):
        parse_midi(_mido_file(tmp_path / "drums.mid", 200, channel=9))
    with pytest.raises(SkipPiece, match="fewer than"):
        parse_midi(_mido_file(tmp_path / "short.mid", MIN_NOTES - 1))
    (tmp_path / "junk.mid").write_bytes(b"MThd\x00\x00\x00\x06garbage")
    with pytest.raises(SkipPiece, match="unreadable"):
        parse_midi(tmp_path / "junk.mid")


def test_folder_source_skips_bad_files_with_one_counted_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("PIANOGENIE_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "midi"
    folder.mkdir()
    for i in range(4):
        _mido_file(folder / f"good{i}.mid", 140 + i, seed=i)
    _mido_file(folder / "short.mid", 20)
    (folder / "broken.midi").write_bytes(b"not a midi file at all")
    (folder / "notes.txt").write_text("ignored: not a MIDI file")
    with pytest.warns(UserWarning, match=r"skipped 2 file\(s\)"):
        corpus = load_source(str(folder), progress=False)
    assert sorted(p.name for p in corpus.pieces) == [f"good{i}.mid" for i in range(4)]
    assert sum(corpus.skipped.values()) == 2
    reasons = dict(corpus.skipped_files)
    assert reasons["short.mid"] == f"fewer than {MIN_NOTES} notes"
    assert reasons["broken.midi"].startswith("unreadable MIDI")
    # Small folders still get a validation and a test piece, deterministically.
    assert {p.split for p in corpus.pieces} == {"train", "validation", "test"}
    # The second load comes from the cache and is identical, warning included.
    with pytest.warns(UserWarning, match="skipped 2"):
        again = load_source(str(folder), progress=False)
    assert [(p.name, p.split, p.keys.tolist()) for p in again.pieces] == [(p.name, p.split, p.keys.tolist()) for p in corpus.pieces]
    assert list((tmp_path / "cache").glob("midi-midi-*.npz"))


def test_folder_of_only_bad_files_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PIANOGENIE_CACHE", str(tmp_path / "cache"))
    (tmp_path / "x.mid").write_bytes(b"junk")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="no usable piece"):
            load_source(str(tmp_path), progress=False)
    with pytest.raises(FileNotFoundError):
        load_source(str(tmp_path / "missing"), progress=False)


def test_maestro_split_column_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("PIANOGENIE_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "maestro"
    (root / "2018").mkdir(parents=True)
    rows = ["canonical_composer,canonical_title,split,year,midi_filename,audio_filename,duration"]
    for i, split in enumerate(["train", "validation", "test", "train"]):
        _mido_file(root / "2018" / f"p{i}.midi", 130, seed=i)
        rows.append(f'Someone,"Piece {i}, op. 1",{split},2018,2018/p{i}.midi,2018/p{i}.wav,10.0')
    (root / "maestro-v3.0.0.csv").write_text("\n".join(rows) + "\n")
    corpus = load_source(str(root), progress=False)
    assert {p.name: p.split for p in corpus.pieces} == {
        "2018/p0.midi": "train", "2018/p1.midi": "validation", "2018/p2.midi": "test", "2018/p3.midi": "train"}


def test_piece_sorting_dedup_range_and_split_determinism():
    piece = make_piece("x", [(1.0, 5, 60, 0.5), (1.0, 3, 0, 0.5), (1.0, 5, 70, 0.5), (2.0, 7, 60, 1), (1.5, 99, 60, 1)])
    assert piece.onsets.tolist() == [0.0, 0.0, 1.0]  # shifted to start at 0; key 99 off the piano dropped
    assert piece.keys.tolist() == [3, 5, 7]  # (onset, key) order; the doubled key 5 kept once
    assert split_for("bach/bwv66.6") == split_for("bach/bwv66.6")
    splits = [split_for(f"piece{i}") for i in range(2000)]
    assert 0.85 < splits.count("train") / 2000 < 0.95 and splits.count("test") > 50 and splits.count("validation") > 50


def test_cache_round_trip(tmp_path):
    pieces = [make_piece(f"p{i}", [(0.1 * j, j % 88, 64, 0.1) for j in range(130 + i)]) for i in range(3)]
    corpus = NoteCorpus(pieces)
    corpus.skipped["fewer than 128 notes"] = 2
    corpus.skipped_files += [("a", "fewer than 128 notes"), ("b", "fewer than 128 notes")]
    loaded = NoteCorpus.load(corpus.save(tmp_path / "c.npz"))
    assert [p.name for p in loaded.pieces] == ["p0", "p1", "p2"]
    for a, b in zip(pieces, loaded.pieces):
        assert a.split == b.split and np.array_equal(a.onsets, b.onsets) and np.array_equal(a.keys, b.keys)
    assert loaded.skipped == corpus.skipped and loaded.skipped_files == corpus.skipped_files


def test_crops_dts_and_augmentation_ranges():
    assert delta_times(np.array([5.0, 5.25, 7.0, 7.0])).tolist() == [DT_MAX, 0.25, 1.0, 0.0]
    onsets = [(0.2 * j, 40 + j % 12, 64, 0.1) for j in range(300)]
    pieces = [make_piece("a", onsets), make_piece("b", [(0.5 * j, 0 if j % 2 else 87, 64, 0.1) for j in range(200)])]
    plain = CropSampler(pieces, 128)
    k1, t1 = plain.sample(16, np.random.default_rng(1))
    k2, t2 = plain.sample(16, np.random.default_rng(1))
    assert np.array_equal(k1, k2) and np.array_equal(t1, t2)  # same stream, same batches
    assert k1.shape == (16, 128) and t1.dtype == np.float32 and np.all(t1[:, 0] == DT_MAX)
    aug = CropSampler(pieces, 128, Augmentation(0.05, 6))
    k, t = aug.sample(512, np.random.default_rng(2))
    assert k.min() >= 0 and k.max() <= NUM_KEYS - 1
    assert np.any(k == 0) and np.any(k == NUM_KEYS - 1)  # the 0/87 piece clamps under transposition
    steps = np.unique(np.round(t[:, 1], 4))
    assert np.all((steps >= 0.19) & (steps <= 0.21) | (steps >= 0.475) & (steps <= 0.525))
    assert len(steps) > 20  # stretched by many different factors
    windows_k, windows_t = eval_windows(pieces, 128)
    assert windows_k.shape == (3, 128)  # 300 notes -> 2 windows, 200 -> 1


MUSIC21_SCORES = ["bach/bwv66.6.mxl", "bach/bwv347.mxl", "ryansMammoth/HeadlightJig.abc"]


@pytest.fixture(scope="module")
def music21():
    return pytest.importorskip("music21")


def test_music21_score_merges_parts_and_follows_tempo_marks(music21):
    from music21 import note, stream, tempo

    from pianogenie.training.data.music21_corpus import DEFAULT_QPM, score_notes

    score = stream.Score()
    upper, lower = stream.Part(), stream.Part()
    upper.insert(0, tempo.MetronomeMark(number=60))
    upper.insert(4, tempo.MetronomeMark(number=120))
    for i, p in enumerate([60, 62, 64, 65, 67, 69]):
        upper.insert(i * 1.0, note.Note(p, quarterLength=1.0))
    tied = note.Note(48, quarterLength=2.0)
    lower.insert(0, tied)
    score.insert(0, upper)
    score.insert(0, lower)
    rows, end = score_notes(score)
    onsets = sorted((round(t, 6), k) for t, k, _, _ in rows)
    # Beats 0..3 at 1 s/beat, beats 4, 5 at 0.5 s/beat; both parts in one stream.
    assert onsets == [(0.0, pitch_to_key(48)), (0.0, pitch_to_key(60)), (1.0, pitch_to_key(62)), (2.0, pitch_to_key(64)),
                      (3.0, pitch_to_key(65)), (4.0, pitch_to_key(67)), (4.5, pitch_to_key(69))]
    assert end == pytest.approx(5.0)
    # Without a tempo mark the default tempo applies.
    bare = stream.Score()
    part = stream.Part()
    for i in range(3):
        part.insert(i, note.Note(60 + i, quarterLength=1))
    bare.insert(0, part)
    rows, _ = score_notes(bare)
    assert sorted(t for t, *_ in rows) == pytest.approx([0.0, 60 / DEFAULT_QPM, 120 / DEFAULT_QPM])


def test_music21_handful_in_parallel_with_cache(music21, tmp_path):
    from pianogenie.training.data.music21_corpus import build_corpus, corpus_root

    files = [corpus_root() / name for name in MUSIC21_SCORES]
    corpus = build_corpus(files, workers=2, progress=False)
    assert [p.name for p in corpus.pieces] == ["bach/bwv347.mxl", "bach/bwv66.6.mxl"]
    assert dict(corpus.skipped) == {f"fewer than {MIN_NOTES} notes": 1}
    assert corpus.skipped_files == [("ryansMammoth/HeadlightJig.abc", f"fewer than {MIN_NOTES} notes")]
    chorale = corpus.pieces[1]
    assert len(chorale) > MIN_NOTES and np.all(np.diff(chorale.onsets) >= 0)
    assert chorale.split == split_for("bach/bwv66.6")
    serial = build_corpus(files, workers=1, progress=False)
    assert [p.keys.tolist() for p in serial.pieces] == [p.keys.tolist() for p in corpus.pieces]
    loaded = NoteCorpus.load(corpus.save(tmp_path / "m21.npz"))
    assert np.array_equal(loaded.pieces[1].onsets, chorale.onsets)


def test_music21_broken_file_is_counted_not_fatal(music21, tmp_path):
    from pianogenie.training.data.music21_corpus import build_corpus

    bad = tmp_path / "broken.xml"
    bad.write_text("<score-partwise><part id='P1'><measure><note><pitch>")
    corpus = build_corpus([bad], workers=1, progress=False)
    assert corpus.pieces == [] and sum(corpus.skipped.values()) == 1
