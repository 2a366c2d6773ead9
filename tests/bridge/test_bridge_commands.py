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
