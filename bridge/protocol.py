"""The bridge's OSC vocabulary and default ports: the address names that clients, the tests and the Max/Pd
patches' tests send and read, the status fields, and the value rules shared by every route. What each input
address takes and does is declared once, with its handler, in bridge/handlers.py."""

from __future__ import annotations

import math
import re
from numbers import Integral, Real

from pianogenie.engine.constants import DEFAULT_VELOCITY  # noqa: F401 - part of the protocol: a press without a velocity

DEFAULT_HOST = "127.0.0.1"
# The bridge listens here for button events.
DEFAULT_LISTEN_PORT = 57130
# Notes also go to this fixed address, because Max's [udpsend] cannot receive replies.
DEFAULT_REPLY_PORT = 57131
# The OSCQuery HTTP server (TCP), when this one is free; else any free port (the banner and Zeroconf say which).
DEFAULT_OSCQUERY_PORT = 57132

PREFIX = "/genie"

# Input: what a controller sends to the bridge (each a route of bridge/handlers.py, which declares its arguments).
IN_PRESS = "/genie/press"
IN_RELEASE = "/genie/release"
IN_PEDAL = "/genie/pedal"
IN_RESET = "/genie/reset"
IN_PANIC = "/genie/panic"
IN_TEMPERATURE = "/genie/temperature"
IN_KEYS = "/genie/keys"
IN_RANGE = "/genie/range"
IN_STATUS = "/genie/status"
IN_MODEL = "/genie/model"
IN_MODELS = "/genie/models"
IN_VOLUME = "/genie/volume"
IN_PLUGIN_PARAM = "/genie/plugin/param"
IN_RECORD_START = "/genie/record/start"
IN_RECORD_STOP = "/genie/record/stop"
PLUGIN_PARAMS = "/genie/plugin/params"  # a loaded plugin's parameters, one address each (OSCQuery lists them)

# Output: what the bridge sends back.
OUT_NOTEON = "/genie/noteon"    # i:pitch i:velocity i:button
OUT_NOTEOFF = "/genie/noteoff"  # i:pitch i:button
OUT_STATUS = "/genie/status"    # s:name value s:name value ... (STATUS_FIELDS, in that order)
OUT_ERROR = "/genie/error"      # s:reason
OUT_MODEL = "/genie/model"      # s:name: the model now playing (after a swap, to everyone)
OUT_MODELS = "/genie/models"    # s:name ...: the models /genie/model accepts
OUT_RECORD_START = "/genie/record/start"  # s:path f:seconds: a take starts there, that long from its request
OUT_RECORD_STOP = "/genie/record/stop"    # s:path i:notes f:seconds: a take was written there

INPUT_ADDRESSES = (IN_PRESS, IN_RELEASE, IN_PEDAL, IN_RESET, IN_PANIC, IN_TEMPERATURE, IN_KEYS, IN_RANGE, IN_STATUS,
                   IN_MODEL, IN_MODELS, IN_VOLUME, IN_RECORD_START, IN_RECORD_STOP)
OUTPUT_ADDRESSES = (OUT_NOTEON, OUT_NOTEOFF, OUT_STATUS, OUT_ERROR, OUT_MODEL, OUT_MODELS, OUT_RECORD_START,
                    OUT_RECORD_STOP)

# A model's name as /genie/model takes it: a plain directory name, so no peer can name a path (no `/`, no `..`,
# no leading dot).
MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

# Performers are numbered 0..MAX_PERFORMERS-1; the bare `/genie/...` is performer 0.
MAX_PERFORMERS = 64

