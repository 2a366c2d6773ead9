"""The bridge's dispatcher: OSC messages in (already parsed, timed on arrival), each handed to its performer.

It knows nothing of sockets. A transport connects through `connect(link)`, the one interface between them: the
link sends the OSC replies, notes first. MIDI input and the keyboard player call `handle` too. Every state change
happens under `lock`, so the receiving thread, a MIDI callback and the idle sweep never interleave. The sender
and arrival time of a message travel with it as arguments, down to every sink."""

from __future__ import annotations

import math
import threading
import time as _time
from typing import Any, Callable, Protocol

import numpy as np

from pianogenie.engine import PianoGenie
from pianogenie.engine.constants import DEFAULT_TEMPERATURE, HIGHEST_PITCH, LOWEST_PITCH, NUM_BUTTONS

from . import protocol as p
from .models import Loader, ModelLibrary, model_name
from .performer import Counters, NoteSink, Performer, Router, Senders
from .protocol import ProtocolError, whole_number
from .rate import RateLimit

# Seconds a performer may stay silent before its sounding notes are turned off.
DEFAULT_IDLE_TIMEOUT = 30.0
# Presses kept for the latency percentiles in /genie/status.
LATENCY_WINDOW = 4096
# Characters of an error reply's reason.
MAX_REASON = 300
# /genie/models replies per sender: on average, and at once (a client's start-up asks once or twice).
MODELS_PER_SECOND, MODELS_BURST = 2.0, 4.0


class Link(NoteSink, Protocol):
    """The transport as the bridge sees it: a note sink that answers senders, plus its socket's drop counter."""

    def reply(self, sender: Any, address: str, values: tuple) -> None: ...

    def udp_drops(self) -> int: ...


