"""The bridge's state and dispatcher: OSC messages in (already parsed, timed on arrival), notes out to every sink.

It knows nothing of sockets: the transport (bridge/transport.py) feeds it, MIDI input feeds it through the same
lock, and tests drive it directly. Every state change happens under `lock`, so the receiving thread, a MIDI
callback and the idle sweep never interleave."""

from __future__ import annotations

import math
import sys
import threading
import time as _time
from dataclasses import dataclass
from typing import Any, Callable, Protocol

import numpy as np

from engine import PianoGenie
from engine.constants import HIGHEST_PITCH, LOWEST_PITCH, NUM_BUTTONS
from engine.genie import DEFAULT_TEMPERATURE

from . import protocol as p
from .performer import Performer
from .protocol import ProtocolError, whole_number

# Seconds a performer may stay silent before its sounding notes are turned off.
DEFAULT_IDLE_TIMEOUT = 30.0
# Presses kept for the latency percentiles in /genie/status.
LATENCY_WINDOW = 4096


class NoteSink(Protocol):
    """Anything that plays or forwards notes: OSC replies, a MIDI port, a synth, a recorder."""

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float) -> None: ...

    def note_off(self, performer: int, pitch: int, button: int, time: float) -> None: ...


@dataclass
class Counters:
    packets: int = 0
    messages: int = 0
    bundles: int = 0
    presses: int = 0
    releases: int = 0
    notes_on: int = 0
    notes_off: int = 0
    errors: int = 0
    malformed: int = 0
    send_errors: int = 0


@dataclass
class Context:
    """Who sent the message being handled, and when it arrived (monotonic seconds)."""

    sender: Any = None
    time: float = 0.0


