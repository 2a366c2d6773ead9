"""bridge/runtime.Run: a run's components open in order and close in reverse, on any exit path; the outputs' stop
step (all notes off, queued notes delivered) runs after the inputs close and before any output does."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pianogenie.bridge import protocol as p
from pianogenie.bridge.runtime import MidiConfig, Run, RunConfig
from pianogenie.bridge.sound.sink import Sink
from pianogenie.bridge.sound.voices import SynthConfig
from pianogenie.bridge.timing import now
from pianogenie.errors import CommandError
from tests.conftest import REPO


class Part:
    def __init__(self, name: str, log: list[str], fails: bool = False):
        self.name, self.log, self.fails = name, log, fails

    def close(self) -> None:
        self.log.append(self.name)
        if self.fails:
            raise OSError("gone")


class Notes(Sink):
    def __init__(self, log: list[str]):
        self.log = log

    def note_on(self, performer, pitch, velocity, button, time, sender=None):
        self.log.append("on")

    def note_off(self, performer, pitch, button, time, sender=None):
        self.log.append("off")


def _quiet(model: Path, latency: float = 0.0) -> RunConfig:
    return RunConfig(model=model, seed=0, midi=MidiConfig(out="none"), synth=SynthConfig(audio="none"), latency=latency)


def test_components_close_in_reverse_on_an_exception_and_a_failing_close_stops_none(random_model_dir, capsys):
    log: list[str] = []
    with pytest.raises(RuntimeError, match="the run failed"):
        with Run(_quiet(random_model_dir)) as run:
            run.enter(Part("transport", log))
            run.enter(Part("device", log, fails=True))
            run.enter(Part("announce", log))
            raise RuntimeError("the run failed")
    assert log == ["announce", "device", "transport"]
    assert "closing Part: gone" in capsys.readouterr().err


def test_the_stop_step_delivers_every_queued_note_before_the_outputs_close(random_model_dir):
    log: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        with Run(_quiet(random_model_dir, latency=0.5)) as run:
            run.open_outputs()
            assert ("timing", "every note 500 ms after its press arrives") in run.lines
            assert ("audio", "off (--audio none)") in run.lines
            run.add_sink(Notes(log))
            run.enter(Part("midi in", log))  # an input opened after the outputs: closed before the stop step
            assert run.bridge.handle(p.IN_PRESS, [3], None, now())
            assert log == []  # the note waits for its 500 ms
            raise KeyboardInterrupt
    assert log == ["midi in", "on", "off"] and run.turned_off == 1
    assert run.scheduler._thread is not None and not run.scheduler._thread.is_alive()


def test_a_model_that_does_not_load_is_a_command_error(tmp_path):
    with pytest.raises(CommandError):
        Run(_quiet(tmp_path / "missing"))


def test_nothing_below_the_command_line_sees_argparse():
    for path in [REPO / "bridge" / "runtime.py", REPO / "bridge" / "timing.py", *sorted((REPO / "bridge" / "sound").glob("*.py"))]:
        if path.name == "synth_process.py":
            continue  # its child's own command line (python -m ...synth_process), not the user's flags
        tree = ast.parse(path.read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                    for alias in node.names} | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert "argparse" not in imported, path
