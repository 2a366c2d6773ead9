"""The take format: what `serve` and `play` record, what `replay` and `render` read, and the one timeline
builder that every player of notes (the numpy and pyo synths, the MIDI-file writer) shares. A take is read and
written only here (`Take.load`, `Take.save`, `TakeBuilder` for the recorder and its journal).

A take is a JSON object (format version 2):
    {"version": 2, "model": DIR, "temperature": 0.25, "seed": 7, "end": 12.5,
     "events":  [{"time": 0.0, "button": 3, "release": 0.2, "velocity": 100, "seq": 1, "release_seq": 2}, ...],
     "changes": [{"time": 1.0, "change": "temperature", "value": 0.5, "seq": 3}, ...],
     "notes":   [{"pitch": 64, "onset": 0.0, "offset": 0.2, "button": 3, "velocity": 100}, ...],
     "performers": {"2": {"events": [...], "changes": [...], "notes": [...]}},
     "model_changes": [{"time": 5.0, "name": "beta", "model": DIR, "seq": 9}]}
Top-level "events"/"changes"/"notes" are performer 0's; other performers are under "performers". Times are
seconds on one clock, never decreasing in a recorded take; `release` is the time the button came up (not a
duration, optional), `velocity` is 1..127 (optional). A change is one of CHANGES: "reset" and "all_off" (an
idle timeout's or a panic's note-offs) carry no value, "temperature" a number in [0, 1], "keys" the allowed key
indices 0..87 (null: all), "sustain" true or false. `seq` orders the inputs that share a time (a bundle's
messages); `dt` on an event is the gap the decoder used where the times cannot give it back (a clock that went
backwards, clamped). A file with events only (hand-written, or from another tool) is decoded again by `replay`.

Version 3 adds what `serve --link` records: "beat" on an event (Link's beat at the press, beside its time) and a
top-level "tempo" map, [{"time": 0.0, "beat": 16.0, "bpm": 120.0}, ...] in time order (each point: from this time
on, this tempo, and this time is this beat), and "quantum", the session's beats to a bar (`--quantum`), which the
MIDI export's bars follow. A take without them is written as version 2, exactly as before.

Version 1 (no "version") is the same without "changes", "end", "seq" and "dt"; it loads, and replays as it always
did: each press its own note. A newer version is refused in one line.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path
from typing import Any, Callable, Iterable

from .constants import DEFAULT_TEMPERATURE, DEFAULT_VELOCITY, DT_MAX, MAX_QUANTUM, NUM_BUTTONS, NUM_KEYS, key_to_pitch
from .genie import PianoGenie, _clip_dt

# A press with no release sounds this long (seconds).
DEFAULT_GATE = 0.5
NOTE_FIELDS = ("pitch", "onset", "offset", "button", "velocity")
# The newest format this module reads; files without "version" are version 1. A take is written in the lowest
# version that holds it: one without Link beats or a tempo map is version 2 exactly as before.
TAKE_VERSION = 3
PLAIN_VERSION = 2
CHANGES = ("reset", "temperature", "keys", "sustain", "all_off")
# Times past this (a week, in seconds) are no performance but a damaged or crafted file.
MAX_TAKE_SECONDS = 7 * 24 * 3600.0
# Seeds as numpy's generator takes them (performer n plays with seed + n).
MAX_SEED = 2**63
# The journal a recording appends to beside its take, until the take is written whole.
JOURNAL_SUFFIX = ".journal"


class TakeError(ValueError):
    """A take that cannot be used; the text is one line naming the file and the field."""


@dataclass(frozen=True)
class PressEvent:
    time: float
    button: int
    release: float | None = None
    velocity: int = DEFAULT_VELOCITY
    seq: int | None = None          # order among inputs at one time (recorded takes)
    release_seq: int | None = None
    dt: float | None = None         # the decoder's gap, where the times do not give it
    beat: float | None = None       # Link's beat at the press (version 3, serve --link)


@dataclass(frozen=True)
class TempoPoint:
    """From `time` (seconds) on, the session runs at `bpm`, and `time` is Link beat `beat` (version 3)."""
    time: float
    beat: float
    bpm: float


@dataclass(frozen=True)
class Note:
    pitch: int  # MIDI pitch
    onset: float
    offset: float
    button: int = 0
    velocity: int = DEFAULT_VELOCITY
    performer: int = 0


@dataclass(frozen=True)
class Change:
    """One performer's state change: reset, all_off, temperature, keys or sustain."""
    time: float
    change: str
    value: Any = None  # temperature: float; keys: tuple of key indices or None; sustain: bool
    seq: int | None = None


