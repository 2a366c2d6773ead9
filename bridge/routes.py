"""An OSC address declared once: a `Route` holds its verb, argument schema, handler, OSCQuery value getter and
doc line. The dispatcher's validation and lookup, the OSCQuery tree and the docs check are all read from a
`RouteTable` of them, so adding an address is one declaration plus its handler (bridge/handlers.py).

A performer route answers at `/genie/<verb>` and `/genie/<n>/<verb>` (n = 0..MAX_PERFORMERS-1); a bridge route
only at the bare address."""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator

from . import protocol as p
from .protocol import ProtocolError
from .schema import Arg, Many

# A handler: (host, performer, address, values, time, sender) -> None, host being the bridge it serves.
Handler = Callable[..., None]
# Reads a route's live OSCQuery VALUE: (host, performer) -> one value per type tag.
Getter = Callable[[Any, int], list]

# OSCQuery ACCESS bits: a value to read back, arguments to write.
READ, WRITE = 1, 2
# docs/osc.md's table of the addresses a controller sends.
INPUT_HEADING = "## Input (controller -> bridge)"

_PERFORMER_ADDRESS = re.compile(re.escape(p.PREFIX) + r"/([0-9]{1,6})/[a-z]+")


class Route:
    """One input address. `playing`: a performer's own playing, the only messages that make their sender the one
    its timeout, swap and shutdown note-offs go to (a monitor's status poll must not take them). `counter`: the
    Counters field a rejection of this route also counts in."""

    def __init__(self, verb: str, args: tuple[Arg | Many, ...], handler: Handler | None, doc: str,
                 value: Getter | None = None, per_performer: bool = True, playing: bool = False,
                 counter: str | None = None):
        if any(isinstance(arg, Many) for arg in args) and len(args) != 1:
            raise ValueError(f"{verb}: a Many argument must be the route's only one")
        optional = [arg.optional for arg in args if isinstance(arg, Arg)]
        if optional != sorted(optional):
            raise ValueError(f"{verb}: only trailing arguments may be optional")
        self.verb, self.args, self.handler, self.doc = verb, args, handler, doc
        self.value, self.per_performer, self.playing, self.counter = value, per_performer, playing, counter
        self.address = f"{p.PREFIX}/{verb}"
        self.types = "".join(arg.tag for arg in args) or None
        self.access = (WRITE if self.types else 0) | (READ if value is not None else 0)
        self.description = doc.replace("`", "")
        self._many = args[0].each if args and isinstance(args[0], Many) else None
        self._takes = tuple(arg.take for arg in args if isinstance(arg, Arg))
        self._least = sum(not arg.optional for arg in args if isinstance(arg, Arg))
        self._most = len(self._takes)

    def parse(self, address: str, args: list) -> list:
        """The handler's values from the peer's arguments; ProtocolError naming the address otherwise."""
        if self._many is not None:
            take = self._many.take
            return [take(value, address) for value in args]
        n = len(args)
        if not self._least <= n <= self._most:
            raise ProtocolError(self._count_error(address, n))
        takes = self._takes
        if n == 1:  # most messages: skip the zip
            return [takes[0](args[0], address)]
        return [take(value, address) for take, value in zip(takes, args)]

    def _count_error(self, address: str, n: int) -> str:
        if not self._most:
            return f"{address}: takes no arguments, got {n}"
        usage = " ".join(f"[{arg.name}]" if arg.optional else arg.name for arg in self.args)
        return f"{address}: expected {usage}, got {n} arguments"

    def bounds(self, host: Any) -> list[dict]:
        """The OSCQuery RANGE: one entry per type tag."""
        return [arg.bounds(host) for arg in self.args]

    def doc_arguments(self) -> str:
        """docs/osc.md's arguments column for this address."""
        return " ".join(arg.doc() for arg in self.args) or "none"


class Output:
    """An address the bridge sends (never receives): OSCQuery lists it read-only, with its types and ranges."""

    access = READ
    value = None

    def __init__(self, address: str, args: tuple[Arg, ...], doc: str, per_performer: bool = False,
                 value: Callable[[Any, int], list] | None = None):
        self.address, self.args, self.per_performer = address, args, per_performer
        if value is not None:  # a value the tree shows live (GET, or LISTEN), read from the bridge at each request
            self.value = value
        self.types = "".join(arg.tag for arg in args) or None
        self.description = doc.replace("`", "")

    def bounds(self, host: Any) -> list[dict]:
        return [arg.bounds(host) for arg in self.args]


