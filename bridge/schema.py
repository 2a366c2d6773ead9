"""The argument types an OSC route declares: each checks and converts one peer value, and describes itself to
OSCQuery (type tag, RANGE) and to docs/osc.md (the arguments column). A route's schema is a tuple of these, so
the range a handler may rely on, the RANGE a client reads and the docs' column come from one place.

Every check raises ProtocolError naming the address; a value the peer got wrong is never an internal error."""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Callable

from .protocol import ProtocolError, shown, velocity_from_osc, whole_number

# Reads a choice list from the running bridge (the models folder's names): the OSCQuery RANGE's VALS.
Choices = Callable[[Any], list]


class Arg:
    """One argument: its OSC type tag, its name in the docs and in error texts, and whether it may be left out
    (only trailing arguments are optional)."""

    tag = "?"

    def __init__(self, name: str, optional: bool = False):
        self.name = name
        self.optional = optional

    def take(self, value: Any, address: str) -> Any:
        """The value as the handler gets it; ProtocolError when the peer's value is not one."""
        raise NotImplementedError

    def bounds(self, host: Any) -> dict:
        """This argument's OSCQuery RANGE entry."""
        return {}

    def limits(self) -> str:
        """The range as docs/osc.md writes it after the argument, e.g. `0..7`; empty for none."""
        return ""

    def doc(self) -> str:
        """The argument as docs/osc.md's arguments column writes it."""
        spelled = f"{self.tag}:{self.name}"
        text = f"`[{spelled}]`" if self.optional else f"`{spelled}`"
        limits = self.limits()
        return f"{text} {limits}" if limits else text


class Int(Arg):
    """A whole number in [low, high]: an OSC int, or a float with no fraction (Pd sends every number as a float)."""

    tag = "i"

    def __init__(self, name: str, low: int, high: int, optional: bool = False, what: str = ""):
        super().__init__(name, optional)
        self.low, self.high = low, high
        self.what = what or f"{name} must be {low}..{high}"

    def take(self, value: Any, address: str) -> int:
        if type(value) is int and self.low <= value <= self.high:  # the common case, first
            return value
        number = whole_number(value, f"{address}: {self.name}")
        if not self.low <= number <= self.high:
            raise ProtocolError(f"{address}: {self.what}, got {number}")
        return number

    def bounds(self, host: Any) -> dict:
        return {"MIN": self.low, "MAX": self.high}

    def limits(self) -> str:
        return f"{self.low}..{self.high}"


class Flag(Arg):
    """0 or 1 (also OSC's T and F), as a bool."""

    tag = "i"

    def take(self, value: Any, address: str) -> bool:
        if isinstance(value, bool):
            return value
        number = whole_number(value, f"{address}: {self.name}")
        if number not in (0, 1):
            raise ProtocolError(f"{address}: {self.name} must be 0 or 1, got {number}")
        return bool(number)

    def bounds(self, host: Any) -> dict:
        return {"MIN": 0, "MAX": 1, "VALS": [0, 1]}

    def limits(self) -> str:
        return "0\\|1"


class Float(Arg):
    """A finite number in [low, high], int or float (not a bool)."""

    tag = "f"

    def __init__(self, name: str, low: float, high: float, optional: bool = False):
        super().__init__(name, optional)
        self.low, self.high = float(low), float(high)

    def take(self, value: Any, address: str) -> float:
        if type(value) is float and self.low <= value <= self.high:  # the common case, first (NaN fails it)
            return value
        if isinstance(value, bool) or not isinstance(value, Real):
            raise ProtocolError(f"{address}: {self.name} must be a number in [{self.low:g}, {self.high:g}], got "
                                f"{type(value).__name__} {shown(value)}")
        number = float(value)
        if not (math.isfinite(number) and self.low <= number <= self.high):
            raise ProtocolError(f"{address}: {self.name} must be in [{self.low:g}, {self.high:g}], got {shown(value)}")
        return number

    def bounds(self, host: Any) -> dict:
        return {"MIN": self.low, "MAX": self.high}

    def limits(self) -> str:
        return f"{self.low:g}..{self.high:g}"


class Number(Arg):
    """Any finite number, int or float (not a bool): for a value whose range the handler knows (a plugin's
    parameter, each with its own)."""

    tag = "f"

    def take(self, value: Any, address: str) -> float:
        if type(value) is float and math.isfinite(value):
            return value
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
            raise ProtocolError(f"{address}: {self.name} must be a finite number, got {type(value).__name__} "
                                f"{shown(value)}")
        return float(value)


class Velocity(Arg):
    """A MIDI velocity 1..127, or a float in (0, 1] scaled to it; OSCQuery describes the int form."""

    tag = "i"

    def take(self, value: Any, address: str) -> int:
        if type(value) is int and 1 <= value <= 127:
            return value
        try:
            return velocity_from_osc(value)
        except ProtocolError as exc:
            raise ProtocolError(f"{address}: {exc}") from None

    def bounds(self, host: Any) -> dict:
        return {"MIN": 1, "MAX": 127}

    def limits(self) -> str:
        return "1..127 or (0, 1]"


class Text(Arg):
    """A string; `choices` (read from the running bridge) lists the values OSCQuery offers."""

    tag = "s"

    def __init__(self, name: str, choices: Choices | None = None, optional: bool = False):
        super().__init__(name, optional)
        self.choices = choices

    def take(self, value: Any, address: str) -> str:
        if not isinstance(value, str):
            raise ProtocolError(f"{address}: {self.name} must be a string, got {type(value).__name__} {shown(value)}")
        return value

    def bounds(self, host: Any) -> dict:
        return {"VALS": self.choices(host)} if self.choices is not None else {}


class Many:
    """Any number of one argument type, none included (`/genie/keys i:pitch ...`)."""

    def __init__(self, each: Arg):
        self.each = each
        self.tag = each.tag
        self.name = each.name

    def bounds(self, host: Any) -> dict:
        return self.each.bounds(host)

    def doc(self) -> str:
        limits = self.each.limits()
        return f"`{self.tag}:{self.name} ...`" + (f" {limits}" if limits else "")
