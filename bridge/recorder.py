"""Recording a run as a take (engine/takes.py): every input that changes what is decoded (presses, releases,
resets, key sets, temperature, sustain, panics and timeouts, model swaps) and the notes actually played, per
performer, so `pianogenie replay` gives the notes back bit for bit.

Times are seconds since the recording started, on the clock the bridge times presses with, and never decrease:
a stamp earlier than the previous one (two clocks mixed in an arrival stamp) is clamped to it, and where that
changes the gap the decoder saw, the press keeps the gap itself (`dt`). Each item is appended to a journal beside
the take as it happens (one JSON line, fsync'd every JOURNAL_SYNC_S), so a crash or a kill -9 leaves a take
`replay` reads; `save()` writes the take whole and removes the journal. A journal left by a run that died is
rebuilt into a take of its own when the next recording to that path starts."""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from pianogenie.engine.takes import (PLAIN_VERSION, Take, TakeBuilder, TakeError, decoder_gap, journal_path,
                                     read_journal)

# Seconds between fsyncs of the journal: what a power cut may lose (a kill -9 loses nothing written).
JOURNAL_SYNC_S = 1.0
# Built once: json.dumps with options builds an encoder per call, three times the cost of a journal line.
_ENCODE = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
# The bridge verbs whose effect a take records as a change, and what each records.
CHANGE_VERBS = ("reset", "panic", "temperature", "keys", "range", "pedal")


class RecordingInUse(TakeError):
    """Another live process is recording to the same take."""


def _alive(pid: Any) -> bool:
    """Whether `pid` is a running pianogenie (not a process that got the number of a dead one)."""
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        return b"pianogenie" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc to ask: a live process it is


def recover(path: Path) -> Path | None:
    """A journal left beside `path` by a run that died becomes a take beside it (`NAME-recovered[-N].json`);
    returns where, or None when there was none. RecordingInUse when a live process still writes it."""
    journal = journal_path(path)
    try:
        header = json.loads(journal.read_bytes().split(b"\n", 1)[0])
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        header = {}
    if isinstance(header, dict) and _alive(header.get("pid")):
        raise RecordingInUse(f"{path}: pianogenie (pid {header['pid']}) is recording there now")
    take = read_journal(journal, str(path))
    for n in range(1, 1000):
        rescued = path.with_name(f"{path.stem}-recovered{'' if n == 1 else f'-{n}'}{path.suffix}")
        if not rescued.exists():
            break
    take.save(rescued)
    journal.unlink(missing_ok=True)
    return rescued


def unwritable(path: Path) -> str | None:
    """Why a take cannot be written to `path` now (None: it can): checked when a recording starts, not when it
    ends, since a take lost at its end is a performance lost. No folder is made that nobody asked for."""
    probe = path.with_name(path.name + ".tmp")
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "is a directory")
        if not path.parent.is_dir():
            raise FileNotFoundError(2, f"the folder {path.parent} does not exist")
        with open(probe, "w", encoding="utf-8"):
            pass
        probe.unlink()
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        return getattr(exc, "strerror", None) or str(exc)
    return None


class _Journal:
    """Append-only JSON lines; a write that fails (a full disk) is said once and the take lives on in memory."""

    def __init__(self, path: Path, header: dict[str, Any]):
        self.path = path
        self.fd: int | None = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
        self.dirty = False
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.write(header)
        threading.Thread(target=self._sync_loop, name="take-journal", daemon=True).start()

    def write(self, item: dict[str, Any]) -> None:
        line = (_ENCODE(item) + "\n").encode()
        with self.lock:
            if self.fd is None:
                return
            try:
                os.write(self.fd, line)  # one write per line: a kill leaves whole lines, at most one cut short
                self.dirty = True
                return
            except OSError as exc:
                problem = exc.strerror or str(exc)
        print(f"pianogenie: cannot append to {self.path} ({problem}); the take is kept in memory until the end",
              file=sys.stderr, flush=True)
        self.close()

    def _sync_loop(self) -> None:
        while not self.stop.wait(JOURNAL_SYNC_S):
            with self.lock:
                if self.fd is None or not self.dirty:
                    continue
                self.dirty = False
                fd = os.dup(self.fd)  # fsync'd outside the lock: a press must not wait for the disk
            try:
                os.fsync(fd)
            except OSError:
                pass
            finally:
                os.close(fd)

    def close(self) -> None:
        self.stop.set()
        with self.lock:
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None


