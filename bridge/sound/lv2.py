"""An LV2 instrument as a block renderer: notes in at exact frame offsets, stereo audio out, block by block.

`--synth lv2:URI` plays it, live in the synth child and offline in `render`. The host provides what instruments
ask for most: urid:map and unmap, options:options with the block lengths and the sample rate (DPF plugins need
them), and buf-size's bounded block length. MIDI goes in as an atom:Sequence with frame offsets.

An instrument here is a plugin with an atom input that takes MIDI events and one or two audio outputs: LV2's
class (lv2:InstrumentPlugin) is optional, and many instruments, MDA Piano among them, do not declare it.
"""

from __future__ import annotations

import ctypes
import struct
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from . import lilv
from .instrument import MidiInstrument, PluginError
from .plugin_params import ParamSpec, has_range
from .voices import DEFAULT_SAMPLE_RATE

SCHEME = "lv2:"
MAX_BLOCK = 4096            # frames per run(); longer renders are split
ATOM_CAPACITY = 1 << 16     # bytes of the MIDI input sequence per block: about 4,000 events


@dataclass(frozen=True)
class PluginInfo:
    uri: str
    name: str
    usable: bool
    why: str = ""  # why not usable


@dataclass(frozen=True)
class Port:
    index: int
    symbol: str
    name: str
    kind: str        # "audio" | "control" | "atom" | "other"
    is_input: bool
    midi: bool = False
    minimum: float = 0.0
    maximum: float = 1.0
    default: float = 0.0


def _ports(world: lilv.World, plugin: int) -> list[Port]:
    lib = world.lib
    count = lib.lilv_plugin_get_num_ports(plugin)
    lows, highs, defaults = ((ctypes.c_float * count)() for _ in range(3))
    lib.lilv_plugin_get_port_ranges_float(plugin, lows, highs, defaults)
    ports = []
    for index in range(count):
        port = lib.lilv_plugin_get_port_by_index(plugin, index)

        def is_a(uri: str) -> bool:
            return bool(lib.lilv_port_is_a(plugin, port, world.node(uri)))

        kind = ("audio" if is_a(lilv.AUDIO_PORT) else "control" if is_a(lilv.CONTROL_PORT)
                else "atom" if is_a(lilv.ATOM_PORT) else "other")
        midi = kind == "atom" and bool(lib.lilv_port_supports_event(plugin, port, world.node(lilv.MIDI_EVENT)))
        values = [v if v == v else 0.0 for v in (lows[index], highs[index], defaults[index])]  # NaN: unset
        ports.append(Port(index, world.string(lib.lilv_port_get_symbol(plugin, port)),
                          world.owned_string(lib.lilv_port_get_name(plugin, port)), kind, is_a(lilv.INPUT_PORT),
                          midi, *values))
    return ports


def _unusable(ports: list[Port], required: list[str]) -> str:
    """Why this plugin cannot be played as an instrument here, or ''."""
    missing = [uri for uri in required if uri not in PROVIDED_FEATURES]
    if missing:
        return f"needs features this host lacks: {', '.join(missing)}"
    if not any(p.kind == "atom" and p.is_input and p.midi for p in ports):
        return "not an instrument (no MIDI input)"
    outs = sum(p.kind == "audio" and not p.is_input for p in ports)
    if outs not in (1, 2):
        return f"has {outs} audio outputs (1 or 2 are played)"
    if any(p.kind == "other" for p in ports):
        return "has a port of a kind this host does not know (CV?)"
    return ""


PROVIDED_FEATURES = (lilv.URID_MAP, lilv.URID_UNMAP, lilv.OPTIONS, lilv.BOUNDED_BLOCK, *lilv.HARMLESS_FEATURES)


def list_plugins() -> list[PluginInfo]:
    """Every LV2 plugin installed (LV2_PATH, or the system's folders) with a MIDI input, and whether it plays."""
    world = lilv.World()
    try:
        found = []
        for plugin in world.all_plugins():
            ports = _ports(world, plugin)
            if not any(p.kind == "atom" and p.is_input and p.midi for p in ports):
                continue  # an effect: not worth listing among instruments
            why = _unusable(ports, world.required_features(plugin))
            found.append(PluginInfo(world.string(world.lib.lilv_plugin_get_uri(plugin)),
                                    world.owned_string(world.lib.lilv_plugin_get_name(plugin)), not why, why))
        return sorted(found, key=lambda info: info.uri)
    finally:
        world.close()


def _instrument(world: lilv.World, uri: str) -> tuple[int, list[Port]]:
    """The installed plugin at `uri` and its ports; PluginError unless this host can play it as an instrument."""
    plugin = world.plugin(uri)
    if plugin is None:
        raise PluginError(f"lv2:{uri}: no such LV2 plugin installed (`pianogenie plugins` lists them)")
    ports = _ports(world, plugin)
    why = _unusable(ports, world.required_features(plugin))
    if why:
        raise PluginError(f"lv2:{uri}: {why}")
    return plugin, ports


