"""The bridge's OSC address space: each input address declared once, atop its handler (verb, argument schema,
OSCQuery value, doc line: docs/osc.md's row must say the same, tests/bridge/test_bridge_docs.py checks), and the output
addresses the bridge sends.

A handler gets the values its schema produced, already checked: it raises ProtocolError only for what no single
argument shows (a range whose low is above its high, a model still loading). It runs under the dispatcher's lock.

A new address is one `@ROUTES.route(...)` declaration above its handler, plus its test; the docs check then asks
for its row in docs/osc.md's input table, and prints the row."""

from __future__ import annotations

from typing import Any, Protocol

from pianogenie.engine.constants import HIGHEST_PITCH, LOWEST_PITCH, MAX_QUANTUM, NUM_BUTTONS, NUM_KEYS

from . import protocol as p
from .ensemble import Ensemble
from .link import TEMPO_RANGE
from .models import ModelLibrary, model_name
from .performer import Counters, Router
from .protocol import ProtocolError
from .rate import RateLimit
from .routes import Output, Route, RouteTable
from .schema import Arg, Flag, Float, Int, Many, Number, Text, Velocity
from .sound.gain import MAX_GAIN_DB, MIN_GAIN_DB, Volume
from .stats import Stats
from .swap import ModelSwap


class Host(Protocol):
    """What a handler reads and changes: the bridge (bridge/core.py) it was bound to."""

    ensemble: Ensemble
    counters: Counters
    router: Router
    stats: Stats
    swapper: ModelSwap
    models_rate: RateLimit
    recorder: Any  # bridge.recorder.Recorder or None
    recording: Any  # bridge.recording.Recording (a run's takes), or None: no takes here
    library: ModelLibrary | None
    volume: Volume
    plugin: Any  # bridge.sound.plugin_params.PluginParams, or None: no instrument plugin plays
    link: Any  # the OSC transport's link, or None

    def status(self, number: int = 0) -> dict[str, Any]: ...

    def reply(self, sender: Any, address: str, values: tuple) -> None: ...


ROUTES = RouteTable()

BUTTON = Int("button", 0, NUM_BUTTONS - 1)
_PITCH_RULE = f"pitch must be a MIDI pitch {LOWEST_PITCH}..{HIGHEST_PITCH}"
PITCH = Int("pitch", LOWEST_PITCH, HIGHEST_PITCH, what=_PITCH_RULE)


def _sustain_value(host: Host, number: int) -> list:
    state = host.ensemble.performers.get(number)
    return [int(state.sustain) if state is not None else 0]


def _temperature_value(host: Host, number: int) -> list:
    state = host.ensemble.performers.get(number)
    return [state.temperature if state is not None else host.ensemble.temperature]


def _range_value(host: Host, number: int) -> list:
    state = host.ensemble.performers.get(number)
    keys = state.keys if state is not None and state.keys else (0, NUM_KEYS - 1)
    return [min(keys) + LOWEST_PITCH, max(keys) + LOWEST_PITCH]


def _model_names(host: Host) -> list[str]:
    return host.library.names() if host.library is not None else [model_name(host.ensemble.genie)]


@ROUTES.route("press", BUTTON, Velocity("velocity", optional=True), playing=True,
              doc=f"decode a note; reply `{p.OUT_NOTEON}`. Velocity: a float in (0, 1] scales to 1..127, an int (or "
                  f"whole float > 1) is a MIDI velocity 1..127; default {p.DEFAULT_VELOCITY}")
def press(host: Host, number: int, address: str, values: list, time: float, sender: Any) -> None:
    button = values[0]
    velocity = values[1] if len(values) == 2 else p.DEFAULT_VELOCITY
    performer = host.ensemble.performer(number)
    performer.press(button, velocity, time, sender)
    host.counters.presses += 1
    recorder = host.recorder
    if recorder is not None:
        recorder.press(number, button, velocity, time)
    # Arrival -> note sent: the OSC reply went out inside press().
    host.stats.pressed(host.router.sent_at - time)
    # The work that does not depend on the next press, now, while nothing waits.
    performer.session.prepare()


@ROUTES.route("release", BUTTON, playing=True,
              doc="turn off the note that button holds (held on while the pedal is down)")
def release(host: Host, number: int, address: str, values: list, time: float, sender: Any) -> None:
    host.counters.releases += 1
    performer = host.ensemble.performers.get(number)
    if performer is not None:
        performer.release(values[0], time, sender)
    if host.recorder is not None:
        host.recorder.release(number, values[0], time)


