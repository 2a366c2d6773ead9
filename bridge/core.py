"""The bridge: one object that wires its parts together and is what the transports, MIDI input, the keyboard
player and the run layer hold.

Each job has its own module: the dispatcher (bridge/dispatch.py: routes, validation, the lock), the route
declarations and their handlers (bridge/handlers.py), the performers registry (bridge/ensemble.py), the model
library and swap (bridge/swap.py), status and latency (bridge/stats.py), the idle sweep and shutdown
(bridge/idle.py). A transport connects through `connect(link)`, the one interface between them. The sender and
arrival time of a message travel with it as arguments, down to every sink."""

from __future__ import annotations

import time as _time
from typing import Any, Callable

from pianogenie.engine import PianoGenie
from pianogenie.engine.constants import DEFAULT_TEMPERATURE

from .dispatch import Dispatcher, Link, Outbox
from .ensemble import Ensemble
from .handlers import ROUTES
from .idle import DEFAULT_IDLE_TIMEOUT, IdleSweep
from .models import ModelLibrary
from .performer import Counters, NoteSink, Performer, Router
from .rate import RateLimit
from .routes import RouteTable
from .sound.gain import DEFAULT_GAIN_DB, Volume
from .stats import Stats
from .swap import ModelSwap

__all__ = ["Bridge", "DEFAULT_IDLE_TIMEOUT", "Link"]

# /genie/models replies per sender: on average, and at once (a client's start-up asks once or twice).
MODELS_PER_SECOND, MODELS_BURST = 2.0, 4.0


class Bridge:
    def __init__(
        self,
        genie: PianoGenie,
        temperature: float = DEFAULT_TEMPERATURE,
        seed: int | None = None,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        clock: Callable[[], float] = _time.monotonic,
        library: ModelLibrary | None = None,
        routes: RouteTable = ROUTES,
        gain_db: float = DEFAULT_GAIN_DB,
    ):
        self.clock = clock
        self.library = library
        self.counters = Counters()
        self.router = Router(self.counters, clock)
        self.ensemble = Ensemble(genie, self.router, temperature, seed)
        self.outbox = Outbox(self.counters)
        self.stats = Stats(self.counters, clock)
        # The synths' level: /genie/volume sets it, every synth the run opens joins it (bridge/runtime.py).
        self.volume = Volume(gain_db)
        self.stats.volume = self.volume
        # The bridge's own table: a loaded plugin adds its parameters' addresses to it (bridge/runtime.py).
        self.routes = routes.copy()
        self.plugin: Any = None  # bridge.sound.plugin_params.PluginParams: an instrument plugin's, when one plays
        self.dispatcher = Dispatcher(self.routes, self, self.ensemble.performers, self.counters, self.outbox, clock,
                                     recorder=lambda: self.recorder)
        self.lock = self.dispatcher.lock
        self.recorder: Any = None  # bridge.recorder.Recorder: also hears presses, releases, state changes, swaps
        self.recording: Any = None  # bridge.recording.Recording: the run's takes (--record, /genie/record/start)
        self.swapper = ModelSwap(library, self.ensemble, self.outbox, self.counters, self.lock, clock,
                                 recorder=lambda: self.recorder)
        self.idle = IdleSweep(self.ensemble, idle_timeout, clock, self.lock, recorder=lambda: self.recorder)
        # /genie/models answers up to 256 names (about 18 KB) to a 20-byte request: a few a second per sender.
        self.models_rate = RateLimit(MODELS_PER_SECOND, MODELS_BURST, clock, total_per_second=4 * MODELS_PER_SECOND)
        # The dispatcher's entry points, as the bridge's own: what MIDI input, the player and the tests call.
        self.dispatch = self.dispatcher.dispatch
        self.handle = self.dispatcher.handle
        self.handle_locked = self.dispatcher.handle_locked
        self.reject = self.outbox.reject
        self.reply = self.outbox.reply
        self._handlers = self.dispatcher.handlers
        self.swap = self.swapper.swap
        self.sweep_idle = self.idle.sweep
        self.credit_pause = self.idle.credit_pause
        self.shutdown = self.idle.shutdown
        self.latency_percentiles = self.stats.latency_percentiles

    # --- the parts' state, under the names the rest of the bridge knows -----------------------------------------

    @property
    def sinks(self) -> list[NoteSink]:
        """The note sinks after the link (MIDI, synth, recorder, printer); append to add one."""
        return self.router.sinks

    @property
    def genie(self) -> PianoGenie:
        return self.ensemble.genie

    @property
    def seed(self) -> int | None:
        return self.ensemble.seed

    @seed.setter
    def seed(self, seed: int | None) -> None:
        self.ensemble.seed = seed

    @property
    def temperature(self) -> float:
        return self.ensemble.temperature

    @property
    def idle_timeout(self) -> float:
        return self.idle.timeout

    @property
    def performers(self) -> dict[int, Performer]:
        return self.ensemble.performers

    @property
    def loader(self) -> Any:
        return self.swapper.loader

    @property
    def loading(self) -> str | None:
        return self.swapper.loading

    @property
    def started(self) -> float:
        return self.stats.started

    @property
    def link(self) -> Link | None:
        return self.outbox.link

    def connect(self, link: Link) -> None:
        """Route replies through a transport: its notes go first, before the other sinks."""
        self.outbox.link = link
        self.router.first = link

    def add_route(self, route: Any) -> None:
        """An address served from now on (bridge.routes.Route): a loaded plugin's parameters."""
        self.dispatcher.add(route, self)

    def performer(self, number: int) -> Performer:
        return self.ensemble.performer(number)

    def all_notes_off(self, time: float | None = None, sender: Any = None) -> int:
        """Panic (Ensemble.all_off), now unless timed."""
        return self.ensemble.all_off(self.clock() if time is None else time, sender)

    def status(self, number: int = 0) -> dict[str, Any]:
        """The status fields, about performer `number` (whom asking does not create)."""
        link = self.outbox.link
        return self.stats.status(self.ensemble, number, link.udp_drops() if link is not None else -1)
