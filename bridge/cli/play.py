"""`pianogenie play`: the genie from the computer keyboard (or a MIDI controller) into the synth.

Keys 1-8 and a s d f j k l ; are buttons 0-7, space toggles the sustain pedal, 0 resets, + and - change the
gate, q or Ctrl-C quits; arrows, function keys and the mouse are ignored. A terminal reports key presses but no releases, so each note lasts a fixed gate (or until
its button is pressed again). Input that is not a terminal (a pipe) is read the same way, which is how the tests
play it."""

from __future__ import annotations

import argparse
import contextlib
import gc
import heapq
import os
import select
import stat
import sys
import time as _time
from contextlib import contextmanager
from typing import Iterator

from pianogenie.engine.constants import NUM_BUTTONS

from .. import protocol as p
from ..sound.sink import Sink
from ..system import on_stop_signals
from ..timing import now as clock
from .keys import KeySplitter
from .options import add_common_arguments, check_common, run_config

KEY_BUTTONS = {**{str(i + 1): i for i in range(NUM_BUTTONS)}, **{k: i for i, k in enumerate("asdfjkl;")}}
KEY_SUSTAIN = " "
KEY_RESET = "0"
# Only q and Ctrl-C quit: Esc starts every arrow and function key (bridge/cli/keys.py).
KEYS_QUIT = ("q", "\x03")
GATE_STEP = 0.05
GATE_RANGE = (0.05, 5.0)
NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def note_name(pitch: int) -> str:
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


@contextmanager
def raw_terminal(stream) -> Iterator[None]:
    """Characters arrive one by one without echo; the terminal is restored however the run ends."""
    if not stream.isatty():
        yield
        return
    import termios
    import tty

    fd = stream.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        try:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        except termios.error:  # the terminal hung up: there is nothing left to restore
            pass


class Printer(Sink):
    """Shows each note as it is played."""

    description = "the terminal"

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: object = None) -> None:
        try:
            print(f"  button {button + 1} -> {note_name(pitch):<4} (MIDI {pitch})", flush=True)
        except OSError:  # the terminal hung up: the note still plays everywhere else
            pass

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: object = None) -> None:
        pass  # a terminal shows strikes only: it reports no key releases


class KeyboardPlayer:
    """Turns characters into bridge messages and schedules each press's gated release."""

    def __init__(self, bridge, gate: float):
        self.bridge = bridge
        self.gate = gate
        self.sustain = False
        self.releases: list[tuple[float, int, int]] = []  # (due, serial, button)
        self.serial = [0] * NUM_BUTTONS

    def key(self, char: str, now: float) -> bool:
        """Handle one key (a character or a whole escape sequence); returns False to quit."""
        if len(char) != 1:
            return True  # an arrow, function key or mouse report: nothing to play
        if char in KEYS_QUIT:
            return False
        if char in KEY_BUTTONS:
            button = KEY_BUTTONS[char]
            self.serial[button] += 1
            self.bridge.handle(p.IN_PRESS, [button], None, now)
            heapq.heappush(self.releases, (now + self.gate, self.serial[button], button))
        elif char == KEY_SUSTAIN:
            self.sustain = not self.sustain
            self.bridge.handle(p.IN_PEDAL, [int(self.sustain)], None, now)
            print(f"  sustain {'on' if self.sustain else 'off'}", flush=True)
        elif char == KEY_RESET:
            self.bridge.handle(p.IN_RESET, [], None, now)
            print("  reset", flush=True)
        elif char in "+=-_":
            step = GATE_STEP if char in "+=" else -GATE_STEP
            self.gate = min(max(self.gate + step, GATE_RANGE[0]), GATE_RANGE[1])
            print(f"  gate {self.gate:.2f} s", flush=True)
        return True

    def due(self, now: float) -> None:
        """Release the buttons whose gate has run out (a re-pressed button's older release is dropped)."""
        while self.releases and self.releases[0][0] <= now:
            _, serial, button = heapq.heappop(self.releases)
            if serial == self.serial[button]:
                self.bridge.handle(p.IN_RELEASE, [button], None, now)

    def next_due(self) -> float | None:
        return self.releases[0][0] if self.releases else None