@ROUTES.route("pedal", Flag("down"), playing=True, value=_sustain_value,
              doc="sustain pedal up/down; pedal up turns off the notes it held")
def pedal(host: Host, number: int, address: str, values: list, time: float, sender: Any) -> None:
    host.ensemble.performer(number).pedal(values[0], time, sender)


@ROUTES.route("reset", playing=True, doc="all of the performer's notes off, decoder back to its start state")
def reset(host: Host, number: int, address: str, values: list, time: float, sender: Any) -> None:
    host.ensemble.performer(number).reset(time, sender)


@ROUTES.route("panic", doc="all notes off, for every performer; decoder states unchanged")
def panic(host: Host, number: int, address: str, values: list, time: float, sender: Any) -> None:
    host.ensemble.all_off(time, sender)


@ROUTES.route("temperature", Float("temperature", 0.0, 1.0), playing=True,
              value=_temperature_value,
              doc="sampling temperature (0 = always the most likely key)")
def temperature(host: Host, number: int, address: str, values: list, time: float, sender: Any) -> None:
    host.ensemble.performer(number).temperature = values[0]


@ROUTES.route("keys", Many(PITCH), playing=True,
              doc="restrict notes to these MIDI pitches; no arguments = all 88 keys")
def keys(host: Host, number: int, address: str, values: list, time: float, sender: Any) -> None:
    chosen = tuple(sorted({pitch - LOWEST_PITCH for pitch in values})) if values else None
    host.ensemble.performer(number).set_keys(chosen)


@ROUTES.route("range", Int("low", LOWEST_PITCH, HIGHEST_PITCH, what=_PITCH_RULE),
              Int("high", LOWEST_PITCH, HIGHEST_PITCH, what=_PITCH_RULE), playing=True, value=_range_value,
              doc="restrict notes to MIDI pitches low..high inclusive")
def key_range(host: Host, number: int, address: str, values: list, time: float, sender: Any) -> None:
    low, high = values
    if low > high:
        raise ProtocolError(f"{address}: low {low} is above high {high}")
    host.ensemble.performer(number).set_keys(tuple(range(low - LOWEST_PITCH, high - LOWEST_PITCH + 1)))


@ROUTES.route("status", doc=f"reply `{p.OUT_STATUS}`")
def status(host: Host, number: int, address: str, values: list, time: float, sender: Any) -> None:
    pairs: list = []
    for name, value in host.status(number).items():
        pairs += [name, value]
    host.reply(sender, p.OUT_STATUS, tuple(pairs))


@ROUTES.route("model", Text("name", choices=_model_names), per_performer=False, counter="model_errors",
              value=lambda host, number: [model_name(host.ensemble.genie)],
              doc=f"switch every performer to the model of that name in the `--models` folder (below); reply "
                  f"`{p.OUT_MODEL}` when it plays")
def model(host: Host, number: int, address: str, values: list, time: float, sender: Any) -> None:
    host.swapper.request(address, values[0], sender)


@ROUTES.route("models", per_performer=False, doc=f"reply `{p.OUT_MODELS}` with the names `{p.IN_MODEL}` accepts")
def models(host: Host, number: int, address: str, values: list, time: float, sender: Any) -> None:
    if host.models_rate.allow(sender):
        host.reply(sender, p.OUT_MODELS, tuple(_model_names(host)))


@ROUTES.route("volume", Float("db", MIN_GAIN_DB, MAX_GAIN_DB), per_performer=False,
              value=lambda host, number: [host.volume.db],
              doc="every synth's level in dB from now on, as `--gain` sets it at start; a short ramp, no click")
def volume(host: Host, number: int, address: str, values: list, time: float, sender: Any) -> None:
    host.volume.set(values[0])


def _recording(host: Host, address: str) -> Any:
    if host.recording is None:
        raise ProtocolError(f"{address}: this bridge records no takes")
    return host.recording


@ROUTES.route("record/start", Text("path", optional=True), per_performer=False,
              doc=f"start a take: to `path` (relative, `.json`, in the `--record` file's folder or serve's working "
                  f"directory; default the `--record` file; a path taken gets `-2`, `-3`...), under `--link` from the "
                  f"next quantum boundary (its time 0 and beat 0), else at once; reply `{p.OUT_RECORD_START}` "
                  f"s:path f:seconds until it starts. Refused while a take records")
def record_start(host: Host, number: int, address: str, values: list, time: float, sender: Any) -> None:
    path, wait = _recording(host, address).start(values[0] if values else None, time, address)
    host.reply(sender, p.OUT_RECORD_START, (path, wait))


