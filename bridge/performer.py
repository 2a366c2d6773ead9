"""One performer's playing state (decoder session, temperature, key set, sustain pedal, sounding notes), and the
router that carries each of its notes to every sink.

The invariant every Performer method keeps: each pitch sounds at most once per performer, and every note-on it
emits is matched by exactly one note-off (on release, pedal-up, re-press, re-strike, reset, panic, timeout or
shutdown). Each note travels with the time and the sender of the message that caused it, as arguments: nothing
about "the current message" is kept anywhere."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from pianogenie.engine import Session
from pianogenie.engine.constants import LOWEST_PITCH, NUM_KEYS


class NoteSink(Protocol):
    """Anything that plays or forwards notes: OSC replies, a MIDI port, a synth, a recorder."""

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: Any) -> None: ...

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: Any) -> None: ...


@dataclass
class Counters:
    packets: int = 0
    messages: int = 0
    bundles: int = 0
    presses: int = 0
    releases: int = 0
    notes_on: int = 0
    notes_off: int = 0
    errors: int = 0
    malformed: int = 0
    send_errors: int = 0
    internal_errors: int = 0  # exceptions the receive loop caught: bugs, counted and logged, never fatal
    model_errors: int = 0     # /genie/model requests refused or failed to load (also in errors)


class Senders(tuple):
    """Several senders for one note (a panic's note-offs go to the panic's sender and the performer's own)."""

    @classmethod
    def of(cls, *senders: Any) -> "Senders":
        flat = [each for s in senders for each in (s if type(s) is Senders else (s,))]
        return cls(dict.fromkeys(s for s in flat if s is not None))


class Router:
    """Fans every note out to the sinks and counts it. The OSC reply sink (`first`) runs before the rest: its send
    is what the latency budget measures; the synth and MIDI follow."""

    def __init__(self, counters: Counters, clock: Callable[[], float]):
        self.counters = counters
        self.clock = clock
        self.first: NoteSink | None = None
        self.sinks: list[NoteSink] = []
        self.sent_at = 0.0
        self._failed: set[str] = set()

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: Any) -> None:
        self.counters.notes_on += 1
        if self.first is not None:
            self.first.note_on(performer, pitch, velocity, button, time, sender)
        # Latency is taken here, when the reply has left: the synth's pipe write below may wake its process,
        # which on a small machine can preempt this one before the stamp.
        self.sent_at = self.clock()
        for sink in self.sinks:
            try:
                sink.note_on(performer, pitch, velocity, button, time, sender)
            except Exception as exc:  # a failing output (a MIDI port gone, a closed terminal) must not stop the rest
                self._failed_sink(sink, exc)

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: Any) -> None:
        self.counters.notes_off += 1
        if self.first is not None:
            self.first.note_off(performer, pitch, button, time, sender)
        for sink in self.sinks:
            try:
                sink.note_off(performer, pitch, button, time, sender)
            except Exception as exc:
                self._failed_sink(sink, exc)

    def _failed_sink(self, sink: NoteSink, exc: Exception) -> None:
        self.counters.send_errors += 1
        name = type(sink).__name__
        if name not in self._failed:  # say it once per output, not once per note
            self._failed.add(name)
            try:
                print(f"pianogenie: {name} failed ({exc}); the other outputs carry on", file=sys.stderr)
            except Exception:
                pass


class Performer:
    def __init__(self, number: int, session: Session, out: Router, temperature: float):
        self.number = number
        self.session = session
        self.out = out
        self.temperature = temperature
        self.keys: tuple[int, ...] | None = None  # allowed key indices, None = all
        self.sustain = False
        self.held: dict[int, int] = {}      # button -> pitch, while the button is down
        self.sounding: dict[int, int] = {}  # pitch -> button that struck it, held or sustained
        self.struck: dict[int, Any] = {}    # pitch -> the sender its note-on went to: its note-off goes there too
        self.last_activity = 0.0            # monotonic seconds of the last accepted message
        self.last_sender: Any = None        # where timeout and shutdown note-offs go

    def press(self, button: int, velocity: int, time: float, sender: Any = None) -> int:
        """Decode and sound a note; raises ValueError (state unchanged) on bad input. Returns the MIDI pitch."""
        key = self.session.press(button, time=time, temperature=self.temperature, keys=self.keys)
        pitch = key + LOWEST_PITCH
        # A button pressed again before its release (a terminal, a lost packet) ends its previous note first.
        previous = self.held.pop(button, None)
        if previous is not None and previous != pitch:
            self._off(previous, time, sender)
        if pitch in self.sounding:
            self._off(pitch, time, sender)
        self.sounding[pitch] = button
        self.struck[pitch] = sender
        self.held[button] = pitch
        self.out.note_on(self.number, pitch, velocity, button, time, sender)
        return pitch

    def release(self, button: int, time: float, sender: Any = None) -> bool:
        """Lift a button; returns whether it held a note. With the pedal down the note keeps sounding."""
        pitch = self.held.pop(button, None)
        if pitch is None:
            return False
        if not self.sustain and self.sounding.get(pitch) == button:
            self._off(pitch, time, sender)
        return True

    def pedal(self, down: bool, time: float, sender: Any = None) -> None:
        self.sustain = down
        if not down:
            for pitch in [p for p, b in self.sounding.items() if self.held.get(b) != p]:
                self._off(pitch, time, sender)

    def all_off(self, time: float, sender: Any = None) -> int:
        """Every sounding note off (reset, panic, timeout, shutdown); returns how many."""
        pitches = list(self.sounding)
        for pitch in pitches:
            self._off(pitch, time, sender)
        self.held.clear()
        return len(pitches)

    def reset(self, time: float, sender: Any = None) -> None:
        self.all_off(time, sender)
        self.session.reset()

    def set_keys(self, keys: tuple[int, ...] | None) -> None:
        if keys is not None and not keys:
            raise ValueError("the key set is empty")
        if keys is not None and not all(0 <= k < NUM_KEYS for k in keys):
            raise ValueError("keys must be MIDI pitches 21..108")
        self.keys = keys

    def _off(self, pitch: int, time: float, sender: Any) -> None:
        button = self.sounding.pop(pitch)
        if self.held.get(button) == pitch:
            del self.held[button]
        # Whoever ends the note (a release, a swap, a panic), the one it sounded at hears that it stopped.
        striker = self.struck.pop(pitch, None)
        to = sender if striker is None or striker == sender else Senders.of(sender, striker)
        self.out.note_off(self.number, pitch, button, time, to)
