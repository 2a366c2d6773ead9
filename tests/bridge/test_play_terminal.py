"""`pianogenie play` under a real pseudo-terminal (issue 22.2): arrows, function keys and mouse reports are read
as whole escape sequences and ignored; only q (or Ctrl-C) quits, and a take recorded meanwhile keeps every press."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import pty
import select
import subprocess
import sys
import termios
import time

import pytest

from pianogenie.bridge.cli.keys import KeySplitter
from tests.conftest import REPO

ESCAPES = {"left": "\x1b[D", "F1": "\x1bOP", "F5": "\x1b[15~", "shift-up": "\x1b[1;2A",
           "SGR mouse": "\x1b[<0;10;5M", "X10 mouse": "\x1b[M !!", "alt-x": "\x1bx"}


def test_escape_sequences_split_whole_even_across_reads():
    splitter = KeySplitter()
    text = "1" + "".join(ESCAPES.values()) + "2"
    assert splitter.feed(text) == ["1", *ESCAPES.values(), "2"]
    for cut in range(1, len(ESCAPES["F5"])):  # a sequence cut by the 64-byte read arrives whole
        assert splitter.feed(ESCAPES["F5"][:cut]) == []
        assert splitter.feed(ESCAPES["F5"][cut:] + "a") == [ESCAPES["F5"], "a"]
    assert splitter.feed("\x1b") == [] and splitter.flush() == ["\x1b"]


def read_until(fd: int, text: str, seconds: float = 60.0) -> str:
    seen, deadline = "", time.monotonic() + seconds
    while text not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.5)[0]:
            try:
                seen += os.read(fd, 4096).decode("utf-8", "replace")
            except OSError:  # the child closed the terminal
                break
    return seen


def test_arrows_function_keys_and_mouse_do_not_quit_play_in_a_terminal(tmp_path, random_model_dir):
    record = tmp_path / "take.json"
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "pianogenie", "play", "--ui", "plain", "--audio", "none",
                             "--midi-out", "none",
                             "--gate", "0.05", "--model", str(random_model_dir), "--record", str(record)],
                            cwd=REPO, stdin=follower, stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    try:
        assert "gate" in read_until(leader, "gate ")
        time.sleep(1.0)  # play enters cbreak mode after its banner, flushing what was typed before
        os.write(leader, b"1")
        time.sleep(0.3)
        for name, sequence in ESCAPES.items():
            os.write(leader, sequence.encode())
            time.sleep(0.2)
            assert proc.poll() is None, f"{name} quit play"
        os.write(leader, b"2")
        time.sleep(0.3)
        assert proc.poll() is None
        os.write(leader, b"q")
        out = read_until(leader, "notes off")
        assert proc.wait(60) == 0, out
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    assert "2 presses" in out, out
    assert [e["button"] for e in json.loads(record.read_text())["events"]] == [0, 1]


def controlling_terminal() -> None:
    """In the child: the pty on stdin becomes its controlling terminal, so Ctrl-C there is SIGINT to it."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    # Ctrl-C as a player's shell gives it: a SIGINT the test runner inherited as ignored would otherwise stay
    # ignored in the child, and Python would install no KeyboardInterrupt handler.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_quits_play_in_a_terminal(random_model_dir):
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "pianogenie", "play", "--ui", "plain", "--audio", "none",
                             "--midi-out", "none",
                             "--model", str(random_model_dir)], cwd=REPO, stdin=follower, stdout=follower,
                            stderr=follower, close_fds=True, preexec_fn=controlling_terminal)
    os.close(follower)
    try:
        read_until(leader, "gate ")
        time.sleep(1.0)
        os.write(leader, b"\x03")  # the terminal turns it into SIGINT
        out = read_until(leader, "notes off")
        assert proc.wait(60) == 0, out
        assert "Traceback" not in out
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)


def test_a_closed_terminal_ends_play_cleanly_and_keeps_the_take(tmp_path, random_model_dir):
    """Issue 23.7: closing the terminal (or the ssh session) hangs it up: SIGHUP ends play as q does, every note
    off and the take written, never a dump or a lost performance."""
    leader, follower = pty.openpty()
    record = tmp_path / "take.json"
    proc = subprocess.Popen([sys.executable, "-m", "pianogenie", "play", "--ui", "plain", "--audio", "none",
                             "--midi-out", "none",
                             "--model", str(random_model_dir), "--record", str(record), "--gate", "5"], cwd=REPO,
                            stdin=follower, stdout=follower, stderr=follower, close_fds=True,
                            preexec_fn=controlling_terminal)
    os.close(follower)
    try:
        read_until(leader, "gate ")
        time.sleep(1.0)  # the terminal into cbreak mode first (which flushes what was typed before)
        os.write(leader, b"3")
        read_until(leader, "(MIDI ")  # the note is printed as it sounds (the gate holds it for 5 s)
    finally:
        os.close(leader)  # the terminal goes away: the kernel hangs up its session
    try:
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert [e["button"] for e in json.loads(record.read_text())["events"]] == [2]
