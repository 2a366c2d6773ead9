"""Which take is recording: the one `--record FILE` starts with the run, or one that `/genie/record/start [s:path]`
starts and `/genie/record/stop` writes, any number of times in a run. It is also the note sink that hands the
notes played to the take recording now (bridge/recorder.py's Recorder, which keeps it).

Under Link a take started over OSC starts on the next quantum boundary after the start arrives: what is played
before it is not in the take, its time 0 is the boundary and its beats count from it. Without Link it starts at
once. A second start while a take records is refused (a double tap must not cut a take in two): stop it first.
A take is never written over another: a path already taken (a file there, or a take still being written to it)
gets `-2`, `-3`... before its suffix. A take's file is written off the receiving thread; the reply says where
once it is there, and the run's end waits for every write in flight."""

from __future__ import annotations

import math
import secrets
import sys
import threading
from pathlib import Path, PurePosixPath
from typing import Any

from pianogenie.engine.takes import journal_path

from . import protocol as p
from .protocol import ProtocolError
from .rate import RateLimit
from .recorder import Recorder, recover, unwritable

TAKE_SUFFIX = ".json"
# A path with more numbered takes beside it than this is refused rather than searched further.
MAX_NUMBERED = 999
# Takes started, from every peer together: each is a file and a thread, so a flood of starts must not fill the
# disk; a musician's record button is far slower.
STARTS_PER_SECOND, STARTS_BURST = 2.0, 8.0
# /genie/status's `recording`: none, a start waiting for its boundary, recording.
IDLE, WAITING, RECORDING = 0, 1, 2