def _play_keys(player: KeyboardPlayer, stop: list) -> None:
    """Feeds the terminal's (or a pipe's) keys to the player until q, Ctrl-C, a stop signal or the input's end
    once every note has had its release."""
    stdin = sys.stdin
    keys = KeySplitter()
    with raw_terminal(stdin):
        fd = stdin.fileno()
        open_input = True
        while not stop:
            now = clock()
            player.due(now)
            if not open_input and player.next_due() is None:
                break  # piped input ended and every note has had its release
            due = player.next_due()
            timeout = 0.1 if due is None else min(0.1, max(0.0, due - now))
            readable = select.select([fd], [], [], timeout)[0] if open_input else _time.sleep(timeout)
            if not readable:
                continue
            try:
                chunk = os.read(fd, 64).decode("utf-8", "replace")
            except OSError:  # EIO: the terminal hung up (its SIGHUP also stops the loop)
                chunk = ""
            if not chunk:
                open_input = False
                continue
            now = clock()
            if not all(player.key(key, now) for key in keys.feed(chunk)):
                break


def _no_keys(stream) -> str | None:
    """Why `play` would get no keys from stdin, or None: a terminal, a pipe and a file give keys; a device such as
    /dev/null (a service, `< /dev/null`) gives none, and play would start and end at once."""
    try:
        if stream is None or stream.isatty():
            return None if stream is not None else "no standard input to read keys from"
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError):
        return "standard input cannot be read (closed?): play reads its keys from a terminal or a pipe"
    if stat.S_ISFIFO(mode) or stat.S_ISREG(mode) or stat.S_ISSOCK(mode):
        return None
    return "standard input is not a terminal, a pipe or a file: play reads its keys there (or use --controller PORT)"


def run(args: argparse.Namespace) -> int:
    from pianogenie.errors import CommandError

    from ..runtime import Run

    if not GATE_RANGE[0] <= args.gate <= GATE_RANGE[1]:
        problem = f"--gate must be {GATE_RANGE[0]}..{GATE_RANGE[1]} seconds, got {args.gate}"
        raise CommandError(check_common(args) or problem)
    config = run_config(args, midi_in=args.controller, midi_in_flag="--controller") if args.controller is not None \
        else run_config(args)
    problem = _no_keys(sys.stdin)
    if problem and args.controller is None:
        raise CommandError(problem)
    stop: list[bool] = []
    with Run(config) as run, contextlib.suppress(KeyboardInterrupt):
        bridge = run.bridge
        on_stop_signals(lambda: stop.append(True))  # Ctrl-C in the raw terminal is a key; from kill or a hang-up, this
        run.open_outputs()
        run.add_sink(Printer())
        print("Piano Genie: keys 1-8 or a s d f j k l ; play, space = sustain, 0 = reset, +/- = gate, q = quit")
        print(f"  model       {run.genie.model_dir}")
        for name, line in run.lines:
            print(f"  {name:<11} {line}")
        print(f"  gate        {args.gate:.2f} s", flush=True)
        gc.collect()
        gc.freeze()  # as in serve: no full collection stalls a key press
        _play_keys(KeyboardPlayer(bridge, args.gate), stop)
    c = bridge.counters
    try:
        print(f"pianogenie play: {c.presses} presses, {c.notes_on} notes on, {c.notes_off} notes off", flush=True)
    except OSError:  # stdout piped into something that has quit, or the terminal hung up (EIO)
        sys.stdout = open(os.devnull, "w")
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gate", type=float, default=0.35,
                        help="seconds a key sounds (a terminal reports no key releases); +/- change it while playing")
    parser.add_argument("--controller", default=None, metavar="PORT", help="play from this MIDI input port instead of the keyboard")
    add_common_arguments(parser)