class Recorder:
    """A note sink plus the bridge's input hooks; `save()` closes anything still open at the given time. Call
    `recover(path)` first: a journal left at the path by a dead run would be overwritten.

    With Link (`serve --link --record`) the take starts on a bar: its time 0 is the quantum boundary at or before
    its first event, so the take's bars are Link's and nothing played is left out (a pickup before the downbeat
    falls in the bar before it). A take started on a boundary (`/genie/record/start` under Link, bridge/recording.py)
    gives `origin_beat`, the boundary's beat, and `start` its time: what comes before it is left out, and its beats
    count from it (beat 0 is its downbeat). `lead_in`: the --snap window, within which a press before the boundary
    sounds on it, so the take has it at time 0, beat 0."""

    def __init__(self, path: str | os.PathLike, start: float, meta: dict[str, Any] | None = None,
                 journal: bool = True, link: Any = None, origin_beat: float | None = None, lead_in: float = 0.0):
        self.path = Path(path)
        self.start = start
        # Events stamped before this are not the take's: a boundary start's own time (less the snap), else none.
        self.opens = start - lead_in if origin_beat is not None else -math.inf
        self.origin_beat = origin_beat or 0.0
        self.meta = {key: (meta or {}).get(key) for key in ("model", "temperature", "seed")}
        if link is not None:
            self.meta["quantum"] = link.quantum
        self.builder = TakeBuilder(self.meta)
        self._last = 0.0
        self._seq = 0
        self._gaps: dict[int, tuple[float, float]] = {}  # performer -> (bridge time, take time) of its last press
        self.link = link  # a LinkClock (serve --link): each press records its beat, the take a tempo map
        self._bpm: float | None = None
        self._on_bar = link is None or origin_beat is not None  # else the start moves back to a bar at the first event
        header = {"k": "take", "version": PLAIN_VERSION, "pid": os.getpid(), **self.meta}
        self.journal = _Journal(journal_path(self.path), header) if journal else None

    def _t(self, time: float) -> float:
        if not self._on_bar:
            self._on_bar = True
            quantum = self.link.quantum
            self.start = self.link.time_at_beat(math.floor(self.link.beat_at(time) / quantum + 1e-9) * quantum)
        self._last = max(self._last, time - self.start)
        return self._last

    def _add(self, item: dict[str, Any], ordered: bool = True) -> None:
        if ordered:
            self._seq += 1
            item["seq"] = self._seq
        self.builder.apply(item)
        if self.journal is not None:
            self.journal.write(item)

    # --- the bridge's hooks ---------------------------------------------------------------------------------

    def press(self, performer: int, button: int, velocity: int, time: float) -> None:
        if time < self.opens:
            return
        t = self._t(time)
        item: dict[str, Any] = {"k": "press", "p": performer, "time": t, "button": button, "velocity": velocity}
        last = self._gaps.get(performer)
        played = decoder_gap(time, last and last[0])
        if played != decoder_gap(t, last and last[1]):
            item["dt"] = played
        self._gaps[performer] = (time, t)
        if self.link is not None:
            item["beat"] = self._beat(time, t)
        self._add(item)

    def _beat(self, time: float, t: float) -> float:
        """Link's beat at `time`; a tempo point first when the session's tempo is new (read at each press, so a
        change lands in the map at the first press played under it)."""
        # A press in the lead-in sounds on the boundary (the snap): that is its beat, as its time is 0.
        beat = self.link.beat_at(time) - self.origin_beat if time >= self.start else 0.0
        bpm = self.link.tempo
        if bpm != self._bpm:
            self._bpm = bpm
            self._add({"k": "tempo", "time": t, "beat": beat, "bpm": bpm}, ordered=False)
        return beat

    def release(self, performer: int, button: int, time: float) -> None:
        if time < self.opens:
            return
        self._add({"k": "release", "p": performer, "time": self._t(time), "button": button})

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: Any = None) -> None:
        if time < self.opens:
            return
        self._add({"k": "on", "p": performer, "time": self._t(time), "pitch": pitch, "velocity": velocity,
                   "button": button}, ordered=False)

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: Any = None) -> None:
        if time < self.opens:
            return
        self._add({"k": "off", "p": performer, "time": self._t(time), "pitch": pitch}, ordered=False)

    def model(self, time: float, name: str, model_dir: str) -> None:
        """A model swap: every performer's notes off and its decoder restarted under the new model."""
        if time < self.opens:
            return
        self._gaps.clear()
        self._add({"k": "model", "time": self._t(time), "name": name, "model": model_dir})

    def message(self, performer: int, verb: str, time: float, state: Any = None) -> None:
        """An accepted bridge message; `state` is the performer after it (bridge.performer.Performer)."""
        if verb not in CHANGE_VERBS:
            return  # presses and releases have their own hooks; status and model requests change nothing
        if verb == "panic":
            self.all_off(None, time)
        elif verb == "reset":
            self._gaps.pop(performer, None)
            self._change(performer, time, "reset")
        elif verb == "temperature":
            self._change(performer, time, "temperature", state.temperature)
        elif verb == "pedal":
            self._change(performer, time, "sustain", bool(state.sustain))
        else:
            self._change(performer, time, "keys", None if state.keys is None else list(state.keys))

    def all_off(self, performer: int | None, time: float) -> None:
        """Every sounding note of `performer` (None: of everyone) turned off: a panic, a timeout, a shutdown."""
        for number in ([performer] if performer is not None else sorted(self.builder.tracks)):
            self._change(number, time, "all_off")

    def _change(self, performer: int, time: float, change: str, value: Any = None) -> None:
        if time < self.opens:
            return
        item = {"k": "change", "p": performer, "time": self._t(time), "change": change}
        if value is not None:
            item["value"] = value
        self._add(item)

    # --- the end --------------------------------------------------------------------------------------------

    def waiting(self, now: float) -> bool:
        """Whether the take's boundary is still to come (a start under Link, until its downbeat)."""
        return self.opens > -math.inf and now < self.start

    def take(self, end: float) -> Take:
        return self.builder.take(self._t(end), str(self.path))

    def save(self, end: float) -> Path:
        """Writes the take atomically and removes the journal; if its path cannot be written any more (a disk
        gone, a directory removed), the take goes to the temporary directory instead and one line says where:
        it is never lost."""
        return self.write(self.take(end))

    def write(self, take: Take) -> Path:
        """`save` of a take already built (by `take(end)`)."""
        if self.journal is not None:
            self.journal.close()
        try:
            saved = take.save(self.path)
        except OSError as exc:
            # Named after the take too: two takes rescued in one second must not share a file.
            name = f"pianogenie-take-{os.getpid()}-{int(time.time())}-{self.path.stem}.json"
            rescue = Path(tempfile.gettempdir()) / name
            saved = take.save(rescue)
            print(f"pianogenie: cannot write {self.path} ({exc.strerror or exc}); the take is in {rescue}",
                  file=sys.stderr, flush=True)
        if self.journal is not None:
            try:
                self.journal.path.unlink(missing_ok=True)
            except OSError:
                pass
        return saved
