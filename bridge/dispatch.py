"""The dispatcher: OSC messages in (already parsed, timed on arrival), each checked against its route's schema and
handed to its handler. Like python-osc's Dispatcher it knows nothing of sockets: replies leave through the
`Outbox`, whose link a transport sets. Every state change happens under `lock`, so the receiving thread, a MIDI
callback, a model load and the idle sweep never interleave."""

from __future__ import annotations

import threading
from functools import partial
from typing import Any, Callable, Protocol

from . import protocol as p
from .performer import Counters, NoteSink, Performer
from .protocol import ProtocolError
from .routes import Route, RouteTable, reject_address

# Characters of an error reply's reason.
MAX_REASON = 300


class Link(NoteSink, Protocol):
    """The transport as the bridge sees it: a note sink that answers senders, plus its socket's drop counter."""

    def reply(self, sender: Any, address: str, values: tuple) -> None: ...

    def udp_drops(self) -> int: ...


class Outbox:
    """Replies and error answers, through the link once a transport has connected one (before: nowhere)."""

    def __init__(self, counters: Counters):
        self.counters = counters
        self.link: Link | None = None

    def reply(self, sender: Any, address: str, values: tuple) -> None:
        if self.link is not None:
            self.link.reply(sender, address, values)

    def reject(self, reason: str, sender: Any = None) -> None:
        """Count a rejected packet or message and answer it with /genie/error (truncated: the reply must fit a
        datagram whatever the peer sent)."""
        self.counters.errors += 1
        if self.link is not None:
            if len(reason) > MAX_REASON:
                reason = reason[:MAX_REASON - 3] + "..."
            self.link.reply(sender, p.OUT_ERROR, (reason,))


class Dispatcher:
    """Routes of `table`, their handlers bound to `host`. `handlers` maps a verb to its bound handler: a route
    declared without one is answered as not supported, a protocol error like any other rejection."""

    def __init__(self, table: RouteTable, host: Any, performers: dict[int, Performer], counters: Counters,
                 outbox: Outbox, clock: Callable[[], float], recorder: Callable[[], Any] = lambda: None):
        self.table = table
        self.recorder = recorder  # the take being recorded, if any: it hears every accepted message
        self.performers = performers
        self.counters = counters
        self.outbox = outbox
        self.clock = clock
        self.lock = threading.RLock()
        self.handlers: dict[str, Callable[..., None]] = {
            route.verb: partial(route.handler, host) for route in table if route.handler is not None}
        self._addresses = table.addresses()

    def add(self, route: Route, host: Any) -> None:
        """A route served from now on (a loaded plugin's parameters): call before messages flow or under the lock."""
        self.table.add(route)
        if route.handler is not None:
            self.handlers[route.verb] = partial(route.handler, host)
        self._addresses = self.table.addresses()

    def dispatch(self, address: str, args: list, sender: Any = None, time: float | None = None) -> None:
        """Handle one message. Raises ProtocolError for anything the bridge rejects; a rejected message changes
        nothing (no performer is created, no idle timer reset, no reply routing changed)."""
        self.counters.messages += 1  # every message, accepted or not: messages = accepted + rejected
        found = self._addresses.get(address)
        if found is None:
            reject_address(address)  # raises the error that says why
        route, number = found
        handler = self.handlers.get(route.verb)
        if handler is None:  # declared but not served here: the peer's mistake, not ours
            raise ProtocolError(f"{address}: not supported by this server")
        if time is None:
            time = self.clock()
        if route.counter is None:
            handler(number, address, route.parse(address, args), time, sender)
        else:
            try:
                handler(number, address, route.parse(address, args), time, sender)
            except ProtocolError:
                setattr(self.counters, route.counter, getattr(self.counters, route.counter) + 1)
                raise
        recorder = self.recorder()
        if recorder is not None:  # resets, key sets, temperature, sustain, panics: a take replays exactly
            recorder.message(number, route.verb, time, self.performers.get(number))
        # Accepted: only now is it the performer's activity, and its sender where timeout note-offs go; and only
        # for its own playing (issue 23.2: a monitor's status poll must not take the player's note-offs).
        if route.playing:
            performer = self.performers.get(number)
            if performer is not None:
                performer.last_activity = time
                if sender is not None:
                    performer.last_sender = sender

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
            self.outbox.reject(str(exc), sender)
        except ValueError as exc:  # the engine's own input checks
            self.outbox.reject(f"{address}: {exc}", sender)
        return False