# The fields of a `/genie/status` reply, sent as name/value pairs in this order.
STATUS_FIELDS = (
    "performer",        # i: the performer the reply is about
    "temperature",      # f: that performer's temperature
    "sustain",          # i: that performer's pedal, 0|1
    "sounding",         # i: that performer's notes now on (held or sustained)
    "performers",       # i: performers that have sent anything
    "packets",          # i: UDP datagrams received
    "messages",         # i: OSC messages received, accepted or rejected (bundle contents one by one)
    "bundles",          # i: OSC bundles received
    "presses",          # i: presses accepted
    "releases",         # i: releases accepted
    "notes_on",         # i: note-ons sent
    "notes_off",        # i: note-offs sent
    "errors",           # i: packets or messages rejected (each answered with /genie/error)
    "malformed",        # i: datagrams that were not valid OSC (counted in errors too)
    "send_errors",      # i: replies the OS refused to send
    "internal_errors",  # i: datagrams that hit a bug in the bridge (logged, counted; the server carries on)
    "udp_drops",        # i: datagrams the kernel dropped before the bridge read them (Linux; else -1)
    "latency_p50_us",   # f: arrival -> note sent, median over the last presses, microseconds
    "latency_p99_us",   # f: the same, 99th percentile
    "uptime_s",         # f: seconds since the server started
    "model",            # s: the name of the model playing (last, so older clients' field positions hold)
    "model_errors",     # i: /genie/model requests refused or failed (counted in errors too)
    "link_peers",       # i: Ableton Link peers (serve --link); -1 when Link is off
    "link_tempo",       # f: the Link session's tempo, BPM; NaN when Link is off
    "link_beat",        # f: the session's beat now (at the output, latency included); NaN when off
    "link_phase",       # f: the beat's phase in the quantum, 0..quantum; NaN when off
    "volume_db",        # f: the synths' level, dB (--gain, /genie/volume)
    "ws_clients",       # i: OSCQuery websocket clients now; -1 when there is no websocket
    "ws_refused",       # i: websocket clients refused (over the maximum); -1 without the websocket
    "ws_dropped",       # i: websocket clients closed for reading too slowly or flooding commands; -1 without it
    "ws_bad_frames",    # i: websocket commands answered with an error frame; -1 without the websocket
    "recording",        # i: 0 no take, 1 a take waiting for its Link boundary, 2 recording (/genie/record/start)
)


class ProtocolError(ValueError):
    """An OSC message the bridge rejects; the text is what `/genie/error` carries."""


def performer_address(address: str, performer: int) -> str:
    """`/genie/press` for performer 0 is also reachable as `/genie/0/press`; performer n uses `/genie/n/press`."""
    return f"{PREFIX}/{performer}{address[len(PREFIX):]}"


_OUTPUT: dict[tuple[str, int], str] = {}


def output_address(address: str, performer: int) -> str:
    """Where a performer's output goes: performer 0 uses the bare address, performer n `/genie/n/...`."""
    key = (address, performer)
    out = _OUTPUT.get(key)
    if out is None:
        out = address if performer == 0 else performer_address(address, performer)
        if len(_OUTPUT) < 4096:
            _OUTPUT[key] = out
    return out


def shown(value: object, limit: int = 40) -> str:
    """A short rendering of a peer's value for an error text: bounded, whatever the value (a deep list's repr
    would recurse, a long string's would fill the reply)."""
    if isinstance(value, (bool, int, float)):
        text = repr(value)
        return text if len(text) <= limit else text[:limit] + "..."
    if isinstance(value, (str, bytes)):
        text = repr(value[:limit])
        return text + "..." if len(value) > limit else text
    return type(value).__name__


def whole_number(value: object, what: str) -> int:
    """An OSC int, or a float with no fractional part (Pd sends every number as a float)."""
    if type(value) is int:  # the common case, first
        return value
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ProtocolError(f"{what} must be a number, got {type(value).__name__} {shown(value)}")
    if isinstance(value, Integral):
        return int(value)
    if not math.isfinite(value) or value != int(value):
        raise ProtocolError(f"{what} must be a whole number, got {shown(value)}")
    return int(value)


def velocity_from_osc(value: object) -> int:
    """A float in (0, 1] scales to 1..127; an int (or a whole float above 1) is a MIDI velocity 1..127."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ProtocolError(f"velocity must be a number, got {type(value).__name__} {shown(value)}")
    if not math.isfinite(value):
        raise ProtocolError(f"velocity must be finite, got {shown(value)}")
    if not isinstance(value, Integral) and 0.0 < value <= 1.0:
        return max(1, round(value * 127))
    velocity = whole_number(value, "velocity")
    if not 1 <= velocity <= 127:
        raise ProtocolError(f"velocity must be a float in (0, 1] or an int 1..127, got {shown(value)}")
    return velocity


def midi_channel(base_channel: int, performer: int) -> int:
    """Performer n plays on channel base + n, 1..16, wrapping (MIDI out and the vkb_midi OSC format alike)."""
    return (base_channel - 1 + performer) % 16 + 1


def vkb_midi_address(channel: int, pitch: int) -> str:
    """The DAW virtual-keyboard address (REAPER's .ReaperOSC `/vkb_midi/@/note/@`, DrivenByMoss); channel 1..16."""
    return VKB_MIDI_NOTE.format(channel=channel, pitch=pitch)


# DAW output (--osc-format vkb_midi): the virtual-keyboard namespace of REAPER's .ReaperOSC files and DrivenByMoss.
VKB_MIDI_NOTE = "/vkb_midi/{channel}/note/{pitch}"  # i: velocity (0 = note off)
OSC_FORMATS = ("genie", "vkb_midi")
