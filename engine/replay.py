"""Replaying a recorded performance: button events in, notes out.

The events file is `{"events": [{"time": 0.0, "button": 3, "release": 0.2, "velocity": 100}, ...]}`: `time` and
`release` are seconds on one clock (release is when the button came up, not a duration; optional), `velocity` is
1..127 (optional). Files that `pianogenie serve` and `play` record hold the same "events" list plus the "notes"
they played, so they replay too.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass
from numbers import Integral, Real
from pathlib import Path
from typing import Any, Iterable

from .constants import NUM_BUTTONS, key_to_pitch
from .genie import DEFAULT_TEMPERATURE, PianoGenie

# A press with no release sounds this long (seconds).
DEFAULT_GATE = 0.5
DEFAULT_VELOCITY = 100


@dataclass(frozen=True)
class PressEvent:
    time: float
    button: int
    release: float | None = None
    velocity: int = DEFAULT_VELOCITY


@dataclass(frozen=True)
class Note:
    pitch: int  # MIDI pitch 21..108
    onset: float
    offset: float
    button: int
    velocity: int = DEFAULT_VELOCITY


def _number(value: Any, where: str, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{where}: {field} must be a finite number, got {value!r}")
    return float(value)


def parse_events(data: Any, source: str = "events") -> list[PressEvent]:
    """Validate a decoded events document; errors name the event's index."""
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise ValueError(f"{source}: expected an object with an \"events\" list")
    events = []
    for i, raw in enumerate(data["events"]):
        where = f"{source}: event {i}"
        if not isinstance(raw, dict):
            raise ValueError(f"{where}: expected an object, got {raw!r}")
        time = _number(raw.get("time"), where, "time")
        button = raw.get("button")
        if isinstance(button, bool) or not isinstance(button, Integral) or not 0 <= button < NUM_BUTTONS:
            raise ValueError(f"{where}: button must be an integer 0..{NUM_BUTTONS - 1}, got {button!r}")
        release = raw.get("release")
        if release is not None:
            release = _number(release, where, "release")
            if release < time:
                raise ValueError(f"{where}: release {release} is before the press at {time} (release is a time, not a duration)")
        velocity = raw.get("velocity", DEFAULT_VELOCITY)
        if isinstance(velocity, bool) or not isinstance(velocity, Integral) or not 1 <= velocity <= 127:
            raise ValueError(f"{where}: velocity must be an integer 1..127, got {velocity!r}")
        events.append(PressEvent(time, int(button), release, int(velocity)))
    return events


def load_events(path: str | os.PathLike) -> list[PressEvent]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable JSON events file ({exc})") from None
    return parse_events(data, str(path))


def replay(
    genie: PianoGenie,
    events: Iterable[PressEvent],
    temperature: float = DEFAULT_TEMPERATURE,
    seed: int | None = None,
    keys: Iterable[int] | None = None,
) -> list[Note]:
    """Play the events through a fresh session, in time order."""
    session = genie.session(seed=seed)
    keys = None if keys is None else tuple(keys)
    notes = []
    for event in sorted(events, key=lambda e: e.time):
        key = session.press(event.button, time=event.time, temperature=temperature, keys=keys)
        offset = event.release if event.release is not None else event.time + DEFAULT_GATE
        notes.append(Note(key_to_pitch(key), event.time, offset, event.button, event.velocity))
    return notes


def notes_document(notes: Iterable[Note]) -> dict:
    return {"notes": [asdict(note) for note in notes]}


def write_midi(notes: Iterable[Note], path: str | os.PathLike, channel: int = 0, bpm: float = 120.0) -> None:
    """A type-0 standard MIDI file. A note struck again while still sounding is cut where the new one starts,
    so every note-on has exactly one note-off."""
    try:
        import mido
    except ImportError:
        raise RuntimeError("writing MIDI files needs mido: pip install 'pianogenie-bridge[midi]'") from None
    ticks_per_beat = 480
    seconds_per_tick = 60.0 / bpm / ticks_per_beat
    notes = sorted(notes, key=lambda n: n.onset)
    # Cut each note at the next onset of the same pitch.
    offsets = []
    for i, note in enumerate(notes):
        offset = note.offset
        for later in notes[i + 1:]:
            if later.pitch == note.pitch:
                offset = min(offset, later.onset)
                break
        offsets.append(max(offset, note.onset))
    timeline = []  # (seconds, order, message): offs sort before ons at the same instant
    for note, offset in zip(notes, offsets):
        timeline.append((note.onset, 1, mido.Message("note_on", note=note.pitch, velocity=note.velocity, channel=channel)))
        timeline.append((offset, 0, mido.Message("note_off", note=note.pitch, velocity=0, channel=channel)))
    timeline.sort(key=lambda item: (item[0], item[1]))
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm), time=0)])
    start = timeline[0][0] if timeline else 0.0
    last_tick = 0
    for seconds, _, message in timeline:
        tick = round((seconds - start) / seconds_per_tick)
        track.append(message.copy(time=tick - last_tick))
        last_tick = tick
    midi = mido.MidiFile(type=0, ticks_per_beat=ticks_per_beat)
    midi.tracks.append(track)
    midi.save(path)