class RouteTable:
    """The routes one bridge serves, in declaration order (the order of docs/osc.md's table and of OSCQuery)."""

    def __init__(self, routes: tuple[Route, ...] = ()):
        self._routes: dict[str, Route] = {}
        self._addresses: dict[str, tuple[Route, int]] | None = None
        self.version = 0  # bumped by each route added: the OSCQuery tree's shape depends on it
        for route in routes:
            self.add(route)

    def add(self, route: Route) -> Route:
        if route.verb in self._routes:
            raise ValueError(f"{route.address} is declared twice")
        self._routes[route.verb] = route
        self._addresses = None
        self.version += 1
        return route

    def route(self, verb: str, *args: Arg | Many, doc: str, **options: Any) -> Callable[[Handler], Handler]:
        """Declares the decorated function as the handler of `verb`."""
        def declare(handler: Handler) -> Handler:
            self.add(Route(verb, args, handler, doc, **options))
            return handler
        return declare

    def copy(self) -> "RouteTable":
        """A table to extend without changing this one."""
        return RouteTable(tuple(self))

    def __iter__(self) -> Iterator[Route]:
        return iter(self._routes.values())

    def __getitem__(self, verb: str) -> Route:
        return self._routes[verb]

    def addresses(self) -> dict[str, tuple[Route, int]]:
        """Every address a peer may send -> (route, performer); anything else is rejected."""
        if self._addresses is None:
            table = {route.address: (route, 0) for route in self}
            for n in range(p.MAX_PERFORMERS):
                for route in self:
                    if route.per_performer:
                        table[p.performer_address(route.address, n)] = (route, n)
            self._addresses = table
        return self._addresses

    def resolve(self, address: str) -> tuple[Route, int]:
        """`/genie/3/press` -> (the press route, 3); ProtocolError saying why for an address not served."""
        found = self.addresses().get(address)
        if found is None:
            reject_address(address)
        return found


def reject_address(address: str) -> None:
    """Raises the ProtocolError that says why an address is not in a table."""
    match = _PERFORMER_ADDRESS.fullmatch(address)
    if match and int(match.group(1)) >= p.MAX_PERFORMERS:
        raise ProtocolError(f"{address}: performer must be 0..{p.MAX_PERFORMERS - 1}, got {int(match.group(1))}")
    raise ProtocolError(f"unknown address {p.shown(address)}")


# --- the docs check -----------------------------------------------------------------------------------------------


def documented(markdown: str, heading: str = INPUT_HEADING) -> list[tuple[str, str, str]]:
    """(address, arguments, effect) of each row of the docs' address table under `heading`."""
    section = markdown.split(heading, 1)[1].split("\n## ")[0] if heading in markdown else ""
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 3 and cells[0].startswith("`" + p.PREFIX):
            rows.append((cells[0].strip("`"), cells[1], cells[2]))
    return rows


def doc_row(route: Route) -> str:
    """The row docs/osc.md's input table holds for `route`."""
    return f"| `{route.address}` | {route.doc_arguments()} | {route.doc} |"


def docs_problems(table: RouteTable, markdown: str) -> list[str]:
    """What docs/osc.md's input table says differently from the declarations: each problem one line."""
    rows = {address: (arguments, effect) for address, arguments, effect in documented(markdown)}
    problems = []
    for route in table:
        if route.address not in rows:
            problems.append(f"{route.address}: declared but not in docs/osc.md's input table; its row: {doc_row(route)}")
            continue
        arguments, effect = rows[route.address]
        if arguments != route.doc_arguments():
            problems.append(f"{route.address}: the docs' arguments are {arguments!r}, the declaration's "
                            f"{route.doc_arguments()!r}")
        if effect != route.doc:
            problems.append(f"{route.address}: the docs' effect is {effect!r}, the declaration's {route.doc!r}")
    declared = [route.address for route in table]
    problems += [f"{address}: in docs/osc.md but not declared" for address in rows if address not in declared]
    if not problems and list(rows) != declared:
        problems.append(f"docs/osc.md lists the addresses in another order than their declarations: {list(rows)}")
    return problems
