"""The `pianogenie` shell (pianogenie/cli.py): the command table is lazy, so `--help` and `COMMAND --help` load
no numpy, no torch and no decoder (only the engine's constants, a module of plain numbers), and every
command's usage error exits 2 with one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pianogenie.cli import build_parser, chosen, commands
from tests.conftest import REPO

# Runs the shell as `python -m pianogenie ARGS` would, then reports what it imported.
PROBE = """
import contextlib, io, json, sys
from pianogenie.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules), "out": out.getvalue()}))
"""
HEAVY = ("numpy", "torch", "music21", "mido", "pythonosc", "sounddevice", "pyo", "pedalboard")
NAMES = [command.name for command in commands()]


def _run(*argv: str) -> dict:
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", PROBE, *argv], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.splitlines()[-1])
    report["importtime"] = result.stderr
    return report


def _heavy(modules: list[str]) -> list[str]:
    engine = [m for m in modules if m.startswith("pianogenie.engine.") and m != "pianogenie.engine.constants"]
    return [m for m in modules if m.split(".")[0] in HEAVY] + engine


def test_the_command_table_lists_every_command_once():
    assert len(NAMES) == len(set(NAMES)) and len(NAMES) >= 17, NAMES
    assert {"serve", "play", "render", "train", "bench osc", "bench engine", "bench training"} <= set(NAMES)


@pytest.mark.parametrize("argv", [["--help"], ["serve", "--help"], ["bench", "osc", "--help"], ["train", "--help"],
                                  ["render", "--help"], ["play", "--help"], ["web", "--help"]])
def test_help_imports_no_numpy_torch_or_decoder(argv):
    report = _run(*argv)
    assert report["code"] == 0 and "usage: pianogenie" in report["out"], report["out"]
    assert _heavy(report["modules"]) == [], _heavy(report["modules"])[:10]
    # -X importtime sees every import, also one that a module dropped from sys.modules again.
    imported = {line.rsplit("|", 1)[-1].strip() for line in report["importtime"].splitlines() if line.startswith("import time:")}
    assert len(imported) > 50 and not imported & {"numpy", "torch"}, "numpy or torch was imported"


def test_top_level_help_imports_no_command_module():
    loaded = [m for m in _run("--help")["modules"] if m.startswith("pianogenie.")]
    commands_loaded = [m for m in loaded if m.rsplit(".", 1)[-1] in ("serve", "play", "bench", "options", "commands")]
    assert commands_loaded == [], commands_loaded


@pytest.mark.parametrize("name", NAMES)
def test_every_commands_usage_error_is_one_line_and_exit_2(name, capsys):
    from pianogenie.cli import main

    with pytest.raises(SystemExit) as exit_:
        main([*name.split(), "--no-such-flag"])
    assert exit_.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()
    # argparse's usage line, then one line: the command's own parser's, or the shell's for a flag no parser took
    assert error[0].startswith("usage: pianogenie") and error[-1].startswith("pianogenie") and ": error: " in error[-1], error


def test_the_command_is_read_before_parsing():
    assert chosen(["serve", "--port", "0"]) == "serve"
    assert chosen(["bench", "osc", "--presses", "5"]) == "bench osc"
    assert chosen(["--help"]) is None
    # The full parser (the docs' checks) still has every command's flags.
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert "--synth" in sub.choices["serve"].format_help()