@ROUTES.route("record/stop", per_performer=False,
              doc=f"stop the take and write it (atomically); reply `{p.OUT_RECORD_STOP}` s:path i:notes f:seconds "
                  "once written")
def record_stop(host: Host, number: int, address: str, values: list, time: float, sender: Any) -> None:
    _recording(host, address).stop(time, address, sender)


def _param_names(host: Host) -> list[str]:
    return host.plugin.names() if host.plugin is not None else []


def _set_param(host: Host, address: str, name: str, value: float) -> None:
    if host.plugin is None:
        raise ProtocolError(f"{address}: no instrument plugin is loaded (serve --synth lv2:URI or vst3:PATH)")
    problem = host.plugin.set(name, value)
    if problem:
        raise ProtocolError(f"{address}: {problem}")
    stream = getattr(host.link, "stream", None)
    if stream is not None:  # the OSCQuery websocket: clients LISTENing to the parameter hear its new value
        stream.publish_value(f"{p.PLUGIN_PARAMS}/{name}", float(value))


@ROUTES.route(p.IN_PLUGIN_PARAM[len(p.PREFIX) + 1:], Text("name", choices=_param_names), Number("value"),
              per_performer=False,
              doc=f"set a parameter of the instrument plugin (`--synth lv2:`/`vst3:`) live: `name` as `--plugin-param` "
                  f"takes it, `value` within its range (VST3: 0..1); each is also `{p.PLUGIN_PARAMS}/<name> f:value`, "
                  "which OSCQuery lists with its RANGE and VALUE")
def plugin_param(host: Host, number: int, address: str, values: list, time: float, sender: Any) -> None:
    _set_param(host, address, values[0], values[1])


def param_routes(params: Any) -> list[Route]:
    """A loaded plugin's parameters, each at its own address (`/genie/plugin/params/<name> f`) with its RANGE and
    live VALUE in the OSCQuery tree; added to the bridge's table, never to ROUTES (docs/osc.md describes them
    by `/genie/plugin/param`'s row)."""
    from .sound.plugin_params import OSC_SAFE_NAME

    routes = []
    for name, spec in params.specs.items():
        if not OSC_SAFE_NAME.fullmatch(name):
            continue  # settable by /genie/plugin/param only

        def handler(host: Host, number: int, address: str, values: list, time: float, sender: Any,
                    name: str = name) -> None:
            _set_param(host, address, name, values[0])

        routes.append(Route(f"{p.PLUGIN_PARAMS[len(p.PREFIX) + 1:]}/{name}",
                            (Float(name, spec.minimum, spec.maximum),), handler,
                            f"{spec.label}: the plugin's parameter {name}", per_performer=False,
                            value=lambda host, number, name=name: [host.plugin.value(name)]))
    return routes


_VELOCITY = Int("velocity", 1, 127)
# What the bridge sends that no client sends it: OSCQuery lists these read-only (a performer's notes under
# /genie/<n>/...). The replies to status, model and models share their input's address.
OUTPUTS = (
    Output(p.OUT_NOTEON, (PITCH, _VELOCITY, BUTTON), "sent by the bridge: a note starts (pitch, velocity, button)",
           per_performer=True),
    Output(p.OUT_NOTEOFF, (PITCH, BUTTON), "sent by the bridge: a note ends (pitch, button)", per_performer=True),
    Output(p.OUT_ERROR, (Text("reason"),), "sent by the bridge: a message was rejected, and why"),
)


def link_address(name: str) -> str:
    return f"{p.PREFIX}/link/{name}"


def _link_output(name: str, arg: Arg, doc: str) -> Output:
    """The Link output at link_address(name), whose live value is the session's LinkState.<name>."""
    def value(host: Host, number: int) -> list:
        return [getattr(host.stats.link.state(), name)]
    return Output(link_address(name), (arg,), doc, value=value)


# The Ableton Link session's values (serve --link), in the OSCQuery tree only while Link is on: read-only, live at
# each GET, and sent once a beat to websocket clients LISTENing on them (bridge/osc/link_stream.py); never by UDP.
# /genie/status carries the same.
LINK_VALUES = (
    _link_output("tempo", Float("bpm", *TEMPO_RANGE), "the Link session's tempo, BPM"),
    _link_output("beat", Number("beat"), "the session's beat now, at the output (latency included)"),
    _link_output("phase", Float("phase", 0.0, MAX_QUANTUM), "the beat's phase in the quantum"),
    _link_output("peers", Int("peers", 0, 2**31 - 1), "the other peers in the Link session"),
)
LINK_FIELDS = tuple(output.address.rsplit("/", 1)[1] for output in LINK_VALUES)  # LinkState's names, in order