def _specs(ports: list[Port], values: dict[str, float] | None = None) -> list[ParamSpec]:
    """The control inputs with a range, in port order: what OSC and presets may set."""
    values = values or {}
    return [ParamSpec(p.symbol, p.name, p.minimum, p.maximum, p.default, values.get(p.symbol, p.default))
            for p in ports if p.kind == "control" and p.is_input and has_range(p.minimum, p.maximum)]


def param_specs(uri: str) -> list[ParamSpec]:
    """An installed instrument's parameters at their defaults, read from its description (no plugin code runs);
    PluginError as check_instrument."""
    world = lilv.World()
    try:
        return _specs(_instrument(world, uri)[1])
    finally:
        world.close()


def check_instrument(uri: str) -> None:
    """PluginError unless `uri` is an installed LV2 instrument this host can play; loads no plugin code."""
    world = lilv.World()
    try:
        _instrument(world, uri)
    finally:
        world.close()


class _Urids:
    """urid:map and unmap: URIs to small integers, kept for the instance's life (plugins cache them)."""

    def __init__(self) -> None:
        self.ids: dict[bytes, int] = {}
        self.uris: list[bytes] = []
        self._keep: list[ctypes.c_char_p] = []
        self.map_struct = lilv.UridMap(None, lilv.MapFunction(self._map))
        self.unmap_struct = lilv.UridUnmap(None, lilv.UnmapFunction(self._unmap))

    def _map(self, _handle: int, uri: bytes) -> int:
        if uri not in self.ids:
            self.uris.append(uri)
            self._keep.append(ctypes.c_char_p(uri))
            self.ids[uri] = len(self.uris)
        return self.ids[uri]

    def _unmap(self, _handle: int, urid: int) -> int | None:
        return ctypes.cast(self._keep[urid - 1], ctypes.c_void_p).value if 1 <= urid <= len(self._keep) else None

    def __call__(self, uri: str) -> int:
        return self._map(None, uri.encode())


