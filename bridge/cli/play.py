"""`pianogenie play`: the genie from the computer keyboard (or a MIDI controller) into the synth.

Keys 1-8 and a s d f j k l ; are buttons 0-7; the other keys (sustain, reset, gate, temperature, octave range,
model; q or Ctrl-C quits) are bridge/cli/keys.py's. A terminal reports key presses but no releases, so each note
lasts a fixed gate (or until its button is pressed again). In a terminal, with the [tui] extra, play shows the live
view (bridge/cli/tui.py), clickable; else (`--ui plain`, or input from a pipe, which is how most tests play it)
it prints each note. Function keys and mouse reports do nothing in the plain view."""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import os
import select
import stat
import sys
import time as _time
from contextlib import contextmanager
from typing import Iterator

from ..sound.sink import Sink
from ..system import on_stop_signals
from ..timing import now as clock
from .keys import KeySplitter, help_line
from .options import add_common_arguments, add_models_argument, check_common, model_library, run_config
from .player import GATE_RANGE, KeyboardPlayer, note_name

__all__ = ["KeyboardPlayer", "Printer", "add_arguments", "run"]  # KeyboardPlayer: the tests' way in

# --ui: the live view needs the [tui] extra and a terminal on stdin, stdout and stderr (textual draws on stderr);
# auto picks it where it has them.
UI_CHOICES = ("auto", "plain", "tui")


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


def choose_ui(choice: str, *streams) -> str:
    """"plain" or "tui" for --ui `choice`; CommandError when tui is asked for and cannot be had."""
    from pianogenie.errors import CommandError

    if choice == "plain":
        return "plain"
    problem = None
    if importlib.util.find_spec("textual") is None:
        problem = "--ui tui needs the live view's library: pip install 'pianogenie-bridge[tui]'"
    elif not all(_is_terminal(stream) for stream in streams):
        problem = "--ui tui needs a terminal on standard input, output and error (the view draws on standard error)"
    elif os.environ.get("TERM", "") in ("", "dumb"):
        problem = "--ui tui needs a terminal that can draw (TERM is unset or dumb)"
    if problem is None:
        return "tui"
    if choice == "tui":
        raise CommandError(problem)
    return "plain"


def _is_terminal(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except ValueError:  # closed
        return False


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
    ui = choose_ui(args.ui, sys.stdin, sys.stdout, sys.stderr)
    library = model_library(args)
    stop: list[bool] = []
    with Run(config, library=library) as run, contextlib.suppress(KeyboardInterrupt):
        bridge = run.bridge
        on_stop_signals(lambda: stop.append(True))  # Ctrl-C in the raw terminal is a key; from kill or a hang-up, this
        run.open_outputs()
        if ui == "tui":
            from .tui import play_live

            play_live(run, args.gate, stop)
        else:
            _play_plain(run, args, stop)
    c = bridge.counters
    try:
        print(f"pianogenie play: {c.presses} presses, {c.notes_on} notes on, {c.notes_off} notes off", flush=True)
    except OSError:  # stdout piped into something that has quit, or the terminal hung up (EIO)
        sys.stdout = open(os.devnull, "w")
    return 0


def _play_plain(run, args: argparse.Namespace, stop: list) -> None:
    """The plain view: a banner, then a line per note and per change of state."""
    run.add_sink(Printer())
    print(f"Piano Genie: {help_line()}")
    print(f"  model       {run.genie.model_dir}")
    library = run.bridge.library
    if library is not None:
        print(f"  models      {library.folder}: {', '.join(library.names()) or 'none yet'} (m = next)")
    for name, line in run.lines:
        print(f"  {name:<11} {line}")
    print(f"  gate        {args.gate:.2f} s", flush=True)
    gc.collect()
    gc.freeze()  # as in serve: no full collection stalls a key press
    _play_keys(KeyboardPlayer(run.bridge, args.gate), stop)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gate", type=float, default=0.35,
                        help="seconds a key sounds (a terminal reports no key releases); +/- change it while playing")
    parser.add_argument("--controller", default=None, metavar="PORT", help="play from this MIDI input port instead of the keyboard")
    parser.add_argument("--ui", choices=UI_CHOICES, default="auto",
                        help="tui: the live, clickable view of buttons, notes and state (the [tui] extra); plain: a "
                             "line per note; auto (default): tui in a terminal where the extra is installed")
    add_models_argument(parser)
    add_common_arguments(parser)
