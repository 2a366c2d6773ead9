"""One performer's playing state: decoder session, temperature, key set, sustain pedal and sounding notes.

The invariant every method keeps: each pitch sounds at most once per performer, and every note-on it emits is
matched by exactly one note-off (on release, pedal-up, re-press, re-strike, reset, panic, timeout or shutdown)."""

from __future__ import annotations

from typing import Protocol

from engine import Session
from engine.constants import LOWEST_PITCH, NUM_KEYS


class NoteOut(Protocol):
    """Where a performer's notes go (the bridge's router)."""

    def note_on(self, performer: int, pitch: int, velocity: int, button: int) -> None: ...

    def note_off(self, performer: int, pitch: int, button: int) -> None: ...


class Performer:
    def __init__(self, number: int, session: Session, out: NoteOut, temperature: float):
        self.number = number
        self.session = session
        self.out = out
        self.temperature = temperature
        self.keys: tuple[int, ...] | None = None  # allowed key indices, None = all
        self.sustain = False
        self.held: dict[int, int] = {}      # button -> pitch, while the button is down
        self.sounding: dict[int, int] = {}  # pitch -> button that struck it, held or sustained
        self.last_activity = 0.0            # monotonic seconds of the last message
        self.last_sender: tuple | None = None

    def press(self, button: int, velocity: int, time: float) -> int:
        """Decode and sound a note; raises ValueError (state unchanged) on bad input. Returns the MIDI pitch."""
        key = self.session.press(button, time=time, temperature=self.temperature, keys=self.keys)
        pitch = key + LOWEST_PITCH
        # A button pressed again before its release (a terminal, a lost packet) ends its previous note first.
        previous = self.held.pop(button, None)
        if previous is not None and previous != pitch:
            self._off(previous)
        if pitch in self.sounding:
            self._off(pitch)
        self.sounding[pitch] = button
        self.held[button] = pitch
        self.out.note_on(self.number, pitch, velocity, button)
        return pitch

    def release(self, button: int) -> bool:
        """Lift a button; returns whether it held a note. With the pedal down the note keeps sounding."""
        pitch = self.held.pop(button, None)
        if pitch is None:
            return False
        if not self.sustain and self.sounding.get(pitch) == button:
            self._off(pitch)
        return True

    def pedal(self, down: bool) -> None:
        self.sustain = down
        if not down:
            for pitch in [p for p, b in self.sounding.items() if self.held.get(b) != p]:
                self._off(pitch)

    def all_off(self) -> int:
        """Every sounding note off (reset, panic, timeout, shutdown); returns how many."""
        pitches = list(self.sounding)
        for pitch in pitches:
            self._off(pitch)
        self.held.clear()
        return len(pitches)

    def reset(self) -> None:
        self.all_off()
        self.session.reset()

    def set_keys(self, keys: tuple[int, ...] | None) -> None:
        if keys is not None and not keys:
            raise ValueError("the key set is empty")
        if keys is not None and not all(0 <= k < NUM_KEYS for k in keys):
            raise ValueError("keys must be MIDI pitches 21..108")
        self.keys = keys

    def _off(self, pitch: int) -> None:
        button = self.sounding.pop(pitch)
        if self.held.get(button) == pitch:
            del self.held[button]
        self.out.note_off(self.number, pitch, button)