class Lv2Instrument(MidiInstrument):
    """One instance of an LV2 instrument (bridge/sound/instrument.py says how events and blocks go)."""

    def __init__(self, uri: str, sample_rate: int = DEFAULT_SAMPLE_RATE, block: int = 64,
                 params: dict[str, float] | None = None):
        super().__init__()
        self.uri = uri
        self.sample_rate = int(sample_rate)
        self.world = lilv.World()
        self.instance = None
        try:
            self._open(uri, max(1, int(block)), params or {})
        except Exception:
            self.close()
            raise

    def _open(self, uri: str, block: int, params: dict[str, float]) -> None:
        plugin, self.ports = _instrument(self.world, uri)
        self.name = self.world.owned_string(self.world.lib.lilv_plugin_get_name(plugin))
        self.urid = _Urids()
        self._features = self._make_features(block)
        self.instance = self.world.lib.lilv_plugin_instantiate(plugin, float(self.sample_rate), self._features)
        if not self.instance:
            self.instance = None
            raise PluginError(f"lv2:{uri}: the plugin failed to instantiate at {self.sample_rate} Hz")
        self.descriptor = self.instance.contents.descriptor.contents
        self.handle = self.instance.contents.handle
        self._connect()
        for name, value in params.items():
            self.set_param(name, value)
        if self.descriptor.activate:
            self.descriptor.activate(self.handle)
        self._active = True

    def _make_features(self, block: int):
        u = self.urid
        self._ints = (ctypes.c_int32 * 3)(1, MAX_BLOCK, block)
        self._rate = ctypes.c_float(self.sample_rate)
        int_type, float_type = u(lilv.ATOM_INT), u(lilv.ATOM_FLOAT)
        p = ctypes.addressof
        self._options = (lilv.Option * 5)(
            lilv.Option(0, 0, u(lilv.MIN_BLOCK), 4, int_type, p(self._ints) + 0),
            lilv.Option(0, 0, u(lilv.MAX_BLOCK), 4, int_type, p(self._ints) + 4),
            lilv.Option(0, 0, u(lilv.NOMINAL_BLOCK), 4, int_type, p(self._ints) + 8),
            lilv.Option(0, 0, u(lilv.SAMPLE_RATE), 4, float_type, p(self._rate)),
            lilv.Option(0, 0, 0, 0, 0, None))
        features = [lilv.Feature(lilv.URID_MAP.encode(), p(u.map_struct)),
                    lilv.Feature(lilv.URID_UNMAP.encode(), p(u.unmap_struct)),
                    lilv.Feature(lilv.OPTIONS.encode(), p(self._options)),
                    lilv.Feature(lilv.BOUNDED_BLOCK.encode(), None)]
        self._feature_structs = features
        array = (ctypes.c_void_p * (len(features) + 1))(*[p(f) for f in features], None)
        return array

    def _connect(self) -> None:
        u = self.urid
        self.midi_event, self.sequence, self.chunk = u(lilv.MIDI_EVENT), u(lilv.ATOM_SEQUENCE), u(lilv.ATOM_CHUNK)
        self.controls = (ctypes.c_float * len(self.ports))(*[p.default for p in self.ports])
        self.by_symbol = {p.symbol: p for p in self.ports if p.kind == "control" and p.is_input}
        self.audio_out = np.zeros((2, MAX_BLOCK), dtype=np.float32)
        self.audio_in = np.zeros(MAX_BLOCK, dtype=np.float32)
        self.atom_in = (ctypes.c_uint64 * (ATOM_CAPACITY // 8))()
        self.atom_spare_in = (ctypes.c_uint64 * 4)()
        self.atom_out = (ctypes.c_uint64 * (ATOM_CAPACITY // 8))()
        self.outputs = 0
        midi_done = False
        connect = self.descriptor.connect_port
        for port in self.ports:
            if port.kind == "audio" and not port.is_input:
                connect(self.handle, port.index, self.audio_out[self.outputs].ctypes.data)
                self.outputs += 1
            elif port.kind == "audio":
                connect(self.handle, port.index, self.audio_in.ctypes.data)
            elif port.kind == "control":
                connect(self.handle, port.index, ctypes.addressof(self.controls) + 4 * port.index)
            elif port.kind == "atom" and port.is_input and port.midi and not midi_done:
                connect(self.handle, port.index, ctypes.addressof(self.atom_in))
                midi_done = True
            elif port.kind == "atom" and port.is_input:
                struct.pack_into("<IIII", self.atom_spare_in, 0, 8, self.sequence, 0, 0)
                connect(self.handle, port.index, ctypes.addressof(self.atom_spare_in))
            else:
                connect(self.handle, port.index, ctypes.addressof(self.atom_out))

    # --- parameters ------------------------------------------------------------------------------------------

    def params(self) -> dict[str, Port]:
        """The control inputs by symbol."""
        return dict(self.by_symbol)

    def set_param(self, name: str, value: float) -> float:
        """Sets a control input by symbol (or its name), clamped to its range; returns the value set."""
        port = self.by_symbol.get(name) or next((p for p in self.by_symbol.values() if p.name == name), None)
        if port is None:
            raise PluginError(f"lv2:{self.uri}: no parameter {name!r} (it has {', '.join(sorted(self.by_symbol))})")
        value = float(value)
        if value != value:
            raise PluginError(f"lv2:{self.uri}: parameter {name} must be a number, got NaN")
        low, high = min(port.minimum, port.maximum), max(port.minimum, port.maximum)
        value = min(high, max(low, value)) if high > low else value
        self.controls[port.index] = value
        return value

    def get_param(self, name: str) -> float:
        return float(self.controls[self.by_symbol[name].index])

    def param_specs(self) -> list[ParamSpec]:
        """The parameters with the values they have now (--plugin-param and the preset applied)."""
        return _specs(self.ports, {symbol: self.get_param(symbol) for symbol in self.by_symbol})

    # --- audio -----------------------------------------------------------------------------------------------

    def _write_sequence(self, events: Iterable[tuple[int, bytes]]) -> None:
        """The input atom:Sequence for one run: header, then each event (frames, size, type, data) 8-aligned."""
        at = 16
        for frame, data in events:
            need = 16 + ((len(data) + 7) & ~7)
            if at + need > ATOM_CAPACITY:
                break  # more than the block can hold: later events wait for no one, they are dropped
            struct.pack_into("<qII", self.atom_in, at, frame, len(data), self.midi_event)
            ctypes.memmove(ctypes.addressof(self.atom_in) + at + 16, data, len(data))
            at += need
        struct.pack_into("<IIII", self.atom_in, 0, at - 8, self.sequence, 0, 0)

    def _run(self, frames: int, events: list[tuple[int, bytes]]) -> np.ndarray:
        self._write_sequence(events)
        struct.pack_into("<II", self.atom_out, 0, ATOM_CAPACITY - 8, self.chunk)
        self.descriptor.run(self.handle, frames)
        out = self.audio_out[:, :frames]
        return np.stack([out[0], out[1] if self.outputs == 2 else out[0]], axis=1)

    def render(self, frames: int) -> np.ndarray:
        if frames <= 0:
            return np.zeros((0, 2), np.float32)
        events = self.take_events(frames)
        out = np.empty((frames, 2), np.float32)
        for start in range(0, frames, MAX_BLOCK):
            n = min(MAX_BLOCK, frames - start)
            out[start:start + n] = self._run(n, [(f - start, d) for f, d in events if start <= f < start + n])
        self.now += frames
        return out

    def close(self) -> None:
        """Deactivates and frees the instance (DPF plugins assert if they are left active), then the world."""
        if self.instance is not None:
            if getattr(self, "_active", False) and self.descriptor.deactivate:
                self.descriptor.deactivate(self.handle)
            self._active = False
            self.world.lib.lilv_instance_free(self.instance)
            self.instance = None
        if self.world is not None:
            self.world.close()
            self.world = None
