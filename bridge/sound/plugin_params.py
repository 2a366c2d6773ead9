"""An instrument plugin's parameters as the bridge sees them (issue 19): what the synth child reports when the
plugin has loaded (name, label, range, default, value), and the run's table that `/genie/plugin/param` sets and
the OSCQuery tree reads.

The plugin itself lives in the synth child (bridge/sound/synth_process.py); this module loads no plugin code
and imports no plugin host, so `serve --synth fm` pays nothing for it. A value is checked here, against the
range the plugin declared, before it goes down the pipe: a peer's bad value is refused, never clamped."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Protocol

# A parameter gets its own OSC address only if its name is safe in one (LV2 symbols always are).
OSC_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: `name` is what --plugin-param and OSC take (an LV2 symbol, pedalboard's Python name of a
    VST3 parameter), `label` the plugin's own name for it; LV2 in the control's own range, VST3 0..1."""

    name: str
    label: str
    minimum: float
    maximum: float
    default: float
    value: float

    def to_wire(self) -> list:
        return [self.name, self.label, self.minimum, self.maximum, self.default, self.value]

    @classmethod
    def from_wire(cls, fields: list) -> "ParamSpec":
        name, label, *numbers = fields
        return cls(str(name), str(label), *(float(x) for x in numbers))

    def problem(self, value: float) -> str | None:
        """Why `value` cannot be set, or None."""
        if not (math.isfinite(value) and self.minimum <= value <= self.maximum):
            return f"{self.name} must be in [{self.minimum:g}, {self.maximum:g}], got {value!r}"
        return None


def has_range(low: float, high: float) -> bool:
    """A control the bridge can offer: a finite range (a control with none could take any value)."""
    return math.isfinite(low) and math.isfinite(high) and low < high


class ParamSink(Protocol):
    """Where a checked value goes: the synth child (SynthProcess.set_param)."""

    alive: bool

    def set_param(self, index: int, value: float) -> None: ...


class PluginParams:
    """The loaded plugin's parameters, by name, with the value each was last set to. `set` is called under the
    dispatcher's lock; the OSCQuery server reads `value` without it (one dict read, atomic under the GIL)."""

    def __init__(self, plugin: str, specs: list[ParamSpec], sink: ParamSink):
        self.plugin = plugin
        self.specs = {spec.name: spec for spec in specs}
        self.index = {spec.name: n for n, spec in enumerate(specs)}
        self.values = {spec.name: spec.value for spec in specs}
        self.sink = sink

    def names(self) -> list[str]:
        return list(self.specs)

    def value(self, name: str) -> float:
        return self.values[name]

    def set(self, name: str, value: float) -> str | None:
        """Sets a parameter live; returns why not (one line naming the parameter and its range), or None."""
        spec = self.specs.get(name)
        if spec is None:
            return f"{self.plugin} has no parameter {name!r} (it has {', '.join(self.specs) or 'none'})"
        problem = spec.problem(value)
        if problem:
            return problem
        if not self.sink.alive:
            return f"{self.plugin}: the synth process has stopped; {name} is not set"
        self.sink.set_param(self.index[name], value)
        self.values[name] = value
        return None


def describe(specs: list[ParamSpec]) -> list[str]:
    """`pianogenie plugins --params`: one line per parameter."""
    width = max((len(spec.name) for spec in specs), default=0)
    return [f"  {spec.name:<{width}}  {spec.minimum:g}..{spec.maximum:g}, default {spec.default:g}  ({spec.label})"
            for spec in specs]


def as_preset(plugin: str, specs: list[ParamSpec]) -> dict[str, Any]:
    """A preset file's contents (bridge/sound/preset.py reads it back), every parameter at its default."""
    return {"uri": plugin, "params": {spec.name: spec.default for spec in specs}}