@dataclass(frozen=True)
class ModelChange:
    time: float
    model: str
    name: str | None = None
    seq: int | None = None


@dataclass
class Track:
    """One performer's part: the presses, the state changes and, in a recorded take, the notes as played."""
    events: list[PressEvent] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    notes: list[Note] | None = None


@dataclass
class Take:
    tracks: dict[int, Track] = field(default_factory=dict)
    model: str | None = None
    temperature: float | None = None
    seed: int | None = None
    model_changes: list[ModelChange] = field(default_factory=list)
    end: float | None = None
    tempo: list[TempoPoint] = field(default_factory=list)  # Link's tempo map, in time order (version 3)
    quantum: float | None = None  # Link's beats to a bar (version 3)
    version: int = TAKE_VERSION  # the format it was read in: a version-1 take replays as version 1 did

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Take":
        """The take at `path`; while its journal is beside it (a recording that runs, or one killed before it
        could write the take) the take is rebuilt from the journal. TakeError with the file's name otherwise."""
        path = Path(path)
        journal = journal_path(path)
        if journal.exists():
            return read_journal(journal, str(path))
        return cls.from_document(read_json(path), str(path))

    @classmethod
    def from_document(cls, document: Any, source: str = "take") -> "Take":
        return _parse_take(document, source)

    def save(self, path: str | os.PathLike) -> Path:
        """Written whole or not at all (version TAKE_VERSION): a crash or a full disk mid-write leaves the
        previous file (or none), never half a take and no temporary file."""
        return write_json(path, self.document())

    def has_link(self) -> bool:
        return bool(self.tempo) or self.quantum is not None or any(e.beat is not None for t in self.tracks.values() for e in t.events)

    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = {"version": TAKE_VERSION if self.has_link() else PLAIN_VERSION}
        for name in ("model", "temperature", "seed", "end"):
            if getattr(self, name) is not None:
                document[name] = getattr(self, name)
        if self.tempo:
            document["tempo"] = [{"time": p.time, "beat": p.beat, "bpm": p.bpm} for p in self.tempo]
        if self.quantum is not None:
            document["quantum"] = self.quantum
        document.update(_track_document(self.tracks.get(0, Track())))
        others = {str(n): _track_document(t) for n, t in sorted(self.tracks.items()) if n != 0}
        if others:
            document["performers"] = others
        if self.model_changes:
            document["model_changes"] = [_drop_none({"time": c.time, "name": c.name, "model": c.model, "seq": c.seq})
                                         for c in self.model_changes]
        return document

    @property
    def events(self) -> list[PressEvent]:
        """Performer 0's presses (what a file with events only holds)."""
        return self.tracks[0].events if 0 in self.tracks else []

    def notes(self) -> list[Note] | None:
        """Every performer's recorded notes, or None for a take with events only (it must be decoded first)."""
        if not any(track.notes is not None for track in self.tracks.values()):
            return None
        return [note for _, track in sorted(self.tracks.items()) for note in (track.notes or [])]


# --- reading and writing files --------------------------------------------------------------------------------

def journal_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.with_name(path.name + JOURNAL_SUFFIX)


