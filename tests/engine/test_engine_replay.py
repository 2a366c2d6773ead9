"""`pianogenie replay` and the events format, through the real console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pianogenie.engine import PianoGenie, default_model_dir
from pianogenie.engine.takes import load_events, parse_events, replay

PIANOGENIE = str(Path(sys.executable).with_name("pianogenie"))
EVENTS = {
    "events": [
        {"time": 0.0, "button": 3, "release": 0.2},
        {"time": 0.25, "button": 4, "release": 0.5, "velocity": 90},
        {"time": 0.5, "button": 5},
        {"time": 0.75, "button": 4, "release": 1.5},
    ]
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PIANOGENIE, *args], capture_output=True, text=True, timeout=120)


def test_replay_writes_notes_and_midi(random_model_dir, tmp_path):
    events = tmp_path / "events.json"
    events.write_text(json.dumps(EVENTS))
    out, midi = tmp_path / "notes.json", tmp_path / "out.mid"
    result = run("replay", "--events", str(events), "--model", str(random_model_dir), "--seed", "1",
                 "--temperature", "0.5", "--out", str(out), "--midi", str(midi))
    assert result.returncode == 0, result.stderr
    notes = json.loads(out.read_text())["notes"]
    assert [n["button"] for n in notes] == [3, 4, 5, 4]
    assert [n["onset"] for n in notes] == [0.0, 0.25, 0.5, 0.75]
    assert notes[0]["offset"] == 0.2 and notes[2]["offset"] == 1.0  # no release: the default gate
    assert all(21 <= n["pitch"] <= 108 for n in notes)
    # Same seed, same notes; and the library call gives what the command printed.
    genie = PianoGenie.load(random_model_dir)
    again = replay(genie, load_events(events), temperature=0.5, seed=1)
    assert [n.pitch for n in again] == [n["pitch"] for n in notes]

    import mido

    messages = [m for m in mido.MidiFile(midi) if m.type in ("note_on", "note_off")]
    ons = [m for m in messages if m.type == "note_on"]
    offs = [m for m in messages if m.type == "note_off"]
    assert [m.note for m in ons] == [n["pitch"] for n in notes]
    assert sorted(m.note for m in offs) == sorted(m.note for m in ons)


@pytest.mark.parametrize(
    "document, words",
    [
        ({"presses": []}, '"events" list'),
        ({"events": [{"time": 0.0, "button": 9}]}, "event 0: button"),
        ({"events": [{"time": 0.0, "button": 1}, {"time": "x", "button": 1}]}, "event 1: time"),
        ({"events": [{"time": 1.0, "button": 1, "release": 0.5}]}, "release"),
        ({"events": [{"time": 1.0, "button": 1, "velocity": 0}]}, "velocity"),
    ],
)
def test_bad_events_are_rejected_clearly(document, words, random_model_dir, tmp_path):
    with pytest.raises(ValueError, match=words):
        parse_events(document)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    result = run("replay", "--events", str(path), "--model", str(random_model_dir))
    assert result.returncode == 2
    assert words.split(":")[0] in result.stderr and "Traceback" not in result.stderr


def test_unreadable_events_file(tmp_path, random_model_dir):
    path = tmp_path / "broken.json"
    path.write_text("{")
    result = run("replay", "--events", str(path), "--model", str(random_model_dir))
    assert result.returncode == 2 and "broken.json" in result.stderr and "Traceback" not in result.stderr


def test_replay_without_model_uses_the_embedded_default(tmp_path):
    events = tmp_path / "events.json"
    events.write_text(json.dumps(EVENTS))
    result = run("replay", "--events", str(events))
    if (default_model_dir() / "weights_manifest.json").exists():
        assert result.returncode == 0, result.stderr
        assert len(json.loads(result.stdout)["notes"]) == 4
    else:
        assert result.returncode == 2 and "embedded default model is not installed" in result.stderr


def test_broken_model_gives_an_error_not_a_traceback(random_model_dir, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(random_model_dir, model)
    (model / "group1-shard1of1.bin").write_bytes(b"\0" * 10)
    events = tmp_path / "events.json"
    events.write_text(json.dumps(EVENTS))
    result = run("replay", "--events", str(events), "--model", str(model))
    assert result.returncode == 2 and "group1-shard1of1.bin" in result.stderr and "Traceback" not in result.stderr


def test_help_lists_commands():
    result = run("--help")
    assert result.returncode == 0 and "replay" in result.stdout and "bench" in result.stdout


def test_bench_engine_reports_every_contender(random_model_dir):
    """A smoke run of the benchmark: the table has each row and the ratio (no timing is asserted here)."""
    result = run("bench", "engine", "--model", str(random_model_dir), "--presses", "200", "--batch", "8")
    assert result.returncode == 0, result.stderr
    for row in ("press → key", "full cost per press", "numpy fallback", "PyTorch eager reference step",
                "ensemble of 8 sessions", "PyTorch step / engine press → key"):
        assert row in result.stdout, result.stdout
