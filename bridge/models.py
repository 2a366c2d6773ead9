"""The --models folder: the models `/genie/model s:name` may switch to, each looked up by name, and their loading
off the receiving thread.

A name comes from the network, so it is never joined onto a path as given: it must match
`protocol.MODEL_NAME` (no `/`, no `..`) and be one of the folder's own entries, and the directory it names must
resolve inside the folder (a symlink out of it is refused)."""

from __future__ import annotations

import json
import math
import os
import threading
import time
from pathlib import Path
from typing import Callable

from pianogenie.engine import ModelError, PianoGenie
from pianogenie.engine.constants import CONFIG_NAME, MANIFEST_NAME

from .protocol import MODEL_NAME, ProtocolError, shown

# A folder holding more than this is not a folder of models; the names must also fit one reply datagram.
MAX_MODELS = 256
# The listing is read again at most this often, on its own thread: /genie/models and OSCQuery's tree answer
# from the last reading, so a burst of requests costs no folder scans on the receiving thread.
REFRESH_S = 1.0
# A manifest larger than this is not one a model can load (the engine's own JSON limit).
MAX_MANIFEST_BYTES = 1 << 20


class ModelLibrary:
    """A folder of model directories. The listing follows the folder: a model copied in while the bridge runs
    can be chosen within about a second, without a restart. Only models whose files are all there are listed."""

    def __init__(self, folder: str | os.PathLike, clock: Callable[[], float] = time.monotonic):
        self.folder = Path(folder).resolve()
        if not self.folder.is_dir():
            raise ModelError(f"--models {folder}: not a directory")
        self._clock = clock
        self._lock = threading.Lock()
        self._refreshing = False
        self._checks: dict[str, tuple[tuple, bool]] = {}  # name -> (the files' stat stamps, listed)
        self.version = 0  # changes whenever names() does: what a cached OSCQuery tree depends on
        self._names: list[str] = []
        self._checked = -math.inf
        self.refresh()

    def names(self) -> list[str]:
        """The models that can be chosen, sorted, as of the last reading (at most REFRESH_S old)."""
        with self._lock:
            stale = not self._refreshing and self._clock() - self._checked >= REFRESH_S
            if stale:
                self._refreshing = True
            names = self._names
        if stale:
            threading.Thread(target=self._refresh_in_background, name="models-listing", daemon=True).start()
        return names

    def _refresh_in_background(self) -> None:
        try:
            self.refresh()
        finally:
            with self._lock:
                self._refreshing = False

    def refresh(self) -> list[str]:
        """Read the folder now: entries with a valid name whose manifest, configuration and shards are there."""
        found = []
        try:
            entries = sorted(os.scandir(self.folder), key=lambda entry: entry.name)
        except OSError:
            entries = []
        for entry in entries[:4 * MAX_MODELS]:
            if MODEL_NAME.fullmatch(entry.name) and self._listed(entry.name):
                found.append(entry.name)
                if len(found) == MAX_MODELS:
                    break
        with self._lock:
            self._checks = {name: check for name, check in self._checks.items() if name in found or
                            any(e.name == name for e in entries)}
            if found != self._names:
                self._names, self.version = found, self.version + 1
            self._checked = self._clock()
        return found

    def _listed(self, name: str) -> bool:
        """Whether a model's files are all there; checked again only when one of them changes."""
        path = self._inside(name)
        if path is None:
            return False
        # The folder's own stamp changes when a shard is added or removed, the files' when they are rewritten.
        stamps = _stamps(path, path / MANIFEST_NAME, path / CONFIG_NAME)
        known = self._checks.get(name)
        if known is not None and known[0] == stamps:
            return known[1]
        listed = _files_present(path)
        self._checks[name] = (stamps, listed)
        return listed

    def _inside(self, name: str) -> Path | None:
        path = (self.folder / name).resolve()
        if path.parent != self.folder or not (path / MANIFEST_NAME).is_file():
            return None
        return path

    def path(self, name: object) -> Path:
        """The directory of the model called `name`; ProtocolError when it is not one of names()."""
        if not isinstance(name, str):
            raise ProtocolError(f"model name must be a string, got {type(name).__name__} {shown(name)}")
        if not MODEL_NAME.fullmatch(name):
            raise ProtocolError(f"model name must be a plain name (letters, digits, . _ -), got {shown(name)}")
        path = self._inside(name)
        if path is None:
            raise ProtocolError(f"no model called {shown(name)} in the models folder")
        return path


def _stamps(*paths: Path) -> tuple:
    stamps = []
    for path in paths:
        try:
            info = path.stat()
            stamps.append((info.st_mtime_ns, info.st_size))
        except OSError:
            stamps.append(None)
    return tuple(stamps)


def _files_present(path: Path) -> bool:
    """The manifest parses and every shard it names is a file in the model's folder, beside its cfg.json. The
    loader checks the contents; this keeps a half-copied or broken model off the list."""
    try:
        if not (path / CONFIG_NAME).is_file() or (path / MANIFEST_NAME).stat().st_size > MAX_MANIFEST_BYTES:
            return False
        manifest = json.loads((path / MANIFEST_NAME).read_text())
        shards = [name for group in manifest for name in group["paths"]]
    except (OSError, ValueError, TypeError, KeyError):
        return False
    for name in shards:
        if not isinstance(name, str) or "/" in name or name in ("", ".", ".."):
            return False
        if not (path / name).is_file():
            return False
    return bool(shards)


def model_name(genie: PianoGenie) -> str:
    """What /genie/status and the banner call a model: its directory's name."""
    return Path(genie.model_dir).name


class Loader:
    """Loads one model at a time on its own thread and hands the result to `done(genie, error)`: the receiving
    thread never waits for a file read, a validation or a warm-up."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None

    def start(self, path: Path, done: Callable[[PianoGenie | None, str | None], None]) -> None:
        def work() -> None:
            try:
                genie = PianoGenie.load(path)
            except (ModelError, ValueError, OSError) as exc:
                done(None, str(exc))
                return
            except Exception as exc:  # a bug in loading must cost the swap, never the bridge
                done(None, f"{type(exc).__name__}: {exc}")
                return
            done(genie, None)

        self._thread = threading.Thread(target=work, name="model-load", daemon=True)
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