class Recording:
    """The bridge's takes. `default`: the --record path (a bare start records there); `folder`: where a path a
    peer names is resolved (the --record file's folder, else serve's working directory), which no path a peer
    sends can leave."""

    def __init__(self, bridge: Any, link: Any = None, default: Path | None = None, folder: Path | None = None,
                 snap_window: float = 0.0):
        self.bridge = bridge
        self.link = link
        self.snap_window = snap_window  # --snap: a press this far before a take's boundary sounds on it, in the take
        self.default = default
        self.folder = folder if folder is not None else (default.parent if default is not None else Path.cwd())
        self._writing: set[Path] = set()  # takes stopped whose files are being written
        self._writers: list[threading.Thread] = []
        self._guard = threading.Lock()
        self._starts = RateLimit(STARTS_PER_SECOND, STARTS_BURST, bridge.clock)

    # --- the take recording now, and its notes ---------------------------------------------------------------

    def state(self, now: float) -> int:
        recorder = self.bridge.recorder
        if recorder is None:
            return IDLE
        return WAITING if recorder.waiting(now) else RECORDING

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: Any = None) -> None:
        recorder = self.bridge.recorder
        if recorder is not None:
            recorder.note_on(performer, pitch, velocity, button, time, sender)

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: Any = None) -> None:
        recorder = self.bridge.recorder
        if recorder is not None:
            recorder.note_off(performer, pitch, button, time, sender)

    def _meta(self) -> dict[str, Any]:
        bridge = self.bridge
        # A take must replay as it was played: an unseeded run gets a seed drawn at its first take (performer n
        # plays with seed + n), and the take keeps it.
        if bridge.seed is None:
            bridge.seed = secrets.randbelow(2**31)
        return {"model": str(bridge.genie.model_dir), "temperature": bridge.temperature, "seed": bridge.seed}

    # --- starting and stopping ----------------------------------------------------------------------------------

    def begin(self, path: Path, start: float) -> Recorder:
        """--record: the take of the whole run, from `start` (under Link, from the bar of its first event)."""
        self.bridge.recorder = Recorder(path, start, self._meta(), link=self.link)
        return self.bridge.recorder

    def start(self, name: str | None, time: float, address: str) -> tuple[str, float]:
        """A take from the next quantum boundary (Link) or from `time`: (its path as shown, seconds until it
        starts). ProtocolError, nothing started, for a take already recording or a path that cannot be used."""
        running = self.bridge.recorder
        if running is not None:
            raise ProtocolError(f"{address}: already recording {self._shown(running.path)}; send {p.IN_RECORD_STOP} "
                                "first")
        path = self._resolve(name, address)
        if not self._starts.allow(None):  # after the checks that touch no file: only a take to be made counts
            raise ProtocolError(f"{address}: too many takes started (at most {STARTS_PER_SECOND:g} a second after "
                                f"{STARTS_BURST:g}); send again later")
        path = self._prepare(path, address)
        origin, start = None, time
        if self.link is not None:
            quantum = self.link.quantum
            origin = math.ceil(self.link.beat_at(time) / quantum - 1e-9) * quantum
            start = self.link.time_at_beat(origin)
        self.bridge.recorder = Recorder(path, start, self._meta(), link=self.link, origin_beat=origin,
                                        lead_in=self.snap_window if origin is not None else 0.0)
        return self._shown(path), max(0.0, start - time)

    def stop(self, time: float, address: str, sender: Any) -> None:
        """Ends the take at `time`; its file is written off this thread, then `sender` (and the reply addresses)
        hear where it went: OUT_RECORD_STOP s:path i:notes f:seconds. ProtocolError when no take records."""
        recorder = self.bridge.recorder
        if recorder is None:
            raise ProtocolError(f"{address}: no take is recording (send {p.IN_RECORD_START} first)")
        self.bridge.recorder = None  # from here on nothing reaches it: its builder is the writer's alone
        with self._guard:
            self._writing.add(recorder.path)
        writer = threading.Thread(target=self._write, args=(recorder, time, sender), name="take-writer", daemon=True)
        self._writers = [w for w in self._writers if w.is_alive()] + [writer]
        writer.start()

    def _write(self, recorder: Recorder, end: float, sender: Any) -> None:
        try:
            take = recorder.take(end)
            saved = recorder.write(take)  # atomic; a path gone bad sends it to the temporary folder, never lost
        except Exception as exc:  # a bug or both folders unwritable: said to the peer, the server carries on
            with self.bridge.lock:
                self.bridge.reject(f"{p.IN_RECORD_STOP}: the take could not be written ({exc})", sender)
            return
        finally:
            with self._guard:
                self._writing.discard(recorder.path)
        with self.bridge.lock:
            self.bridge.reply(sender, p.OUT_RECORD_STOP, (self._shown(saved), len(take.notes()), take.end))

    def close(self, end: float) -> None:
        """The run's end: every write in flight finishes, and the take still recording is written."""
        for writer in self._writers:
            writer.join()
        recorder, self.bridge.recorder = self.bridge.recorder, None
        if recorder is not None:
            recorder.save(end)

    # --- where a take goes ---------------------------------------------------------------------------------------

    def _shown(self, path: Path) -> str:
        """A take's path as a peer is shown it: relative to the takes folder (where the server keeps its files is
        not the peer's business); a take rescued to the temporary folder, in full."""
        try:
            return path.relative_to(self.folder).as_posix()
        except ValueError:
            return str(path)

    def _resolve(self, name: str | None, address: str) -> Path:
        """The path a start names (or the --record one), checked without touching any file."""
        if name is None:
            if self.default is None:
                raise ProtocolError(f"{address}: no take path: send one (s:path), or start serve with --record FILE")
            path = self.default
        else:
            relative = PurePosixPath(name)
            if not name or "\\" in name or "\0" in name or relative.is_absolute() or ".." in relative.parts:
                raise ProtocolError(f"{address}: path must be relative, inside the takes folder (that of --record, "
                                    f"else serve's working directory), without '..'; got {p.shown(name)}")
            if relative.suffix != TAKE_SUFFIX:
                raise ProtocolError(f"{address}: path must end in {TAKE_SUFFIX}, got {p.shown(name)}")
            path = self.folder / relative
        return path

    def _prepare(self, path: Path, address: str) -> Path:
        """Where the take goes: `path` or a numbered one beside it, writable now."""
        try:
            rescued = recover(path)  # a journal left there by a run that died becomes a take of its own first
        except (ValueError, OSError) as exc:
            raise ProtocolError(f"{address}: {self._shown(path)}: {exc}") from None
        if rescued is not None:
            print(f"pianogenie: recovered {rescued} (the take of a run that died)", file=sys.stderr, flush=True)
        path = self._free(path, address)
        problem = unwritable(path)
        if problem is not None:
            problem = problem.replace(f"{self.folder}/", "").replace(str(self.folder), ".")  # no server paths
            raise ProtocolError(f"{address}: {self._shown(path)}: cannot write there ({problem})")
        return path

    def _free(self, path: Path, address: str) -> Path:
        """`path`, or the first of NAME-2.json, NAME-3.json... that holds no take and is not being written."""
        with self._guard:
            writing = set(self._writing)
        for n in range(1, MAX_NUMBERED + 1):
            candidate = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
            if candidate not in writing and not candidate.exists() and not journal_path(candidate).exists():
                return candidate
        raise ProtocolError(f"{address}: {self._shown(path)} and {MAX_NUMBERED - 1} numbered takes beside it exist")
