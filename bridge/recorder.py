"""Recording a run as a take (engine/takes.py): the button events (what `pianogenie replay` and `render` read)
and the notes actually played, per performer. Times are seconds since the recording started, on the monotonic
clock the bridge times presses with."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pianogenie.engine.takes import take_document, write_take


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

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: Any = None) -> None:
        track = self._track(performer)
        note = {"pitch": pitch, "onset": self._t(time), "offset": None, "button": button, "velocity": velocity}
        track.notes.append(note)
        track.open_notes[pitch] = note

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: Any = None) -> None:
        note = self._track(performer).open_notes.pop(pitch, None)
        if note is not None:
            note["offset"] = self._t(time)

    def model(self, time: float, name: str, model_dir: str) -> None:
        """A model swap: the take's "model" stays the one it started with (older readers replay with it), and
        "model_changes" lists each swap from then on."""
        self.meta.setdefault("model_changes", []).append({"time": self._t(time), "name": name, "model": model_dir})

    def document(self, end: float) -> dict[str, Any]:
        t_end = self._t(end)
        for track in self.tracks.values():
            for event in track.open_events.values():
                event["release"] = max(event["time"], t_end)
            for note in track.open_notes.values():
                note["offset"] = max(note["onset"], t_end)
            track.open_events.clear()
            track.open_notes.clear()
        return take_document({n: (t.events, t.notes) for n, t in self.tracks.items()}, self.meta)

    def save(self, end: float) -> Path:
        """Writes the take atomically; if its path cannot be written any more (a disk gone, a directory removed),
        the take goes to the temporary directory instead and one line says where: it is never lost."""
        document = self.document(end)
        try:
            return write_take(self.path, document)
        except OSError as exc:
            rescue = Path(tempfile.gettempdir()) / f"pianogenie-take-{os.getpid()}-{int(time.time())}.json"
            write_take(rescue, document)
            print(f"pianogenie: cannot write {self.path} ({exc.strerror or exc}); the take is in {rescue}",
                  file=sys.stderr, flush=True)
            return rescue
