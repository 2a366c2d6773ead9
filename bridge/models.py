"""The --models folder: the models `/genie/model s:name` may switch to, each looked up by name, and their loading
off the receiving thread.

A name comes from the network, so it is never joined onto a path as given: it must match
`protocol.MODEL_NAME` (no `/`, no `..`) and be one of the folder's own entries, and the directory it names must
resolve inside the folder (a symlink out of it is refused)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable

from pianogenie.engine import ModelError, PianoGenie
from pianogenie.engine.constants import MANIFEST_NAME

from .protocol import MODEL_NAME, ProtocolError, shown

# A folder holding more than this is not a folder of models; the names must also fit one reply datagram.
MAX_MODELS = 256


class ModelLibrary:
    """A folder of model directories. The listing is read again on each call, so a model copied in while the
    bridge runs can be chosen without a restart."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder).resolve()
        if not self.folder.is_dir():
            raise ModelError(f"--models {folder}: not a directory")

    def names(self) -> list[str]:
        """The model directories' names, sorted: entries with a valid name and a weights manifest."""
        found = []
        try:
            entries = sorted(os.scandir(self.folder), key=lambda entry: entry.name)
        except OSError:
            return []
        for entry in entries[:4 * MAX_MODELS]:
            if MODEL_NAME.fullmatch(entry.name) and self._inside(entry.name) is not None:
                found.append(entry.name)
                if len(found) == MAX_MODELS:
                    break
        return found

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
