"""Crafted values in a take (issue 23): `render` and `replay` refuse each in one line and exit 2, never a traceback,
an OverflowError or a MemoryError. The loader's own checks are in tests/engine/test_takes.py; these run the commands."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

PIANOGENIE = [sys.executable, "-m", "pianogenie"]
PRESS = '{"time": 0, "button": 1}'

CRAFTED = [
    ('{"notes": [{"pitch": 60, "onset": 0, "offset": Infinity}]}', "offset"),
    ('{"events": [{"time": 0, "button": 1e400}]}', "button"),
    ('{"notes": [{"pitch": 60, "onset": 0, "offset": 1e9}]}', "offset"),
    (f'{{"events": [{PRESS}], "temperature": [1]}}', "temperature"),
    (f'{{"events": [{PRESS}], "seed": [1, 2]}}', "seed"),
    (f'{{"events": [{PRESS}], "seed": 1e400}}', "seed"),
]


@pytest.mark.parametrize("command", ["render", "replay"])
@pytest.mark.parametrize("text,field", CRAFTED)
def test_crafted_take_is_one_line_and_exit_2(tmp_path, command, text, field):
    take = tmp_path / "take.json"
    take.write_text(text)
    args = [str(take), str(tmp_path / "out.wav")] if command == "render" else ["--events", str(take)]
    proc = subprocess.run([*PIANOGENIE, command, *args], cwd=REPO, capture_output=True, text=True, timeout=120)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith(f"pianogenie {command}: ") and field in lines[0], lines[0]
    assert not (tmp_path / "out.wav").exists()
