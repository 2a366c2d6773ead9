"""Recording a run: the button events (what `pianogenie replay` and `render` read) and the notes actually played.

The file is the engine's events format plus the notes:
    {"events": [{"time": 0.0, "button": 3, "release": 0.2, "velocity": 100}, ...],
     "notes":  [{"pitch": 64, "onset": 0.0, "offset": 0.2, "button": 3, "velocity": 100}, ...],
     "performers": {"2": {"events": [...], "notes": [...]}}, ...}
Top-level "events"/"notes" are performer 0's; other performers are under "performers". Times are seconds since
the recording started, on the monotonic clock the bridge times presses with; `release` is the absolute time the
button came up (or the note was cut), not a duration."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class _Track:
    events: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    open_events: dict[int, dict] = field(default_factory=dict)  # button -> event awaiting its release
    open_notes: dict[int, dict] = field(default_factory=dict)   # pitch -> note awaiting its offset


class Recorder:
    """A note sink plus press/release hooks; `save()` closes anything still open at the given time."""

    def __init__(self, path: str | os.PathLike, start: float, meta: dict[str, Any] | None = None):
        self.path = Path(path)
        self.start = start
        self.meta = dict(meta or {})
        self.tracks: dict[int, _Track] = {}

    def _track(self, performer: int) -> _Track:
        track = self.tracks.get(performer)
        if track is None:
            track = self.tracks[performer] = _Track()
        return track

    def _t(self, time: float) -> float:
        return round(max(0.0, time - self.start), 6)

    def press(self, performer: int, button: int, velocity: int, time: float) -> None:
        track = self._track(performer)
        # A button pressed again without a release: its previous press ends here.
        self.release(performer, button, time)
        event = {"time": self._t(time), "button": button, "release": None, "velocity": velocity}
        track.events.append(event)
        track.open_events[button] = event

    def release(self, performer: int, button: int, time: float) -> None:
        event = self._track(performer).open_events.pop(button, None)
        if event is not None:
            event["release"] = self._t(time)

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float) -> None:
        track = self._track(performer)
        note = {"pitch": pitch, "onset": self._t(time), "offset": None, "button": button, "velocity": velocity}
        track.notes.append(note)
        track.open_notes[pitch] = note

    def note_off(self, performer: int, pitch: int, button: int, time: float) -> None:
        note = self._track(performer).open_notes.pop(pitch, None)
        if note is not None:
            note["offset"] = self._t(time)

    def document(self, end: float) -> dict[str, Any]:
        t_end = self._t(end)
        for track in self.tracks.values():
            for event in track.open_events.values():
                event["release"] = max(event["time"], t_end)
            for note in track.open_notes.values():
                note["offset"] = max(note["onset"], t_end)
            track.open_events.clear()
            track.open_notes.clear()
        main = self.tracks.get(0, _Track())
        doc: dict[str, Any] = {"events": main.events, "notes": main.notes}
        others = {str(n): {"events": t.events, "notes": t.notes} for n, t in sorted(self.tracks.items()) if n != 0}
        if others:
            doc["performers"] = others
        doc.update(self.meta)
        return doc

    def save(self, end: float) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.document(end), indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)
        return self.path