class Bridge:
    def __init__(
        self,
        genie: PianoGenie,
        temperature: float = DEFAULT_TEMPERATURE,
        seed: int | None = None,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        clock: Callable[[], float] = _time.monotonic,
    ):
        self.genie = genie
        self.temperature = float(temperature)
        self.seed = seed
        self.idle_timeout = float(idle_timeout)
        self.clock = clock
        self.started = clock()
        self.lock = threading.RLock()
        self.counters = Counters()
        self.performers: dict[int, Performer] = {}
        self.sinks: list[NoteSink] = []
        # The OSC reply path is kept apart from the other sinks so it runs first: its send is what the
        # latency budget measures, the synth and MIDI follow.
        self.osc_out: NoteSink | None = None
        self.on_reply: Callable[[Any, str, tuple], None] | None = None  # (sender, address, values)
        self.recorder: Any = None  # bridge.recorder.Recorder: also sees presses and releases
        self.context = Context()
        self._sent_at = 0.0
        self._failed_sinks: set[str] = set()
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
        }

    # --- performers -------------------------------------------------------------------------------------------

    def performer(self, number: int) -> Performer:
        performer = self.performers.get(number)
        if performer is None:
            seed = None if self.seed is None else self.seed + number
            performer = Performer(number, self.genie.session(seed=seed), self, self.temperature)
            self.performers[number] = performer
        return performer

    # NoteOut for the performers: fan out to the sinks and count.
    def note_on(self, performer: int, pitch: int, velocity: int, button: int) -> None:
        self.counters.notes_on += 1
        t = self.context.time
        if self.osc_out is not None:
            self.osc_out.note_on(performer, pitch, velocity, button, t)
        # Latency is taken here, when the reply has left: the synth's pipe write below may wake its process,
        # which on a small machine can preempt this one before the stamp.
        self._sent_at = self.clock()
        for sink in self.sinks:
            try:
                sink.note_on(performer, pitch, velocity, button, t)
            except Exception as exc:  # a failing output (a MIDI port gone, a closed terminal) must not stop the rest
                self._sink_failed(sink, exc)

    def note_off(self, performer: int, pitch: int, button: int) -> None:
        self.counters.notes_off += 1
        t = self.context.time
        if self.osc_out is not None:
            self.osc_out.note_off(performer, pitch, button, t)
        for sink in self.sinks:
            try:
                sink.note_off(performer, pitch, button, t)
            except Exception as exc:
                self._sink_failed(sink, exc)

    def _sink_failed(self, sink: NoteSink, exc: Exception) -> None:
        self.counters.send_errors += 1
        name = type(sink).__name__
        if name not in self._failed_sinks:  # say it once per output, not once per note
            self._failed_sinks.add(name)
            try:
                print(f"pianogenie: {name} failed ({exc}); the other outputs carry on", file=sys.stderr)
            except Exception:
                pass

    # --- dispatch ---------------------------------------------------------------------------------------------

    def dispatch(self, address: str, args: list, sender: Any = None, time: float | None = None) -> None:
        """Handle one message. Raises ProtocolError (state unchanged) for anything the bridge rejects."""
        self.counters.messages += 1  # every message, accepted or not: messages = accepted + rejected
        number, verb = p.parse_address(address)
        self.context.sender = sender
        self.context.time = self.clock() if time is None else time
        performer = self.performer(number)
        performer.last_activity = self.context.time
        if sender is not None:
            performer.last_sender = sender
        self._handlers[verb](performer, address, args)

    def reject(self, reason: str, sender: Any = None) -> None:
        """Count a rejected packet or message and answer it with /genie/error."""
        self.counters.errors += 1
        if self.on_reply is not None:
            self.on_reply(sender, p.OUT_ERROR, (reason,))

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

    def _press(self, performer: Performer, address: str, args: list) -> None:
        if not 1 <= len(args) <= 2:
            raise ProtocolError(f"{address}: expected button [velocity], got {len(args)} arguments")
        button = whole_number(args[0], f"{address}: button")
        if not 0 <= button < NUM_BUTTONS:
            raise ProtocolError(f"{address}: button must be 0..{NUM_BUTTONS - 1}, got {button}")
        velocity = p.velocity_from_osc(args[1]) if len(args) == 2 else p.DEFAULT_VELOCITY
        performer.press(button, velocity, self.context.time)
        self.counters.presses += 1
        if self.recorder is not None:
            self.recorder.press(performer.number, button, velocity, self.context.time)
        # Arrival -> note sent: the OSC reply went out inside press().
        self._latency[self._latency_count % LATENCY_WINDOW] = self._sent_at - self.context.time
        self._latency_count += 1
        # The work that does not depend on the next press, now, while nothing waits.
        performer.session.prepare()

    def _release(self, performer: Performer, address: str, args: list) -> None:
        if len(args) != 1:
            raise ProtocolError(f"{address}: expected one button, got {len(args)} arguments")
        button = whole_number(args[0], f"{address}: button")
        if not 0 <= button < NUM_BUTTONS:
            raise ProtocolError(f"{address}: button must be 0..{NUM_BUTTONS - 1}, got {button}")
        self.counters.releases += 1
        performer.release(button)
        if self.recorder is not None:
            self.recorder.release(performer.number, button, self.context.time)

    def _pedal(self, performer: Performer, address: str, args: list) -> None:
        if len(args) != 1:
            raise ProtocolError(f"{address}: expected 0 or 1, got {len(args)} arguments")
        value = args[0]
        if not isinstance(value, bool):
            value = whole_number(value, f"{address}: pedal")
            if value not in (0, 1):
                raise ProtocolError(f"{address}: pedal must be 0 or 1, got {value}")
        performer.pedal(bool(value))

    def _reset(self, performer: Performer, address: str, args: list) -> None:
        self._no_args(address, args)
        performer.reset()

    def _panic(self, performer: Performer, address: str, args: list) -> None:
        self._no_args(address, args)
        self.all_notes_off()

    def _temperature(self, performer: Performer, address: str, args: list) -> None:
        if len(args) != 1 or isinstance(args[0], bool) or not isinstance(args[0], (int, float)):
            raise ProtocolError(f"{address}: expected one number in [0, 1]")
        value = float(args[0])
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):
            raise ProtocolError(f"{address}: temperature must be in [0, 1], got {args[0]!r}")
        performer.temperature = value

    def _keys(self, performer: Performer, address: str, args: list) -> None:
        if not args:
            performer.set_keys(None)
            return
        pitches = [self._pitch(value, address) for value in args]
        performer.set_keys(tuple(sorted({pitch - LOWEST_PITCH for pitch in pitches})))

    def _range(self, performer: Performer, address: str, args: list) -> None:
        if len(args) != 2:
            raise ProtocolError(f"{address}: expected low and high MIDI pitches, got {len(args)} arguments")
        low, high = (self._pitch(value, address) for value in args)
        if low > high:
            raise ProtocolError(f"{address}: low {low} is above high {high}")
        performer.set_keys(tuple(range(low - LOWEST_PITCH, high - LOWEST_PITCH + 1)))

    def _status(self, performer: Performer, address: str, args: list) -> None:
        self._no_args(address, args)
        if self.on_reply is not None:
            values = []
            for name, value in self.status(performer.number).items():
                values += [name, value]
            self.on_reply(self.context.sender, p.OUT_STATUS, tuple(values))

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

    def all_notes_off(self) -> int:
        """Panic: every performer's sounding notes off. Decoder states are kept."""
        return sum(performer.all_off() for performer in self.performers.values())

    def sweep_idle(self, now: float | None = None) -> int:
        """Turn off the notes of performers silent for longer than the idle timeout; returns how many."""
        if self.idle_timeout <= 0:
            return 0
        now = self.clock() if now is None else now
        count = 0
        with self.lock:
            for performer in self.performers.values():
                if performer.sounding and now - performer.last_activity > self.idle_timeout:
                    self.context.sender = performer.last_sender
                    self.context.time = now
                    count += performer.all_off()
        return count

    def shutdown(self) -> int:
        """All notes off before the process goes: each performer's note-offs go to its last sender too."""
        count = 0
        with self.lock:
            now = self.clock()
            for performer in self.performers.values():
                self.context.sender = performer.last_sender
                self.context.time = now
                count += performer.all_off()
        return count

    def latency_percentiles(self) -> tuple[float, float]:
        """Arrival -> note sent over the recent presses, in microseconds (p50, p99); NaN before any press."""
        n = min(self._latency_count, LATENCY_WINDOW)
        if n == 0:
            return math.nan, math.nan
        p50, p99 = np.percentile(self._latency[:n], [50, 99]) * 1e6
        return float(p50), float(p99)

    def status(self, number: int = 0, udp_drops: int = -1) -> dict[str, Any]:
        performer = self.performer(number)
        c = self.counters
        p50, p99 = self.latency_percentiles()
        values = {
            "performer": number,
            "temperature": performer.temperature,
            "sustain": int(performer.sustain),
            "sounding": len(performer.sounding),
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
            "udp_drops": self.udp_drops() if udp_drops == -1 else udp_drops,
            "latency_p50_us": p50,
            "latency_p99_us": p99,
            "uptime_s": self.clock() - self.started,
        }
        assert tuple(values) == p.STATUS_FIELDS
        return values

    # The transport replaces this with a reading of the kernel's counter for its socket.
    def udp_drops(self) -> int:
        return -1
