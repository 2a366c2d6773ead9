"""`pianogenie play`'s live view (issue 22): the key table, the player's temperature, range and model keys, and
the view itself, clicked in-process (textual's pilot) and played for real in a tmux terminal, whose take must hold
the notes pressed and replay to them."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pianogenie.bridge.cli import keys as k
from pianogenie.bridge.cli.player import KeyboardPlayer, KeyWindow, note_name
from pianogenie.bridge.core import Bridge
from pianogenie.bridge.models import ModelLibrary, model_name
from pianogenie.engine import PianoGenie
from pianogenie.engine.model_format import write_model
from pianogenie.engine.takes import Take, replay_take
from tests.conftest import CONFIG, REPO, random_tensors

WAIT_S = 30.0  # the longest any step may take on a loaded machine


def make_models(folder: Path) -> Path:
    for seed, name in enumerate(("alpha", "beta"), start=1):
        write_model(folder / name, random_tensors(seed), CONFIG)
    return folder


def test_every_action_has_a_key_and_only_q_and_ctrl_c_quit():
    bound = set(k.BINDINGS.values())
    assert {action for action, _, _ in k.HELP} <= bound and set(range(8)) <= bound
    assert [key for key, action in k.BINDINGS.items() if action == k.QUIT] == ["q", "\x03"]
    for sequence, name in {"\x1b[A": "up", "\x1bOB": "down", "\x1b[D": "left", "\x1b[C": "right"}.items():
        assert k.binding(sequence) == k.binding(name) is not None
    for sequence in ("\x1b", "\x1b[15~", "\x1bOP", "\x1b[<0;10;5M", "\x1b[1;2A"):
        assert k.binding(sequence) is None, sequence


def test_the_key_window_moves_and_sizes_by_octaves_within_the_piano():
    window = KeyWindow()
    assert window.pitches() is None and not window.shift(-1) and not window.resize(1)
    assert window.resize(-1) and window.pitches() == (24, 108)
    assert window.shift(-1) and window.pitches() == (21, 96) and not window.shift(-1)
    for _ in range(6):
        assert window.resize(-1)
    assert window.pitches() == (21, 24) and not window.resize(-1)
    assert all(window.shift(1) for _ in range(7)) and not window.shift(1) and window.pitches() == (96, 108)
    assert window.resize(1) and window.pitches() == (84, 108)  # grows downwards at the top of the keyboard
    for _ in range(6):
        window.resize(1)
    assert window.pitches() is None and window.describe() == "all 88 keys"


def test_temperature_range_and_model_keys_reach_the_bridge(tmp_path):
    library = ModelLibrary(make_models(tmp_path / "models"))
    bridge = Bridge(PianoGenie.load(tmp_path / "models" / "alpha"), temperature=0.5, seed=0, library=library)
    said: list[str] = []
    player = KeyboardPlayer(bridge, gate=0.2, say=said.append)
    for key in ("]", "up", "\x1b[A", "[", "<", ",", "\x1bOD"):
        assert player.key(key, 0.0)
    assert bridge.performers[0].temperature == pytest.approx(0.6)
    assert said[-1] == "range A0-C7 (7 octaves)"
    assert bridge.performers[0].keys == tuple(range(0, 96 - 21 + 1))
    assert player.key("m", 0.1) and said[-1] == "loading model beta"
    deadline = time.monotonic() + WAIT_S
    while model_name(bridge.genie) != "beta" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert model_name(bridge.genie) == "beta"
    for _ in range(7):
        player.key(">", 0.2)
    assert bridge.performers[0].keys is None, "wider than 7 octaves is the whole keyboard again"


def test_the_view_lights_a_clicked_button_and_its_controls_act():
    pytest.importorskip("textual")
    from pianogenie.bridge.cli.tui import LiveView, control_id

    bridge = Bridge(PianoGenie.load(None), temperature=0.25, seed=0)
    app = LiveView(bridge, 0.4, [])

    async def play() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+q", "escape", "f1", "tab", "home")  # none of them quits
            await pilot.pause(0.05)
            assert app.is_running and app.return_code is None
            await pilot.click("#pad5")
            await pilot.pause(0.05)
            pitch = bridge.performers[0].held[5]
            assert str(app.query_one("#pad5").label).endswith(note_name(pitch))
            assert app.query_one("#pad5").has_class("lit")
            await pilot.click(f"#{control_id(k.WARMER)}")
            await pilot.click(f"#{control_id(k.SUSTAIN)}")
            await pilot.pause(0.6)  # past the gate: the button is up, the pedal holds its note
            assert 5 not in bridge.performers[0].held and not app.query_one("#pad5").has_class("lit")
            assert bridge.performers[0].temperature == pytest.approx(0.3) and bridge.performers[0].sounding
            await pilot.press("space", "q")
        assert app.return_code == 0

    asyncio.run(asyncio.wait_for(play(), WAIT_S))
    assert bridge.counters.presses == 1 and not bridge.performers[0].sounding


@pytest.mark.parametrize("flags, says", [(["--ui", "tui"], "terminal"), (["--models", "/no/such/folder"], "/no/such")])
def test_no_terminal_for_the_view_or_a_bad_models_folder_is_one_line_and_exit_2(random_model_dir, flags, says):
    proc = subprocess.run([sys.executable, "-m", "pianogenie", "play", *flags, "--audio", "none", "--midi-out", "none",
                           "--model", str(random_model_dir)], input="1q", cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0, proc.stderr
    assert says in proc.stderr and "Traceback" not in proc.stderr


# --- the live view in a real terminal ---------------------------------------------------------------------------

_SESSIONS = itertools.count()


class Tmux:
    """A detached tmux server of the test's own, running one command in an 80x24 pane."""

    def __init__(self, command: str):
        self.socket = f"pg-tui-{os.getpid()}-{next(_SESSIONS)}"
        self.tmux("new-session", "-d", "-s", "play", "-x", "80", "-y", "24", command)

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=30,
                              check=True).stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", "-t", "play", *(["-l"] if literal else []), *keys)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "play")

    def wait(self, pattern: str, seconds: float = WAIT_S) -> re.Match:
        deadline, screen = time.monotonic() + seconds, ""
        while time.monotonic() < deadline:
            screen = self.screen()
            found = re.search(pattern, screen, re.M)
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"{pattern!r} never showed; the screen:\n{screen}")

    def click(self, text: str) -> None:
        """A mouse click (SGR reports, as a terminal sends them) on the first cell of `text` on the screen."""
        for row, line in enumerate(self.screen().splitlines(), start=1):
            if text in line:
                x, y = line.index(text) + 1, row
                self.keys(f"\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m", literal=True)
                return
        raise AssertionError(f"{text!r} is not on the screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30)


def pads(screen: str) -> list[str]:
    """What the 8 buttons show under their keys: a note while held, "·" while up."""
    lines = screen.splitlines()
    row = next(i for i, line in enumerate(lines) if re.search(r"1 a\s+2 s", line))
    return lines[row + 1].split()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (make system-test installs it)")
def test_play_live_in_tmux_shows_buttons_notes_and_state_and_records_the_take(tmp_path):
    pytest.importorskip("textual")
    models = make_models(tmp_path / "models")
    record, rc = tmp_path / "take.json", tmp_path / "rc"
    command = [sys.executable, "-m", "pianogenie", "play", "--ui", "tui", "--audio", "none", "--midi-out", "none",
               "--gate", "1.0", "--seed", "3", "--temperature", "0.25", "--model", str(models / "alpha"),
               "--models", str(models), "--record", str(record)]
    shell = f"cd {REPO} && {' '.join(command)}; echo $? >{rc}"  # stderr stays the terminal: the view draws there
    term = Tmux(shell)
    try:
        term.wait(r"take\s+REC take\.json: 0 presses")
        assert pads(term.screen()) == ["·"] * 8 and re.search(r"sounding\s+-", term.screen())
        term.keys("1")
        held = term.wait(r"sounding\s+([A-G]#?\d)").group(1)
        assert pads(term.screen())[0] == held
        term.wait(r"latency\s+p50 \d+ us, p99 \d+ us")
        term.wait(r"sounding\s+-$")  # the gate ran out: the button is up again
        assert pads(term.screen()) == ["·"] * 8
        term.keys("Left", "Right", "F5", "Home", "Escape")  # none of them quits (full range: the arrows say so)
        term.wait(r"range all 88 keys; narrow it first")
        term.keys("<", "Left")
        term.wait(r"range A0-C7 \(7 octaves\)")
        term.keys("]")
        term.wait(r"temperature 0\.30")
        term.keys("Up")
        term.wait(r"temperature 0\.35")
        term.keys("m")
        term.wait(r"model beta")
        term.click("3 d")  # the mouse plays button 3
        clicked = term.wait(r"sounding\s+([A-G]#?\d)").group(1)
        assert pads(term.screen())[2] == clicked
        term.click("temp -")
        term.wait(r"temperature 0\.30")
        term.wait(r"take\s+REC take\.json: 2 presses")
        term.keys("q")
        deadline = time.monotonic() + WAIT_S
        while not rc.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert rc.exists() and rc.read_text().strip() == "0", term.screen()
    finally:
        term.close()
    take = Take.load(record)
    assert [e.button for e in take.events] == [0, 2]
    notes = take.notes()
    assert [note_name(n.pitch) for n in notes] == [held, clicked]
    changes = [(c.change, c.value) for c in take.tracks[0].changes if c.change != "all_off"]
    assert changes == [("keys", tuple(range(24 - 21, 88))), ("keys", tuple(range(0, 96 - 21 + 1))),
                       ("temperature", 0.3), ("temperature", 0.35), ("temperature", 0.3)]
    assert [c.name for c in take.model_changes] == ["beta"]
    replayed = replay_take(take, PianoGenie.load)
    assert [(n.pitch, n.onset) for n in replayed] == [(n.pitch, n.onset) for n in notes]


def test_the_plain_view_takes_the_same_keys(tmp_path, random_model_dir):
    """`--ui plain` from a pipe: the temperature and range keys act there too, and land in the take."""
    record = tmp_path / "take.json"
    proc = subprocess.run([sys.executable, "-m", "pianogenie", "play", "--ui", "plain", "--audio", "none",
                           "--midi-out", "none", "--gate", "0.05", "--model", str(random_model_dir), "--record",
                           str(record)], input="]<,1q", cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "temperature 0.30" in proc.stdout and "range A0-C7 (7 octaves)" in proc.stdout
    take = Take.load(record)
    assert [e.button for e in take.events] == [0]
    assert [c.change for c in take.tracks[0].changes if c.change != "all_off"] == ["temperature", "keys", "keys"]


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (make system-test installs it)")
@pytest.mark.parametrize("end", ["ctrl-c", "hang-up"])
def test_ctrl_c_or_a_closed_terminal_ends_the_live_view_and_keeps_the_take(tmp_path, random_model_dir, end):
    pytest.importorskip("textual")
    record, rc = tmp_path / "take.json", tmp_path / "rc"
    command = [sys.executable, "-m", "pianogenie", "play", "--ui", "tui", "--audio", "none", "--midi-out", "none",
               "--gate", "5", "--model", str(random_model_dir), "--record", str(record)]
    term = Tmux(f"cd {REPO} && {' '.join(command)}; echo $? >{rc}")
    try:
        term.wait(r"take\s+REC take\.json: 0 presses")
        term.keys("2")
        term.wait(r"sounding\s+[A-G]")  # the 5-s gate still holds it when the view goes
        if end == "ctrl-c":
            term.keys("C-c")
        else:
            term.close()  # the terminal goes away: the kernel hangs up the play process
        deadline = time.monotonic() + WAIT_S
        while not record.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        if end == "ctrl-c":
            while not rc.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert rc.read_text().strip() == "0"
    finally:
        term.close()
    take = Take.load(record)
    assert [e.button for e in take.events] == [1] and len(take.notes()) == 1
