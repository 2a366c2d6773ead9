"""A small ctypes binding over the C library lilv (liblilv-0), for the LV2 host (bridge/sound/lv2.py).

Debian 12 ships liblilv-0-0 but no Python binding (python3-lilv comes with trixie, and PyPI has none), so this
covers the few calls the host needs: the world and its plugins, ports, instantiation. lilv's `lilv_instance_*`
calls are static inline in its header, so the host reaches the plugin's LV2_Descriptor through the instance
struct, as they do; `activate` and `deactivate` may be NULL.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Iterator

LV2_CORE = "http://lv2plug.in/ns/lv2core#"
LV2_ATOM = "http://lv2plug.in/ns/ext/atom#"
AUDIO_PORT = LV2_CORE + "AudioPort"
CONTROL_PORT = LV2_CORE + "ControlPort"
INPUT_PORT = LV2_CORE + "InputPort"
OUTPUT_PORT = LV2_CORE + "OutputPort"
ATOM_PORT = LV2_ATOM + "AtomPort"
ATOM_SEQUENCE = LV2_ATOM + "Sequence"
ATOM_CHUNK = LV2_ATOM + "Chunk"
ATOM_INT = LV2_ATOM + "Int"
ATOM_FLOAT = LV2_ATOM + "Float"
MIDI_EVENT = "http://lv2plug.in/ns/ext/midi#MidiEvent"
URID_MAP = "http://lv2plug.in/ns/ext/urid#map"
URID_UNMAP = "http://lv2plug.in/ns/ext/urid#unmap"
OPTIONS = "http://lv2plug.in/ns/ext/options#options"
BUF_SIZE = "http://lv2plug.in/ns/ext/buf-size#"
BOUNDED_BLOCK = BUF_SIZE + "boundedBlockLength"
MAX_BLOCK = BUF_SIZE + "maxBlockLength"
MIN_BLOCK = BUF_SIZE + "minBlockLength"
NOMINAL_BLOCK = BUF_SIZE + "nominalBlockLength"
SAMPLE_RATE = "http://lv2plug.in/ns/ext/parameters#sampleRate"
# Features every host may claim without providing anything.
HARMLESS_FEATURES = (LV2_CORE + "hardRTCapable", LV2_CORE + "inPlaceBroken", LV2_CORE + "isLive")


class LilvMissing(RuntimeError):
    pass


class Feature(ctypes.Structure):
    _fields_ = [("URI", ctypes.c_char_p), ("data", ctypes.c_void_p)]


MapFunction = ctypes.CFUNCTYPE(ctypes.c_uint32, ctypes.c_void_p, ctypes.c_char_p)
UnmapFunction = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32)


class UridMap(ctypes.Structure):
    _fields_ = [("handle", ctypes.c_void_p), ("map", MapFunction)]


class UridUnmap(ctypes.Structure):
    _fields_ = [("handle", ctypes.c_void_p), ("unmap", UnmapFunction)]


class Option(ctypes.Structure):
    _fields_ = [("context", ctypes.c_int), ("subject", ctypes.c_uint32), ("key", ctypes.c_uint32),
                ("size", ctypes.c_uint32), ("type", ctypes.c_uint32), ("value", ctypes.c_void_p)]


class Descriptor(ctypes.Structure):
    _fields_ = [
        ("URI", ctypes.c_char_p),
        ("instantiate", ctypes.c_void_p),
        ("connect_port", ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p)),
        ("activate", ctypes.CFUNCTYPE(None, ctypes.c_void_p)),
        ("run", ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint32)),
        ("deactivate", ctypes.CFUNCTYPE(None, ctypes.c_void_p)),
        ("cleanup", ctypes.c_void_p),
        ("extension_data", ctypes.c_void_p),
    ]


class Instance(ctypes.Structure):
    _fields_ = [("descriptor", ctypes.POINTER(Descriptor)), ("handle", ctypes.c_void_p), ("pimpl", ctypes.c_void_p)]


_P = ctypes.c_void_p
_SIGNATURES = {
    "lilv_world_new": (_P, []),
    "lilv_world_load_all": (None, [_P]),
    "lilv_world_free": (None, [_P]),
    "lilv_world_get_all_plugins": (_P, [_P]),
    "lilv_new_uri": (_P, [_P, ctypes.c_char_p]),
    "lilv_node_free": (None, [_P]),
    "lilv_node_as_string": (ctypes.c_char_p, [_P]),
    "lilv_node_equals": (ctypes.c_bool, [_P, _P]),
    "lilv_plugins_get_by_uri": (_P, [_P, _P]),
    "lilv_plugins_begin": (_P, [_P]),
    "lilv_plugins_get": (_P, [_P, _P]),
    "lilv_plugins_next": (_P, [_P, _P]),
    "lilv_plugins_is_end": (ctypes.c_bool, [_P, _P]),
    "lilv_plugin_get_uri": (_P, [_P]),
    "lilv_plugin_get_name": (_P, [_P]),
    "lilv_plugin_get_num_ports": (ctypes.c_uint32, [_P]),
    "lilv_plugin_get_port_by_index": (_P, [_P, ctypes.c_uint32]),
    "lilv_plugin_get_port_ranges_float": (None, [_P, _P, _P, _P]),
    "lilv_plugin_get_required_features": (_P, [_P]),
    "lilv_plugin_instantiate": (ctypes.POINTER(Instance), [_P, ctypes.c_double, _P]),
    "lilv_instance_free": (None, [ctypes.POINTER(Instance)]),
    "lilv_port_is_a": (ctypes.c_bool, [_P, _P, _P]),
    "lilv_port_supports_event": (ctypes.c_bool, [_P, _P, _P]),
    "lilv_port_get_symbol": (_P, [_P, _P]),
    "lilv_port_get_name": (_P, [_P, _P]),
    "lilv_nodes_begin": (_P, [_P]),
    "lilv_nodes_get": (_P, [_P, _P]),
    "lilv_nodes_next": (_P, [_P, _P]),
    "lilv_nodes_is_end": (ctypes.c_bool, [_P, _P]),
    "lilv_nodes_free": (None, [_P]),
}
_lib: ctypes.CDLL | None = None


def library() -> ctypes.CDLL:
    """liblilv-0 with its signatures declared; LilvMissing names the package to install."""
    global _lib
    if _lib is None:
        name = ctypes.util.find_library("lilv-0") or "liblilv-0.so.0"
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            raise LilvMissing("LV2 plugins need lilv: install liblilv-0-0 (apt) or lilv (brew)") from None
        for function, (restype, argtypes) in _SIGNATURES.items():
            getattr(lib, function).restype = restype
            getattr(lib, function).argtypes = argtypes
        _lib = lib
    return _lib


class World:
    """lilv's world, loaded from LV2_PATH (or the system's LV2 folders), and the URI nodes made in it."""

    def __init__(self) -> None:
        self.lib = library()
        self.ptr = self.lib.lilv_world_new()
        self.lib.lilv_world_load_all(self.ptr)
        self.plugins = self.lib.lilv_world_get_all_plugins(self.ptr)
        self._nodes: dict[str, int] = {}

    def node(self, uri: str) -> int:
        """A URI node that lives as long as the world."""
        if uri not in self._nodes:
            self._nodes[uri] = self.lib.lilv_new_uri(self.ptr, uri.encode())
        return self._nodes[uri]

    def string(self, node: int | None) -> str:
        value = self.lib.lilv_node_as_string(node) if node else None
        return value.decode(errors="replace") if value else ""

    def owned_string(self, node: int | None) -> str:
        """The string of a node the caller owns (lilv returned a new one), which is freed."""
        try:
            return self.string(node)
        finally:
            if node:
                self.lib.lilv_node_free(node)

    def plugin(self, uri: str) -> int | None:
        return self.lib.lilv_plugins_get_by_uri(self.plugins, self.node(uri)) or None

    def all_plugins(self) -> Iterator[int]:
        it = self.lib.lilv_plugins_begin(self.plugins)
        while not self.lib.lilv_plugins_is_end(self.plugins, it):
            yield self.lib.lilv_plugins_get(self.plugins, it)
            it = self.lib.lilv_plugins_next(self.plugins, it)

    def required_features(self, plugin: int) -> list[str]:
        nodes = self.lib.lilv_plugin_get_required_features(plugin)
        found = []
        if nodes:
            it = self.lib.lilv_nodes_begin(nodes)
            while not self.lib.lilv_nodes_is_end(nodes, it):
                found.append(self.string(self.lib.lilv_nodes_get(nodes, it)))
                it = self.lib.lilv_nodes_next(nodes, it)
            self.lib.lilv_nodes_free(nodes)
        return found

    def close(self) -> None:
        for node in self._nodes.values():
            self.lib.lilv_node_free(node)
        self._nodes.clear()
        if self.ptr:
            self.lib.lilv_world_free(self.ptr)
            self.ptr = None
