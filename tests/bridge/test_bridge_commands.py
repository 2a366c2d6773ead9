"""The bridge's other commands run end to end: `devices`, and a short `bench osc`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from tests.conftest import REPO

PIANOGENIE = [sys.executable, "-m", "pianogenie"]


def test_devices_lists_audio_and_midi():
    env = dict(os.environ, JACK_NO_START_SERVER="1")
    proc = subprocess.run([*PIANOGENIE, "devices"], cwd=REPO, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "audio outputs:" in proc.stdout and "MIDI ports:" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_bench_osc_smoke(random_model_dir):
    proc = subprocess.run([*PIANOGENIE, "bench", "osc", "--presses", "300", "--seconds", "1", "--sound", "skip",
                           "--model", str(random_model_dir)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for name in ("raw echo", "python-osc echo", "bridge"):
        assert re.search(rf"{name}\s+p50\s+[\d.]+ us\s+p99\s+[\d.]+ us", proc.stdout), proc.stdout
    assert "bridge / python-osc echo" in proc.stdout


def _take(tmp_path):
    import json

    take = tmp_path / "take.json"
    take.write_text(json.dumps({"notes": [{"pitch": 60, "onset": 0.0, "offset": 0.3, "button": 0, "velocity": 90}]}))
    return take


def test_render_to_a_folder_that_is_not_there_or_cannot_be_written_is_one_line(tmp_path):
    """Issue 22.5: no traceback, exit 2, and no folder made that the user did not ask for."""
    take = _take(tmp_path)
    for out, words in [(tmp_path / "typo" / "out.wav", "does not exist"), ("/proc/self/out.wav", "cannot write"),
                       (tmp_path / "typo" / "out.mid", "does not exist")]:
        result = subprocess.run([*PIANOGENIE, "render", str(take), str(out)], capture_output=True, text=True,
                                cwd=REPO, timeout=120)
        assert result.returncode == 2, (out, result.stderr)
        assert result.stderr.strip().count("\n") == 0 and words in result.stderr, (out, result.stderr)
        assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert not (tmp_path / "typo").exists()


def test_play_without_keys_refuses_in_one_line_and_a_pipe_still_plays(tmp_path):
    """Issue 22.9: play with stdin on /dev/null (a service) used to start and end at once with status 0."""
    quiet = ["--audio", "none", "--midi-out", "none"]
    with open(os.devnull) as devnull:
        refused = subprocess.run([*PIANOGENIE, "play", *quiet], stdin=devnull, capture_output=True, text=True,
                                 cwd=REPO, timeout=120)
    assert refused.returncode == 2 and "not a terminal, a pipe or a file" in refused.stderr, refused.stderr
    piped = subprocess.run([*PIANOGENIE, "play", *quiet], input="1", capture_output=True, text=True, cwd=REPO,
                           timeout=120)
    assert piped.returncode == 0 and "1 presses, 1 notes on, 1 notes off" in piped.stdout, (piped.stdout, piped.stderr)


def test_serve_record_into_a_folder_that_is_not_there_is_one_line(tmp_path, random_model_dir):
    result = subprocess.run([*PIANOGENIE, "serve", "--model", str(random_model_dir), "--port", "0", "--audio", "none",
                             "--midi-out", "none", "--no-zeroconf", "--record", str(tmp_path / "typo" / "t.json")],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 2 and "does not exist" in result.stderr, result.stderr
    assert not (tmp_path / "typo").exists()
