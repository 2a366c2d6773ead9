"""The take format: what `serve` and `play` record, what `replay` and `render` read, and the one timeline
builder that every player of notes (the numpy and pyo synths, the MIDI-file writer) shares.

A take is a JSON object:
    {"events": [{"time": 0.0, "button": 3, "release": 0.2, "velocity": 100}, ...],
     "notes":  [{"pitch": 64, "onset": 0.0, "offset": 0.2, "button": 3, "velocity": 100}, ...],
     "performers": {"2": {"events": [...], "notes": [...]}}, ...}
Top-level "events"/"notes" are performer 0's; other performers are under "performers". Times are seconds on one
clock; `release` is the time the button came up (not a duration, optional), `velocity` is 1..127 (optional). A
file with events only (hand-written, or from another tool) is decoded again by `replay`.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path
from typing import Any, Callable, Iterable

from .constants import DEFAULT_TEMPERATURE, DEFAULT_VELOCITY, NUM_BUTTONS, key_to_pitch
from .genie import PianoGenie

# A press with no release sounds this long (seconds).
DEFAULT_GATE = 0.5
NOTE_FIELDS = ("pitch", "onset", "offset", "button", "velocity")


@dataclass(frozen=True)
class PressEvent:
    time: float
    button: int
    release: float | None = None
    velocity: int = DEFAULT_VELOCITY


@dataclass(frozen=True)
class Note:
    pitch: int  # MIDI pitch
    onset: float
    offset: float
    button: int = 0
    velocity: int = DEFAULT_VELOCITY
    performer: int = 0


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


def parse_notes(raw: Any, performer: int, source: str) -> list[Note]:
    if not isinstance(raw, list):
        raise ValueError(f"{source}: \"notes\" must be a list")
    notes = []
    for i, note in enumerate(raw):
        try:
            pitch, onset, offset = int(note["pitch"]), float(note["onset"]), float(note["offset"])
            velocity = int(note.get("velocity", DEFAULT_VELOCITY))
            button = int(note.get("button", 0))
        except (TypeError, KeyError, ValueError, AttributeError):
            raise ValueError(f"{source}: note {i} needs pitch, onset and offset numbers, got {note!r}") from None
        if not (0 <= pitch <= 127 and 1 <= velocity <= 127 and 0 <= onset <= offset):
            raise ValueError(f"{source}: note {i} is out of range: {note!r}")
        notes.append(Note(pitch, onset, offset, button, velocity, performer))
    return notes


def take_notes(document: Any, source: str) -> list[Note] | None:
    """Every performer's recorded notes, or None for a take with events only (it must be decoded first)."""
    if not isinstance(document, dict):
        raise ValueError(f"{source}: expected a JSON object with \"events\" or \"notes\"")
    if "notes" not in document:
        return None
    notes = parse_notes(document["notes"], 0, source)
    performers = document.get("performers") or {}
    if not isinstance(performers, dict):
        raise ValueError(f"{source}: \"performers\" must be an object")
    for number, track in performers.items():
        if not str(number).isdecimal() or not isinstance(track, dict):
            raise ValueError(f"{source}: performer {number!r} must be a number with an object of notes")
        notes += parse_notes(track.get("notes", []), int(number), f"{source}: performer {number}")
    return notes


def read_take(path: str | os.PathLike) -> Any:
    """The decoded JSON of a take file; ValueError with the file's name otherwise."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"{path}: not a readable JSON file ({exc})") from None


def load_events(path: str | os.PathLike) -> list[PressEvent]:
    return parse_events(read_take(path), str(path))


def take_document(tracks: dict[int, tuple[list[dict], list[dict]]], meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """performer -> (events, notes) as a take: performer 0 at the top level, the others under "performers"."""
    events, notes = tracks.get(0, ([], []))
    document: dict[str, Any] = {"events": events, "notes": notes}
    others = {str(n): {"events": e, "notes": m} for n, (e, m) in sorted(tracks.items()) if n != 0}
    if others:
        document["performers"] = others
    document.update(meta or {})
    return document


def write_take(path: str | os.PathLike, document: dict[str, Any]) -> Path:
    """Written whole or not at all: a crash mid-write leaves the previous file (or none), never half a take."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def notes_document(notes: Iterable[Note]) -> dict:
    return {"notes": [{name: getattr(note, name) for name in NOTE_FIELDS} for note in notes]}


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


NOTE_OFF, NOTE_ON = 0, 1


def timeline(notes: Iterable[Note], at: Callable[[float], Any] = float, shortest: Any = 0) -> list[tuple[Any, int, Note]]:
    """(when, NOTE_OFF | NOTE_ON, note) in playing order; at one instant offs come before ons, so a note struck
    again at the instant the previous one ends sounds. `at` maps seconds onto the player's clock (samples, ticks),
    and every note lasts at least `shortest` of those units."""
    events = []
    for note in notes:
        on = at(note.onset)
        events.append((on, NOTE_ON, note))
        events.append((max(on + shortest, at(note.offset)), NOTE_OFF, note))
    events.sort(key=lambda e: (e[0], e[1]))
    return events
