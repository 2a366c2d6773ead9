"""`pianogenie play`: keys to buttons, the gate, sustain and reset, and the recording it leaves."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pianogenie.bridge.core import Bridge
from pianogenie.bridge.cli.play import KeyboardPlayer
from pianogenie.engine import PianoGenie
from tests.conftest import REPO, Log



@pytest.fixture(scope="module")
def genie(random_model_dir):
    return PianoGenie.load(random_model_dir)


def test_gate_releases_and_a_repress_keeps_the_newer_note(genie):
    bridge = Bridge(genie, seed=0)
    log = Log()
    bridge.sinks.append(log)
    player = KeyboardPlayer(bridge, gate=0.3)
    assert player.key("a", 0.0) and player.key("k", 0.1)
    player.due(0.29)
    assert [e[0] for e in log.events] == ["on", "on"]
    assert player.key("a", 0.2)  # re-press: the first note ends now, the new one gets a full gate
    player.due(0.31)
    assert sum(e[0] == "off" for e in log.events) == 1
    player.due(0.41)  # button "k" (pressed at 0.1) ends
    player.due(0.49)
    assert sum(e[0] == "off" for e in log.events) == 2
    player.due(0.51)
    assert sum(e[0] == "off" for e in log.events) == 3
    assert not bridge.performers[0].sounding


def test_keys_sustain_reset_and_quit(genie):
    bridge = Bridge(genie, seed=0)
    log = Log()
    bridge.sinks.append(log)
    player = KeyboardPlayer(bridge, gate=0.1)
    for char in "12345678":
        player.key(char, 0.0)
    assert [e[4] for e in log.events if e[0] == "on"] == list(range(8))
    player.key(" ", 0.01)
    player.due(0.2)
    assert bridge.performers[0].sustain and bridge.performers[0].sounding, "the pedal holds the gated notes"
    player.key(" ", 0.3)
    assert not bridge.performers[0].sounding
    player.key("j", 0.4)
    player.key("0", 0.45)
    assert not bridge.performers[0].sounding and bridge.performers[0].session.last_key == 88
    player.key("+", 0.5)
    assert player.gate == pytest.approx(0.15)
    assert player.key("q", 0.6) is False


def test_play_from_a_pipe_records_a_replayable_take(tmp_path, random_model_dir):
    record = tmp_path / "take.json"
    proc = subprocess.run(
        [sys.executable, "-m", "pianogenie", "play", "--audio", "none", "--midi-out", "none", "--gate", "0.1",
         "--model", str(random_model_dir), "--seed", "1", "--record", str(record)],
        input="asdf 5678 ", cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "8 presses, 8 notes on, 8 notes off" in proc.stdout
    doc = json.loads(record.read_text())
    assert [e["button"] for e in doc["events"]] == [0, 1, 2, 3, 4, 5, 6, 7]
    # Gated: each release is the gate after its press (the process may be slow, never early).
    assert all(0.09 <= e["release"] - e["time"] <= 3.0 for e in doc["events"])
    assert len(doc["notes"]) == 8 and all(n["offset"] >= n["onset"] for n in doc["notes"])
    replayed = subprocess.run([sys.executable, "-m", "pianogenie", "replay", "--events", str(record), "--model", str(random_model_dir)],
                              cwd=REPO, capture_output=True, text=True, timeout=120)
    assert replayed.returncode == 0, replayed.stderr


def test_play_rejects_a_bad_gate(random_model_dir):
    proc = subprocess.run([sys.executable, "-m", "pianogenie", "play", "--gate", "0", "--audio", "none", "--model", str(random_model_dir)],
                          cwd=REPO, capture_output=True, text=True, timeout=120, input="")
    assert proc.returncode == 2 and "--gate" in proc.stderr
