"""What the plugin hosts share (bridge/sound/lv2.py, vst3.py): a block renderer fed MIDI bytes at frame offsets
into its next `render(frames)`, which returns float32 (frames, 2). Events apply in the order given where offsets
tie; one past the end lands on the last frame."""

from __future__ import annotations

from typing import Hashable

import numpy as np

CC_SUSTAIN = 64
CC_ALL_NOTES_OFF = 123


class PluginError(ValueError):
    """A plugin that cannot be played: one line naming it."""


class MidiInstrument:
    """The note interface FmVoiceBank has (note ids, the pedal, all off), as MIDI for a plugin."""

    def __init__(self) -> None:
        self.pending: list[tuple[int, bytes]] = []
        self.now = 0  # frames rendered so far

    def midi(self, data: bytes, offset: int = 0) -> None:
        self.pending.append((max(0, int(offset)), bytes(data)))

    def note_on(self, note: Hashable, pitch: int, velocity: int, offset: int = 0) -> None:
        self.midi(bytes((0x90, pitch & 0x7F, max(1, min(127, velocity)))), offset)

    def note_off(self, note: Hashable, pitch: int | None = None, offset: int = 0) -> None:
        """`note` is FmVoiceBank's id, (performer, pitch); the pitch is taken from it unless given."""
        pitch = note[-1] if pitch is None and isinstance(note, tuple) else pitch
        self.midi(bytes((0x80, int(pitch) & 0x7F, 0)), offset)

    def pedal(self, down: bool, offset: int = 0) -> None:
        self.midi(bytes((0xB0, CC_SUSTAIN, 127 if down else 0)), offset)

    def all_off(self, offset: int = 0) -> None:
        """Pedal up, then all notes off: nothing may hang."""
        self.pedal(False, offset)
        self.midi(bytes((0xB0, CC_ALL_NOTES_OFF, 0)), offset)

    def take_events(self, frames: int) -> list[tuple[int, bytes]]:
        """The pending events for a render of `frames`, by offset (stable), clamped into it."""
        events = sorted(((min(f, frames - 1), d) for f, d in self.pending), key=lambda e: e[0])
        self.pending = []
        return events

    def render(self, frames: int) -> np.ndarray:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> "MidiInstrument":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
