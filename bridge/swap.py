"""The model swap: `/genie/model s:name` looked up in the --models library, loaded off the receiving thread (one
load at a time), then swapped in under the dispatcher's lock, every performer starting afresh."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any, Callable

from pianogenie.engine import PianoGenie

from . import protocol as p
from .dispatch import Outbox
from .ensemble import Ensemble
from .models import Loader, ModelLibrary, model_name
from .performer import Counters, Senders
from .protocol import ProtocolError


CONSOLE_INTERVAL_S = 1.0


class ModelSwap:
    """Idle, or loading one model (`loading` names it). `recorder()` is the take being recorded, if any
    (bridge.recorder.Recorder), which hears each swap: read at the swap, since a run may start one later."""

    def __init__(self, library: ModelLibrary | None, ensemble: Ensemble, outbox: Outbox, counters: Counters,
                 lock: threading.RLock, clock: Callable[[], float], recorder: Callable[[], Any] = lambda: None):
        self.library = library
        self.ensemble = ensemble
        self.outbox = outbox
        self.counters = counters
        self.lock = lock
        self.clock = clock
        self.loader = Loader()
        self.loading: str | None = None
        self.recorder = recorder
        self._said_at = -CONSOLE_INTERVAL_S
        self._unsaid = 0

    def request(self, address: str, name: str, sender: Any) -> None:
        """Start loading the model `name`; ProtocolError (nothing started) when it cannot be."""
        if self.library is None:
            raise ProtocolError(f"{address}: no models to switch to (start the bridge with --models DIR)")
        try:
            path = self.library.path(name)
        except ProtocolError as exc:
            raise ProtocolError(f"{address}: {exc}") from None
        if self.loading is not None:
            raise ProtocolError(f"{address}: another model is still loading; send again after its {p.OUT_MODEL} reply")
        self.loading = name
        # Loading, validating and warming up take milliseconds to seconds: off this thread, so presses go on
        # with the current model until the new one is ready.
        self.loader.start(path, lambda genie, error: self._loaded(name, genie, error, sender, path))

    def _loaded(self, name: str, genie: PianoGenie | None, error: str | None, sender: Any, path: Any = None) -> None:
        with self.lock:
            self.loading = None  # cleared before any reply goes out, so the next request is welcome
            if genie is None:
                self.counters.model_errors += 1
                if error and path is not None:  # a peer sees the model's name, never where the server keeps it
                    error = error.replace(str(Path(path).resolve()), name).replace(str(path), name)
                said = f"model {name} refused ({error}); still playing {model_name(self.ensemble.genie)}"
                self.outbox.reject(f"{p.IN_MODEL}: {name}: {error}; still playing {model_name(self.ensemble.genie)}", sender)
            else:
                said = f"now playing model {name}"
                self.swap(genie, sender)
        self._say(said)

    def _say(self, line: str) -> None:
        """The console hears each swap, at most one line a second: a peer that asks again and again must not grow
        the log (issue 23.9); outside the lock, so a console that is slow to read holds up no press."""
        now = self.clock()
        if now - self._said_at < CONSOLE_INTERVAL_S:
            self._unsaid += 1
            return
        more = f" ({self._unsaid} more swap lines held back)" if self._unsaid else ""
        self._said_at, self._unsaid = now, 0
        print(f"pianogenie: {line}{more}", file=sys.stderr, flush=True)

    def swap(self, genie: PianoGenie, sender: Any = None) -> None:
        """Play `genie` from now on (Ensemble.rebase), and tell the swap's sender, every performer's last sender
        and the --reply-to addresses."""
        with self.lock:
            now = self.clock()
            told = self.ensemble.rebase(genie, now, sender)
            recorder = self.recorder()
            if recorder is not None:
                recorder.model(now, model_name(genie), str(genie.model_dir))
            self.outbox.reply(Senders.of(sender, *told), p.OUT_MODEL, (model_name(genie),))
