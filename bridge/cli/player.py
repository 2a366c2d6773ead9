"""The keyboard player of `play`: keys (bridge/cli/keys.py's bindings) and clicks become bridge messages, and each
press gets its gated release, since a terminal reports key presses but no releases. The plain loop and the live
view (bridge/cli/tui.py) both drive it, so a key does the same in either."""

from __future__ import annotations

import heapq
from typing import Callable

from pianogenie.engine.constants import NUM_BUTTONS

from .. import protocol as p
from . import keys as k

GATE_STEP = 0.05
GATE_RANGE = (0.05, 5.0)
TEMPERATURE_STEP = 0.05
NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
# The piano's keys (MIDI pitches); a window's ends are Cs, clipped to these.
LOWEST, HIGHEST = 21, 108
MAX_OCTAVES = 7  # one more is the whole keyboard


def note_name(pitch: int) -> str:
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


class KeyWindow:
    """The octaves the genie may play: all 88 keys, or `octaves` octaves from the C `low` (clipped to the
    piano), moved and sized an octave at a time."""

    def __init__(self) -> None:
        self.octaves: int | None = None  # None: all 88 keys
        self.low = 24                    # C1

    def pitches(self) -> tuple[int, int] | None:
        """(lowest, highest) MIDI pitch allowed, or None for all 88 keys."""
        if self.octaves is None:
            return None
        return max(self.low, LOWEST), min(self.low + 12 * self.octaves, HIGHEST)

    def describe(self) -> str:
        span = self.pitches()
        if span is None:
            return "all 88 keys"
        return f"{note_name(span[0])}-{note_name(span[1])} ({self.octaves} octave{'s' * (self.octaves > 1)})"

    def resize(self, step: int) -> bool:
        octaves = (MAX_OCTAVES + 1 if self.octaves is None else self.octaves) + step
        if octaves < 1 or self.octaves is None and step > 0:
            return False
        self.octaves = None if octaves > MAX_OCTAVES else octaves
        if self.octaves is not None:
            self.low = min(self.low, HIGHEST - 12 * self.octaves)  # a wider window grows downwards at the top
        return True

    def shift(self, step: int) -> bool:
        if self.octaves is None:
            return False
        low = min(max(self.low + 12 * step, LOWEST - LOWEST % 12), HIGHEST - 12 * self.octaves)
        moved, self.low = low != self.low, low
        return moved


class KeyboardPlayer:
    """Turns keys and clicks into bridge messages and schedules each press's gated release. `say` hears a line
    for each change of state (the plain view prints it, the live view shows it)."""

    def __init__(self, bridge, gate: float, say: Callable[[str], None] | None = None):
        self.bridge = bridge
        self.gate = gate
        self.say = say or (lambda line: print(f"  {line}", flush=True))
        self.sustain = False
        self.window = KeyWindow()
        self.releases: list[tuple[float, int, int]] = []  # (due, serial, button)
        self.serial = [0] * NUM_BUTTONS

    def key(self, key: str, now: float) -> bool:
        """Handle one key (a character, a whole escape sequence or a key's name); returns False to quit."""
        return self.act(k.binding(key), now)

    def act(self, action: int | str | None, now: float) -> bool:
        """Do one binding's action (a button's number or an action of bridge/cli/keys.py); False to quit."""
        if action is None:
            return True  # a function key, a mouse report, an unbound key: nothing to play
        if action == k.QUIT:
            return False
        if isinstance(action, int):
            self.press(action, now)
        elif action == k.SUSTAIN:
            self.sustain = not self.sustain
            self.bridge.handle(p.IN_PEDAL, [int(self.sustain)], None, now)
            self.say(f"sustain {'on' if self.sustain else 'off'}")
        elif action == k.RESET:
            self.bridge.handle(p.IN_RESET, [], None, now)
            self.say("reset")
        elif action in (k.GATE_UP, k.GATE_DOWN):
            step = GATE_STEP if action == k.GATE_UP else -GATE_STEP
            self.gate = min(max(self.gate + step, GATE_RANGE[0]), GATE_RANGE[1])
            self.say(f"gate {self.gate:.2f} s")
        elif action in (k.WARMER, k.COOLER):
            self._temperature(TEMPERATURE_STEP if action == k.WARMER else -TEMPERATURE_STEP, now)
        elif action in (k.OCTAVE_UP, k.OCTAVE_DOWN, k.WIDER, k.NARROWER):
            self._window(action, now)
        elif action == k.NEXT_MODEL:
            self._next_model(now)
        return True

    def press(self, button: int, now: float) -> None:
        self.serial[button] += 1
        self.bridge.handle(p.IN_PRESS, [button], None, now)
        heapq.heappush(self.releases, (now + self.gate, self.serial[button], button))

    @property
    def temperature(self) -> float:
        performer = self.bridge.performers.get(0)
        return performer.temperature if performer is not None else self.bridge.temperature

    def _temperature(self, step: float, now: float) -> None:
        value = round(min(max(self.temperature + step, 0.0), 1.0), 4)
        self.bridge.handle(p.IN_TEMPERATURE, [value], None, now)
        self.say(f"temperature {self.temperature:.2f}")

    def _window(self, action: str, now: float) -> None:
        window = self.window
        changed = window.shift(1 if action == k.OCTAVE_UP else -1) if action in (k.OCTAVE_UP, k.OCTAVE_DOWN) \
            else window.resize(1 if action == k.WIDER else -1)
        if not changed:
            self.say(f"range {window.describe()}" + ("; narrow it first (<)" if window.octaves is None else ""))
            return
        span = window.pitches()
        if span is None:
            self.bridge.handle(p.IN_KEYS, [], None, now)  # no arguments: all 88 keys again
        else:
            self.bridge.handle(p.IN_RANGE, list(span), None, now)
        self.say(f"range {window.describe()}")

    def _next_model(self, now: float) -> None:
        library = self.bridge.library
        names = library.names() if library is not None else []
        if not names:
            self.say("no other model: start play with --models DIR" if library is None else
                     f"no models in {library.folder}")
            return
        from ..models import model_name  # here: `play --help` loads the player's module, and models loads numpy

        current = model_name(self.bridge.genie)
        name = names[(names.index(current) + 1) % len(names)] if current in names else names[0]
        accepted = self.bridge.handle(p.IN_MODEL, [name], None, now)
        self.say(f"loading model {name}" if accepted else f"cannot switch to model {name} now")

    def due(self, now: float) -> None:
        """Release the buttons whose gate has run out (a re-pressed button's older release is dropped)."""
        while self.releases and self.releases[0][0] <= now:
            _, serial, button = heapq.heappop(self.releases)
            if serial == self.serial[button]:
                self.bridge.handle(p.IN_RELEASE, [button], None, now)

    def next_due(self) -> float | None:
        return self.releases[0][0] if self.releases else None