class Bridge:
    def __init__(
        self,
        genie: PianoGenie,
        temperature: float = DEFAULT_TEMPERATURE,
        seed: int | None = None,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        clock: Callable[[], float] = _time.monotonic,
        library: ModelLibrary | None = None,
    ):
        self.genie = genie
        self.library = library
        self.loader = Loader()
        self.loading: str | None = None  # the model being loaded, one at a time
        self.temperature = float(temperature)
        self.seed = seed
        self.idle_timeout = float(idle_timeout)
        self.clock = clock
        self.started = clock()
        self.lock = threading.RLock()
        self.counters = Counters()
        self.router = Router(self.counters, clock)
        self.performers: dict[int, Performer] = {}
        self.link: Link | None = None
        self.recorder: Any = None  # bridge.recorder.Recorder: also sees presses and releases
        # /genie/models answers up to 256 names (about 18 KB) to a 20-byte request: a few a second per sender.
        self.models_rate = RateLimit(MODELS_PER_SECOND, MODELS_BURST, clock, total_per_second=4 * MODELS_PER_SECOND)
        self._latency = np.zeros(LATENCY_WINDOW)
        self._latency_count = 0
        self._handlers = {
            "press": self._press,
            "release": self._release,
            "pedal": self._pedal,
            "reset": self._reset,
            "panic": self._panic,
            "temperature": self._temperature,
            "keys": self._keys,
            "range": self._range,
            "status": self._status,
            "model": self._model,
            "models": self._models,
        }

    @property
    def sinks(self) -> list[NoteSink]:
        """The note sinks after the link (MIDI, synth, recorder, printer); append to add one."""
        return self.router.sinks

    def connect(self, link: Link) -> None:
        """Route replies through a transport: its notes go first, before the other sinks."""
        self.link = link
        self.router.first = link

    # --- performers -------------------------------------------------------------------------------------------

    def performer(self, number: int) -> Performer:
        performer = self.performers.get(number)
        if performer is None:
            seed = None if self.seed is None else self.seed + number
            performer = Performer(number, self.genie.session(seed=seed), self.router, self.temperature)
            self.performers[number] = performer
        return performer

    # --- dispatch ---------------------------------------------------------------------------------------------

    def dispatch(self, address: str, args: list, sender: Any = None, time: float | None = None) -> None:
        """Handle one message. Raises ProtocolError for anything the bridge rejects; a rejected message changes
        nothing (no performer is created, no idle timer reset, no reply routing changed)."""
        self.counters.messages += 1  # every message, accepted or not: messages = accepted + rejected
        route = p.ROUTES.get(address)
        if route is None:
            p.parse_address(address)  # raises the error that says why
        number, verb = route
        handler = self._handlers.get(verb)
        if handler is None:  # declared in protocol.ROUTES but not served here: the peer's mistake, not ours
            raise ProtocolError(f"{address}: not supported by this server")
        time = self.clock() if time is None else time
        handler(number, address, args, time, sender)
        # Accepted: only now is it the performer's activity, and its sender where timeout note-offs go; and only
        # for its own playing (issue 23.2: a monitor's status poll must not take the player's note-offs).
        performer = self.performers.get(number) if verb in p.PLAYING_VERBS else None
        if performer is not None:
            performer.last_activity = time
            if sender is not None:
                performer.last_sender = sender

    def reject(self, reason: str, sender: Any = None) -> None:
        """Count a rejected packet or message and answer it with /genie/error (truncated: the reply must fit a
        datagram whatever the peer sent)."""
        self.counters.errors += 1
        if self.link is not None:
            if len(reason) > MAX_REASON:
                reason = reason[:MAX_REASON - 3] + "..."
            self.link.reply(sender, p.OUT_ERROR, (reason,))

    def handle(self, address: str, args: list, sender: Any = None, time: float | None = None) -> bool:
        """dispatch() under the lock, with errors answered; returns whether the message was accepted."""
        with self.lock:
            return self.handle_locked(address, args, sender, time)

    def handle_locked(self, address: str, args: list, sender: Any, time: float | None) -> bool:
        """handle() for a caller that already holds the lock (the transport, once per datagram)."""
        try:
            self.dispatch(address, args, sender, time)
            return True
        except ProtocolError as exc:
            self.reject(str(exc), sender)
        except ValueError as exc:  # the engine's own input checks
            self.reject(f"{address}: {exc}", sender)
        return False

    def _press(self, number: int, address: str, args: list, time: float, sender: Any) -> None:
        if not 1 <= len(args) <= 2:
            raise ProtocolError(f"{address}: expected button [velocity], got {len(args)} arguments")
        button = args[0] if type(args[0]) is int else whole_number(args[0], f"{address}: button")
        if not 0 <= button < NUM_BUTTONS:
            raise ProtocolError(f"{address}: button must be 0..{NUM_BUTTONS - 1}, got {button}")
        velocity = p.velocity_from_osc(args[1]) if len(args) == 2 else p.DEFAULT_VELOCITY
        performer = self.performer(number)
        performer.press(button, velocity, time, sender)
        self.counters.presses += 1
        if self.recorder is not None:
            self.recorder.press(number, button, velocity, time)
        # Arrival -> note sent: the OSC reply went out inside press().
        self._latency[self._latency_count % LATENCY_WINDOW] = self.router.sent_at - time
        self._latency_count += 1
        # The work that does not depend on the next press, now, while nothing waits.
        performer.session.prepare()

    def _release(self, number: int, address: str, args: list, time: float, sender: Any) -> None:
        if len(args) != 1:
            raise ProtocolError(f"{address}: expected one button, got {len(args)} arguments")
        button = args[0] if type(args[0]) is int else whole_number(args[0], f"{address}: button")
        if not 0 <= button < NUM_BUTTONS:
            raise ProtocolError(f"{address}: button must be 0..{NUM_BUTTONS - 1}, got {button}")
        self.counters.releases += 1
        performer = self.performers.get(number)
        if performer is not None:
            performer.release(button, time, sender)
        if self.recorder is not None:
            self.recorder.release(number, button, time)

    def _pedal(self, number: int, address: str, args: list, time: float, sender: Any) -> None:
        if len(args) != 1:
            raise ProtocolError(f"{address}: expected 0 or 1, got {len(args)} arguments")
        value = args[0]
        if not isinstance(value, bool):
            value = whole_number(value, f"{address}: pedal")
            if value not in (0, 1):
                raise ProtocolError(f"{address}: pedal must be 0 or 1, got {value}")
        self.performer(number).pedal(bool(value), time, sender)

    def _reset(self, number: int, address: str, args: list, time: float, sender: Any) -> None:
        self._no_args(address, args)
        self.performer(number).reset(time, sender)

    def _panic(self, number: int, address: str, args: list, time: float, sender: Any) -> None:
        self._no_args(address, args)
        self.all_notes_off(time, sender)

    def _temperature(self, number: int, address: str, args: list, time: float, sender: Any) -> None:
        if len(args) != 1 or isinstance(args[0], bool) or not isinstance(args[0], (int, float)):
            raise ProtocolError(f"{address}: expected one number in [0, 1]")
        value = float(args[0])
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):
            raise ProtocolError(f"{address}: temperature must be in [0, 1], got {p.shown(args[0])}")
        self.performer(number).temperature = value

    def _keys(self, number: int, address: str, args: list, time: float, sender: Any) -> None:
        if not args:
            self.performer(number).set_keys(None)
            return
        pitches = [self._pitch(value, address) for value in args]
        self.performer(number).set_keys(tuple(sorted({pitch - LOWEST_PITCH for pitch in pitches})))

    def _range(self, number: int, address: str, args: list, time: float, sender: Any) -> None:
        if len(args) != 2:
            raise ProtocolError(f"{address}: expected low and high MIDI pitches, got {len(args)} arguments")
        low, high = (self._pitch(value, address) for value in args)
        if low > high:
            raise ProtocolError(f"{address}: low {low} is above high {high}")
        self.performer(number).set_keys(tuple(range(low - LOWEST_PITCH, high - LOWEST_PITCH + 1)))

    def _status(self, number: int, address: str, args: list, time: float, sender: Any) -> None:
        self._no_args(address, args)
        if self.link is not None:
            values = []
            for name, value in self.status(number).items():
                values += [name, value]
            self.link.reply(sender, p.OUT_STATUS, tuple(values))

    def _model(self, number: int, address: str, args: list, time: float, sender: Any) -> None:
        try:
            if self.library is None:
                raise ProtocolError(f"{address}: no models to switch to (start the bridge with --models DIR)")
            if len(args) != 1:
                raise ProtocolError(f"{address}: expected one model name, got {len(args)} arguments")
            try:
                path = self.library.path(args[0])
            except ProtocolError as exc:
                raise ProtocolError(f"{address}: {exc}") from None
            if self.loading is not None:
                raise ProtocolError(f"{address}: another model is still loading; send again after its {p.OUT_MODEL} reply")
        except ProtocolError:
            self.counters.model_errors += 1
            raise
        name = self.loading = args[0]
        # Loading, validating and warming up take milliseconds to seconds: off this thread, so presses go on
        # with the current model until the new one is ready.
        self.loader.start(path, lambda genie, error: self._loaded(name, genie, error, sender))

    def _loaded(self, name: str, genie: PianoGenie | None, error: str | None, sender: Any) -> None:
        with self.lock:
            self.loading = None  # cleared before any reply goes out, so the next request is welcome
            if genie is None:
                self.counters.model_errors += 1
                self.reject(f"{p.IN_MODEL}: {name}: {error}; still playing {model_name(self.genie)}", sender)
                return
            self.swap(genie, sender)

    def swap(self, genie: PianoGenie, sender: Any = None) -> None:
        """Play `genie` from now on: every sounding note off (its note-off to `sender`, to whoever struck it and to
        the performer's last sender), every performer's decoder back to its start state under the new model;
        temperature, keys and pedal are the player's settings and stay."""
        with self.lock:
            now = self.clock()
            self.genie = genie
            told = [sender]
            for performer in self.performers.values():
                performer.all_off(now, Senders.of(sender, performer.last_sender))
                seed = None if self.seed is None else self.seed + performer.number
                performer.session = genie.session(seed=seed)
                told.append(performer.last_sender)
            if self.recorder is not None:
                self.recorder.model(now, model_name(genie), str(genie.model_dir))
            if self.link is not None:
                self.link.reply(Senders.of(*told), p.OUT_MODEL, (model_name(genie),))

    def _models(self, number: int, address: str, args: list, time: float, sender: Any) -> None:
        self._no_args(address, args)
        if self.link is not None and self.models_rate.allow(sender):
            names = self.library.names() if self.library is not None else [model_name(self.genie)]
            self.link.reply(sender, p.OUT_MODELS, tuple(names))

    @staticmethod
    def _pitch(value: Any, address: str) -> int:
        pitch = whole_number(value, f"{address}: pitch")
        if not LOWEST_PITCH <= pitch <= HIGHEST_PITCH:
            raise ProtocolError(f"{address}: pitch must be a MIDI pitch {LOWEST_PITCH}..{HIGHEST_PITCH}, got {pitch}")
        return pitch

    @staticmethod
    def _no_args(address: str, args: list) -> None:
        if args:
            raise ProtocolError(f"{address}: takes no arguments, got {len(args)}")

    # --- whole-bridge actions -----------------------------------------------------------------------------------

    def all_notes_off(self, time: float | None = None, sender: Any = None) -> int:
        """Panic: every performer's sounding notes off. Decoder states are kept. The note-offs go to whoever sent
        the panic and to each performer's own last sender, who may be another client (with --reply-to none it
        would otherwise never hear that its notes ended)."""
        time = self.clock() if time is None else time
        count = 0
        for performer in self.performers.values():
            to = sender if performer.last_sender in (None, sender) else Senders.of(sender, performer.last_sender)
            count += performer.all_off(time, to)
        return count

    def credit_pause(self, seconds: float) -> None:
        """The process could not run for `seconds` (stopped, starved): nobody could be heard, so nobody has been
        silent for that long."""
        with self.lock:
            for performer in self.performers.values():
                performer.last_activity += seconds

    def sweep_idle(self, now: float | None = None) -> int:
        """Turn off the notes of performers silent for longer than the idle timeout; returns how many. The
        note-offs go to each performer's last sender."""
        if self.idle_timeout <= 0:
            return 0
        now = self.clock() if now is None else now
        count = 0
        with self.lock:
            for performer in self.performers.values():
                if performer.sounding and now - performer.last_activity > self.idle_timeout:
                    count += performer.all_off(now, performer.last_sender)
        return count

    def shutdown(self) -> int:
        """All notes off before the process goes: each performer's note-offs go to its last sender too."""
        with self.lock:
            now = self.clock()
            return sum(performer.all_off(now, performer.last_sender) for performer in self.performers.values())

    def latency_percentiles(self) -> tuple[float, float]:
        """Arrival -> note sent over the recent presses, in microseconds (p50, p99); NaN before any press."""
        n = min(self._latency_count, LATENCY_WINDOW)
        if n == 0:
            return math.nan, math.nan
        p50, p99 = np.percentile(self._latency[:n], [50, 99]) * 1e6
        return float(p50), float(p99)

    def status(self, number: int = 0) -> dict[str, Any]:
        """The status fields, about performer `number` (whom asking does not create)."""
        performer = self.performers.get(number)
        c = self.counters
        p50, p99 = self.latency_percentiles()
        values = {
            "performer": number,
            "temperature": performer.temperature if performer else self.temperature,
            "sustain": int(performer.sustain) if performer else 0,
            "sounding": len(performer.sounding) if performer else 0,
            "performers": len(self.performers),
            "packets": c.packets,
            "messages": c.messages,
            "bundles": c.bundles,
            "presses": c.presses,
            "releases": c.releases,
            "notes_on": c.notes_on,
            "notes_off": c.notes_off,
            "errors": c.errors,
            "malformed": c.malformed,
            "send_errors": c.send_errors,
            "internal_errors": c.internal_errors,
            "udp_drops": self.link.udp_drops() if self.link is not None else -1,
            "latency_p50_us": p50,
            "latency_p99_us": p99,
            "uptime_s": self.clock() - self.started,
            "model": model_name(self.genie),
            "model_errors": c.model_errors,
        }
        assert tuple(values) == p.STATUS_FIELDS
        return values