def read_json(path: str | os.PathLike) -> Any:
    """The decoded JSON of a take file; TakeError with the file's name otherwise."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TakeError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise TakeError(f"{path}: not a readable JSON file ({exc})") from None


def write_json(path: str | os.PathLike, document: dict[str, Any]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(json.dumps(document, indent=1, allow_nan=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


# --- validation -------------------------------------------------------------------------------------------------

def _time(value: Any, where: str, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) \
            or abs(value) > MAX_TAKE_SECONDS:
        raise TakeError(f"{where}: {name} must be a finite number of seconds (at most {MAX_TAKE_SECONDS:g}), "
                        f"got {value!r}")
    return float(value)


def _integer(value: Any, where: str, name: str, low: int, high: int) -> int:
    whole = isinstance(value, float) and math.isfinite(value) and value.is_integer()
    if isinstance(value, bool) or not (isinstance(value, Integral) or whole) or not low <= value <= high:
        raise TakeError(f"{where}: {name} must be an integer {low}..{high}, got {value!r}")
    return int(value)


def _seq(raw: dict, where: str, name: str = "seq") -> int | None:
    value = raw.get(name)
    return None if value is None else _integer(value, where, name, 0, MAX_SEED)


def _temperature(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise TakeError(f"{where}: temperature must be a number in [0, 1], got {value!r}")
    return float(value)


def _keys(value: Any, where: str) -> tuple[int, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise TakeError(f"{where}: keys must be a non-empty list of key indices 0..{NUM_KEYS - 1} or null, got {value!r}")
    return tuple(sorted({_integer(k, where, "keys", 0, NUM_KEYS - 1) for k in value}))


def _list(raw: dict, name: str, where: str) -> list:
    value = raw.get(name, [])
    if not isinstance(value, list):
        raise TakeError(f"{where}: \"{name}\" must be a list")
    return value


def _object(raw: Any, where: str) -> dict:
    if not isinstance(raw, dict):
        raise TakeError(f"{where}: expected an object, got {raw!r}")
    return raw


def _event(raw: Any, where: str) -> PressEvent:
    raw = _object(raw, where)
    time = _time(raw.get("time"), where, "time")
    button = _integer(raw.get("button"), where, "button", 0, NUM_BUTTONS - 1)
    release = raw.get("release")
    if release is not None:
        release = _time(release, where, "release")
        if release < time:
            raise TakeError(f"{where}: release {release} is before the press at {time} (release is a time, not a duration)")
    velocity = _integer(raw.get("velocity", DEFAULT_VELOCITY), where, "velocity", 1, 127)
    dt = raw.get("dt")
    if dt is not None:
        dt = _time(dt, where, "dt")
        if not 0.0 <= dt <= DT_MAX:
            raise TakeError(f"{where}: dt must be in [0, {DT_MAX}], got {dt!r}")
    beat = raw.get("beat")
    if beat is not None:
        beat = _number(beat, where, "beat")
    return PressEvent(time, button, release, velocity, _seq(raw, where), _seq(raw, where, "release_seq"), dt, beat)


def _number(value: Any, where: str, name: str) -> float:
    """A finite number (a Link beat may be negative: the session's beat before its zero)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise TakeError(f"{where}: {name} must be a finite number, got {value!r}")
    return float(value)


def _quantum(document: dict, source: str) -> float | None:
    quantum = document.get("quantum")
    if quantum is None:
        return None
    value = _number(quantum, source, "quantum")
    if not 0.0 < value <= MAX_QUANTUM:
        raise TakeError(f"{source}: quantum must be a number of beats in (0, {MAX_QUANTUM:g}], got {quantum!r}")
    return value


def _tempo_map(document: dict, source: str) -> list[TempoPoint]:
    points = []
    for i, raw in enumerate(_list(document, "tempo", source)):
        where = f"{source}: tempo point {i}"
        raw = _object(raw, where)
        bpm = _number(raw.get("bpm"), where, "bpm")
        if not 0.0 < bpm <= 999.0:
            raise TakeError(f"{where}: bpm must be in (0, 999], got {bpm!r}")
        points.append(TempoPoint(_time(raw.get("time"), where, "time"), _number(raw.get("beat"), where, "beat"), bpm))
    if any(b.time < a.time for a, b in zip(points, points[1:])):
        raise TakeError(f"{source}: tempo points must be in time order")
    return points


def _note(raw: Any, where: str, performer: int) -> Note:
    raw = _object(raw, where)
    pitch = _integer(raw.get("pitch"), where, "pitch", 0, 127)
    onset, offset = _time(raw.get("onset"), where, "onset"), _time(raw.get("offset"), where, "offset")
    if not 0.0 <= onset <= offset:
        raise TakeError(f"{where}: onset {onset} and offset {offset} must be 0 <= onset <= offset")
    button = _integer(raw.get("button", 0), where, "button", 0, NUM_BUTTONS - 1)
    velocity = _integer(raw.get("velocity", DEFAULT_VELOCITY), where, "velocity", 1, 127)
    return Note(pitch, onset, offset, button, velocity, performer)


def _change(raw: Any, where: str) -> Change:
    raw = _object(raw, where)
    time = _time(raw.get("time"), where, "time")
    kind = raw.get("change")
    if kind not in CHANGES:
        raise TakeError(f"{where}: change must be one of {', '.join(CHANGES)}, got {kind!r}")
    value = raw.get("value")
    if kind == "temperature":
        value = _temperature(value, where)
    elif kind == "keys":
        value = _keys(value, where)
    elif kind == "sustain":
        if not isinstance(value, bool):
            raise TakeError(f"{where}: sustain must be true or false, got {value!r}")
    elif value is not None:
        raise TakeError(f"{where}: {kind} takes no value, got {value!r}")
    return Change(time, kind, value, _seq(raw, where))


def _track(raw: dict, source: str, performer: int, version: int) -> Track:
    events = [_event(e, f"{source}: event {i}") for i, e in enumerate(_list(raw, "events", source))]
    changes = [] if version < 2 else [_change(c, f"{source}: change {i}") for i, c in enumerate(_list(raw, "changes", source))]
    notes = None
    if "notes" in raw:
        notes = [_note(n, f"{source}: note {i}", performer) for i, n in enumerate(_list(raw, "notes", source))]
    return Track(events, changes, notes)


def _version(document: dict, source: str) -> int:
    version = document.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise TakeError(f"{source}: version must be an integer, got {version!r}")
    if not 1 <= version <= TAKE_VERSION:
        raise TakeError(f"{source}: take format version {version} is not one this pianogenie reads "
                        f"(1..{TAKE_VERSION}); a newer pianogenie-bridge wrote it: upgrade to replay it")
    return version


def _migrate_v1(document: dict) -> dict:
    """Version 1 -> 2: no state changes were recorded, nothing else moved. The take keeps version 1, so replay
    decodes it as version 1 did (each press its own note, each model stretch from a fresh start)."""
    document = {key: value for key, value in document.items() if key not in ("changes", "end")}
    performers = document.get("performers")
    if isinstance(performers, dict):
        document["performers"] = {n: {k: v for k, v in t.items() if k != "changes"} if isinstance(t, dict) else t
                                  for n, t in performers.items()}
    return document


def _parse_take(document: Any, source: str) -> Take:
    if not isinstance(document, dict):
        raise TakeError(f"{source}: expected a JSON object with \"events\" or \"notes\"")
    version = _version(document, source)
    if version == 1:
        document = _migrate_v1(document)
    if not isinstance(document.get("events", []), list) or not ("events" in document or "notes" in document):
        raise TakeError(f"{source}: expected an object with an \"events\" list")
    take = Take(version=version)
    take.tracks[0] = _track(document, source, 0, version)
    performers = document.get("performers") or {}
    if not isinstance(performers, dict):
        raise TakeError(f"{source}: \"performers\" must be an object")
    for number, raw in performers.items():
        if not str(number).isdecimal() or not isinstance(raw, dict):
            raise TakeError(f"{source}: performer {number!r} must be a number with an object of notes")
        take.tracks[int(number)] = _track(raw, f"{source}: performer {number}", int(number), version)
    model = document.get("model")
    if model is not None and not isinstance(model, str):
        raise TakeError(f"{source}: model must be a directory name, got {model!r}")
    take.model = model
    if document.get("temperature") is not None:
        take.temperature = _temperature(document["temperature"], source)
    if document.get("seed") is not None:
        take.seed = _integer(document["seed"], source, "seed", 0, MAX_SEED)
    if document.get("end") is not None:
        take.end = _time(document["end"], source, "end")
    take.tempo = _tempo_map(document, source)
    take.quantum = _quantum(document, source)
    for i, raw in enumerate(_list(document, "model_changes", source)):
        where = f"{source}: model change {i}"
        raw = _object(raw, where)
        if not isinstance(raw.get("model"), str) or not isinstance(raw.get("name", ""), (str, type(None))):
            raise TakeError(f'{where}: expected {{"time": seconds, "model": directory}}, got {raw!r}')
        take.model_changes.append(ModelChange(_time(raw.get("time"), where, "time"), raw["model"], raw.get("name"),
                                              _seq(raw, where)))
    take.model_changes.sort(key=lambda c: (c.time, _order(c.seq)))
    return take


def _drop_none(item: dict) -> dict:
    return {key: value for key, value in item.items() if value is not None}


def _track_document(track: Track) -> dict[str, Any]:
    document: dict[str, Any] = {"events": [
        _drop_none({"time": e.time, "button": e.button, "release": e.release, "velocity": e.velocity, "seq": e.seq,
                    "release_seq": e.release_seq, "dt": e.dt, "beat": e.beat}) for e in track.events]}
    if track.changes:
        document["changes"] = [_drop_none({"time": c.time, "change": c.change,
                                           "value": list(c.value) if isinstance(c.value, tuple) else c.value,
                                           "seq": c.seq}) for c in track.changes]
    if track.notes is not None:
        document["notes"] = [{name: getattr(note, name) for name in NOTE_FIELDS} for note in track.notes]
    return document


# --- the older entry points, over Take ----------------------------------------------------------------------------

def parse_events(data: Any, source: str = "events") -> list[PressEvent]:
    """Performer 0's presses of a decoded events document; errors name the event's index."""
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise TakeError(f"{source}: expected an object with an \"events\" list")
    return Take.from_document(data, source).events


def take_notes(document: Any, source: str) -> list[Note] | None:
    return Take.from_document(document, source).notes()


def load_events(path: str | os.PathLike) -> list[PressEvent]:
    return Take.load(path).events


def notes_document(notes: Iterable[Note]) -> dict:
    """Notes as a take holds them: performer 0's at the top, the others under "performers"."""
    tracks: dict[int, list[dict]] = {0: []}
    for note in notes:
        tracks.setdefault(note.performer, []).append({name: getattr(note, name) for name in NOTE_FIELDS})
    document: dict[str, Any] = {"notes": tracks.pop(0)}
    if tracks:
        document["performers"] = {str(n): {"notes": m} for n, m in sorted(tracks.items())}
    return document


# --- building a take as it is recorded (the recorder, and the journal it leaves) ----------------------------------

class TakeBuilder:
    """A take from the items a recording appends, one at a time: the recorder's live state and, read back from
    its journal, the take of a run that died. Times must already be on the take's clock (the recorder clamps)."""

    def __init__(self, header: dict[str, Any]):
        self.header = {key: header.get(key) for key in ("model", "temperature", "seed", "quantum")}
        self.tracks: dict[int, dict[str, list]] = {}
        self.open_events: dict[tuple[int, int], dict] = {}  # (performer, button) -> the press awaiting release
        self.open_notes: dict[tuple[int, int], dict] = {}   # (performer, pitch) -> the note awaiting its offset
        self.model_changes: list[dict] = []
        self.tempo: list[dict] = []  # Link's tempo map, from "tempo" items (serve --link)
        self.last = 0.0

    def _track(self, performer: int) -> dict[str, list]:
        track = self.tracks.get(performer)
        if track is None:
            track = self.tracks[performer] = {"events": [], "changes": [], "notes": []}
        return track

    def apply(self, item: dict[str, Any]) -> None:
        kind, time = item["k"], item["time"]
        self.last = max(self.last, time)
        performer = item.get("p", 0)
        if kind == "press":
            # A button struck again without a release: its previous press ends here, but no release was
            # played (no seq: replay's player knows the button is held by the new press).
            self.release({"p": performer, "time": time, "button": item["button"]})
            event = _drop_none({"time": time, "button": item["button"], "release": None, "velocity": item["velocity"],
                                "seq": item.get("seq"), "dt": item.get("dt"), "beat": item.get("beat")})
            self._track(performer)["events"].append(event)
            self.open_events[performer, item["button"]] = event
        elif kind == "release":
            self.release(item)
        elif kind == "on":
            note = {"pitch": item["pitch"], "onset": time, "offset": None, "button": item["button"],
                    "velocity": item["velocity"]}
            self._track(performer)["notes"].append(note)
            self.open_notes[performer, item["pitch"]] = note
        elif kind == "off":
            note = self.open_notes.pop((performer, item["pitch"]), None)
            if note is not None:
                note["offset"] = time
        elif kind == "change":
            self._track(performer)["changes"].append(_drop_none(
                {"time": time, "change": item["change"], "value": item.get("value"), "seq": item.get("seq")}))
        elif kind == "model":
            self.model_changes.append(_drop_none({"time": time, "name": item.get("name"), "model": item["model"],
                                                  "seq": item.get("seq")}))
        elif kind == "tempo":
            self.tempo.append({"time": time, "beat": item["beat"], "bpm": item["bpm"]})
        else:
            raise TakeError(f"unknown journal item {kind!r}")

    def release(self, item: dict[str, Any]) -> None:
        event = self.open_events.pop((item.get("p", 0), item["button"]), None)
        if event is not None:
            event["release"] = item["time"]
            if item.get("seq") is not None:
                event["release_seq"] = item["seq"]

    def take(self, end: float | None = None, source: str = "take") -> Take:
        """The take so far: whatever is still open ends at `end` (default: the last item's time)."""
        end = self.last if end is None else max(end, self.last)
        linked = self.tempo or self.header.get("quantum") is not None
        document: dict[str, Any] = {"version": TAKE_VERSION if linked else PLAIN_VERSION,
                                    **_drop_none(self.header), "end": end}
        if self.tempo:
            document["tempo"] = list(self.tempo)
        tracks = {n: {"events": [dict(e) for e in t["events"]], "changes": t["changes"], "notes": [dict(m) for m in t["notes"]]}
                  for n, t in self.tracks.items()}
        for track in tracks.values():
            for event in track["events"]:
                if event.get("release") is None:
                    event["release"] = max(event["time"], end)
            for note in track["notes"]:
                if note["offset"] is None:
                    note["offset"] = max(note["onset"], end)
        document.update(tracks.pop(0, {"events": [], "changes": [], "notes": []}))
        if tracks:
            document["performers"] = {str(n): t for n, t in sorted(tracks.items())}
        if self.model_changes:
            document["model_changes"] = self.model_changes
        return Take.from_document(document, source)


def read_journal(path: Path, source: str) -> Take:
    """The take a journal holds. A last line cut short (the process killed mid-write) is left out; anything
    else that is no journal is a TakeError naming the line."""
    try:
        lines = path.read_bytes().split(b"\n")
    except OSError as exc:
        raise TakeError(f"{path}: cannot read the recording's journal ({exc.strerror or exc})") from None
    builder = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if builder is None:
                if item.get("k") != "take":
                    raise TakeError(f"{path}: line 1 is no take journal's header")
                _version(item, str(path))
                builder = TakeBuilder(item)
            else:
                builder.apply(item)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            if number == len(lines) or (number == len(lines) - 1 and not lines[-1]):
                break  # the line being written when the process died
            raise TakeError(f"{path}: line {number}: not a journal item ({exc})") from None
    if builder is None:
        raise TakeError(f"{path}: an empty journal (the recording died before it started)")
    return builder.take(source=source)


# --- decoding ---------------------------------------------------------------------------------------------------

def replay(
    genie: PianoGenie,
    events: Iterable[PressEvent],
    temperature: float = DEFAULT_TEMPERATURE,
    seed: int | None = None,
    keys: Iterable[int] | None = None,
) -> list[Note]:
    """Play the events through a fresh session, in time order, each press its own note (the events format's,
    and version 1's, meaning)."""
    session = genie.session(seed=seed)
    keys = None if keys is None else tuple(keys)
    notes = []
    for event in sorted(events, key=lambda e: e.time):
        key = session.press(event.button, time=event.time, temperature=temperature, keys=keys)
        offset = event.release if event.release is not None else event.time + DEFAULT_GATE
        notes.append(Note(key_to_pitch(key), event.time, offset, event.button, event.velocity))
    return notes


def decoder_gap(now: float, last: float | None) -> float:
    """The gap a session decodes a press at `now` with, after one at `last` (None: a start or a reset)."""
    return DT_MAX if last is None else _clip_dt(now - last)


def _order(seq: int | None) -> float:
    return math.inf if seq is None else seq


class _Player:
    """One performer as the bridge plays it (bridge/performer.py's note logic): a pitch sounds once, a button
    struck again ends its note, sustain holds released notes, reset and all_off end every note."""

    def __init__(self, number: int, session: Any, temperature: float):
        self.number, self.session, self.temperature = number, session, temperature
        self.keys: tuple[int, ...] | None = None
        self.sustain = False
        self.held: dict[int, int] = {}       # button -> pitch
        self.holder: dict[int, PressEvent] = {}  # button -> the press holding it: only its release lifts it
        self.sounding: dict[int, list] = {}  # pitch -> [pitch, onset, offset, button, velocity]
        self.notes: list[list] = []

    def press(self, event: PressEvent) -> None:
        if event.dt is not None:
            self.session.override_delta_time(event.dt)
        pitch = key_to_pitch(self.session.press(event.button, time=event.time, temperature=self.temperature,
                                                keys=self.keys))
        previous = self.held.pop(event.button, None)
        if previous is not None and previous != pitch:
            self._off(previous, event.time)
        if pitch in self.sounding:
            self._off(pitch, event.time)
        note = [pitch, event.time, None, event.button, event.velocity]
        self.notes.append(note)
        self.sounding[pitch] = note
        self.held[event.button] = pitch
        self.holder[event.button] = event
        self.session.prepare()  # as the bridge does after each press: the noise drawn now, not at the next press

    def release(self, event: PressEvent, time: float) -> None:
        button = event.button
        if self.holder.get(button) is not event:
            return  # the end of a press that a later press of its button cut: the bridge saw no release
        pitch = self.held.pop(button, None)
        if pitch is not None and not self.sustain and self.sounding[pitch][3] == button:
            self._off(pitch, time)

    def change(self, change: Change) -> None:
        if change.change == "temperature":
            self.temperature = change.value
        elif change.change == "keys":
            self.keys = change.value
        elif change.change == "sustain":
            self.sustain = change.value
            if not change.value:
                for pitch in [p for p, note in self.sounding.items() if self.held.get(note[3]) != p]:
                    self._off(pitch, change.time)
        else:
            self.all_off(change.time)
            if change.change == "reset":
                self.session.reset()

    def all_off(self, time: float) -> None:
        for pitch in list(self.sounding):
            self._off(pitch, time)
        self.held.clear()

    def _off(self, pitch: int, time: float) -> None:
        note = self.sounding.pop(pitch)
        if self.held.get(note[3]) == pitch:
            del self.held[note[3]]
        note[2] = time

    def result(self) -> list[Note]:
        return [Note(p, on, off, b, v, self.number) for p, on, off, b, v in self.notes]


def _timeline(track: Track, model_changes: list[ModelChange], end: float) -> list[tuple]:
    """(time, seq, rank, index, kind, item) in the order the bridge handled them: by time, then by `seq`;
    items without one (a hand-written file) at one time go model, change, release, press."""
    items: list[tuple] = []
    for i, c in enumerate(model_changes):
        items.append((c.time, _order(c.seq), 0, i, "model", c))
    for i, c in enumerate(track.changes):
        items.append((c.time, _order(c.seq), 1, i, "change", c))
    for i, e in enumerate(track.events):
        release = e.release if e.release is not None else e.time + DEFAULT_GATE
        items.append((release, _order(e.release_seq), 2, i, "release", e))
        items.append((e.time, _order(e.seq), 3, i, "press", e))
    items.append((end, math.inf, 9, 0, "end", None))
    items.sort(key=lambda item: item[:4])
    return items


def replay_take(
    take: Take,
    load: Callable[[str | None], PianoGenie],
    model: str | None = None,
    temperature: float | None = None,
    seed: int | None = None,
) -> list[Note]:
    """Every performer's notes, decoded again from the take's inputs as the bridge decoded them: with its seed
    (performer n: seed + n), temperature, key set, resets, sustain and model swaps. `load(directory)` gives a
    model (None: the embedded one); `model`, `temperature` and `seed` replace the take's own (with `model`,
    every stretch between swaps is decoded by it)."""
    temperature = take.temperature if temperature is None else temperature
    temperature = DEFAULT_TEMPERATURE if temperature is None else temperature
    seed = take.seed if seed is None else seed
    changes = [ModelChange(c.time, model, c.name, c.seq) for c in take.model_changes] if model else take.model_changes
    first = model or take.model
    if take.version < 2:
        return _replay_v1(take, load, first, changes, temperature, seed)
    last = max([take.end or 0.0] + [e.release or e.time + DEFAULT_GATE for t in take.tracks.values() for e in t.events])
    notes: list[Note] = []
    for number, track in sorted(take.tracks.items()):
        genie = load(first)
        performer_seed = None if seed is None else seed + number
        player = _Player(number, genie.session(seed=performer_seed), temperature)
        for time, _, _, _, kind, item in _timeline(track, changes, last):
            if kind == "press":
                player.press(item)
            elif kind == "release":
                player.release(item, time)
            elif kind == "change":
                player.change(item)
            elif kind == "model":
                player.all_off(time)
                player.session = load(item.model).session(seed=performer_seed)
            else:
                player.all_off(time)
        notes += player.result()
    return notes


def _replay_v1(take: Take, load: Callable[[str | None], PianoGenie], first: str | None,
               changes: list[ModelChange], temperature: float, seed: int | None) -> list[Note]:
    """Version 1: performer 0's events, each model stretch decoded from a fresh start, each press its own note."""
    stretches = [(-math.inf, first)] + [(c.time, c.model) for c in changes]
    notes = []
    for i, (start, path) in enumerate(stretches):
        stop = stretches[i + 1][0] if i + 1 < len(stretches) else math.inf
        notes += replay(load(path), [e for e in take.events if start <= e.time < stop], temperature, seed)
    return notes


NOTE_OFF, NOTE_ON = 0, 1


def beat_at(tempo: list[TempoPoint], seconds: float) -> float:
    """Link's beat at `seconds` by the tempo map (the point in force, or the first one before the map starts)."""
    point = tempo[0]
    for candidate in tempo:
        if candidate.time > seconds:
            break
        point = candidate
    return point.beat + (seconds - point.time) * point.bpm / 60.0


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
