"""A run of the bridge: its typed configuration, and `Run`, which opens the components of a run in order (the
model and bridge, then what the command adds: a transport, the outputs, announcements) and closes them in
reverse on any exit path: a return, an exception, Ctrl-C.

An output the user did not name (the virtual MIDI port, the default audio device) that cannot open is one banner
line and the run goes on; a port, device or file the user named that cannot be used is a FlagError: one line,
exit 2, before anything starts. Nothing here reads command-line flags: bridge/cli/options.py builds the config."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from pianogenie.engine import ModelError, PianoGenie
from pianogenie.engine.constants import DEFAULT_TEMPERATURE
from pianogenie.errors import CommandError

from . import protocol as p
from .core import DEFAULT_IDLE_TIMEOUT, Bridge
from .midi import DEFAULT_BASE_NOTE, ButtonMap, MidiIn, MidiOut, MidiUnavailable, find_port, open_backend
from .recorder import recover, unwritable
from .recording import Recording
from .sound.choose import open_synth
from .sound.devices import output_devices
from .sound.voices import SynthConfig
from .system import BRIDGE_RT_PRIORITY, prompt_thread_handoff, request_realtime
from .timing import Scheduler, now

if TYPE_CHECKING:
    from .link import LinkConfig

T = TypeVar("T")


class FlagError(CommandError, ValueError):
    """A flag names something that does not exist or cannot be used; the text is the one line to print."""


@dataclass(frozen=True)
class MidiConfig:
    out: str = "virtual"            # an output port's name, "virtual" (a port called "Piano Genie") or "none"
    input: str | None = None        # a controller's port name, "virtual", "none" or None (no input)
    input_flag: str = "--midi-in"   # the flag that named `input`, for its error lines (play's is --controller)
    api: str = "auto"
    channel: int = 1                # performer 0's channel, 1..16
    mapping: str = "base"
    base_note: int = DEFAULT_BASE_NOTE

    @property
    def wants_out(self) -> bool:
        return self.out != "none"

    @property
    def wants_in(self) -> bool:
        return self.input not in (None, "none")


@dataclass(frozen=True)
class RunConfig:
    """What serve and play share: the decoder, the outputs, and how the run is timed."""

    model: Path | None = None
    temperature: float = DEFAULT_TEMPERATURE
    seed: int | None = None
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    record: Path | None = None
    midi: MidiConfig = field(default_factory=MidiConfig)
    synth: SynthConfig = field(default_factory=SynthConfig)
    realtime: bool = False
    latency: float = 0.0            # seconds from a press's arrival to its notes (bridge/timing.py); 0 = at once
    link: LinkConfig | None = None  # serve --link: Ableton Link's tempo and phase (bridge/link.py)


def check_record_path(path: Path) -> None:
    """--record: the take must be writable now, not only when the run ends."""
    problem = unwritable(path)
    if problem is not None:
        raise FlagError(f"--record {path}: cannot write there ({problem})")


def check_audio_device(synth: SynthConfig) -> None:
    if synth.device is None or synth.audio == "none":
        return
    devices = output_devices()
    if devices is None:
        raise FlagError(f"--audio-device {synth.device}: no audio library to list outputs with "
                        "(pip install 'pianogenie-bridge[audio]')")
    if synth.device not in devices:
        listing = ", ".join(f"{index}: {name}" for index, name in devices.items()) or "none"
        raise FlagError(f"--audio-device {synth.device} is not an audio output (outputs: {listing})")


def check_midi(midi: MidiConfig) -> tuple[Any, str | None, str | None]:
    """(backend, its name, why MIDI is off) for the ports the run wants; FlagError for a named port that does not
    exist or cannot be reached."""
    backend = api = problem = None
    if midi.wants_out or midi.wants_in:
        try:
            backend, api = open_backend(midi.api)
        except MidiUnavailable as exc:
            problem = str(exc)
    if problem and midi.wants_in:
        # An input is never on by default: the user asked for this one, "virtual" included, and a run without
        # it would ignore their controller in silence.
        raise FlagError(f"{midi.input_flag} {midi.input}: {problem}")
    named = {flag: name for flag, name in (("--midi-out", midi.out), (midi.input_flag, midi.input))
             if name not in (None, "none", "virtual")}
    for flag, name in named.items():
        if problem:
            raise FlagError(f"{flag} {name}: {problem}")
        names = backend.get_output_names() if flag == "--midi-out" else backend.get_input_names()
        try:
            find_port(names, name)
        except MidiUnavailable as exc:
            raise FlagError(f"{flag} {name}: {exc}") from None
    return backend, api, problem


def load_genie(model: Path | None) -> tuple[PianoGenie | None, str | None]:
    """The model, or None and the one line that says why not."""
    try:
        return PianoGenie.load(model), None
    except (ModelError, ValueError, OSError) as exc:
        return None, str(exc)


def _quietly(close: Callable[[], Any], what: Any) -> Callable[[], None]:
    def run() -> None:
        try:
            close()
        except Exception as exc:  # a device gone away must not stop the others from closing
            print(f"pianogenie: closing {type(what).__name__}: {exc}", file=sys.stderr)
    return run


class Run:
    """One run's components. `with Run(config) as run:` loads the model and builds the bridge; each `open_*` and
    `enter` adds a component whose close runs, in reverse order, when the block ends however it ends. The
    outputs' stop step (every note off, the take saved, queued notes delivered) runs after the inputs close
    and before any output does, so nothing can start a note after the last note-off."""

    def __init__(self, config: RunConfig, **bridge_options: Any):
        self.config = config
        self.lines: list[tuple[str, str]] = []  # the banner's (name, line) pairs, in the order opened
        self.turned_off = 0                     # notes the stop step turned off
        self.synth: Any = None                  # the live synth open_outputs opened (None: audio off)
        self._stack = contextlib.ExitStack()
        self.link = self._join_link(config)
        snap = None
        if self.link is not None and config.link.snap_beats is not None:
            link, beats, window = self.link, config.link.snap_beats, config.link.snap_window
            snap = lambda t: link.snap(t, beats, window)  # noqa: E731 - the scheduler's one placement question
        self.scheduler = Scheduler(config.latency, snap=snap)
        genie, error = load_genie(config.model)
        if genie is None:
            self._stack.close()
            raise CommandError(error)
        self.genie = genie
        self.bridge = Bridge(genie, config.temperature, config.seed, config.idle_timeout, clock=now,
                             gain_db=config.synth.gain_db, **bridge_options)
        self.bridge.stats.link = self.link

    def _join_link(self, config: RunConfig) -> Any:
        """The Link session (joined after a moment, bridge/link.py), closed when the run ends; its banner line."""
        if config.link is None:
            return None
        from .link import LinkClock, LinkMissing

        try:
            link = LinkClock(config.link.tempo, config.link.quantum, output_latency_s=config.latency)
        except (LinkMissing, ValueError) as exc:
            raise CommandError(str(exc)) from None
        link.start()
        self.enter(link)
        snap = config.link.snap_beats
        grid = f"; presses snap to 1/{4 / snap:g} notes {config.link.snap_window * 1000:g} ms ahead" if snap else ""
        self.lines.append(("link", f"Ableton Link, {config.link.tempo:g} BPM until the session says otherwise, "
                                   f"quantum {config.link.quantum:g}{grid}"))
        return link

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, *exc_info: object) -> bool | None:
        return self._stack.__exit__(*exc_info)

    def enter(self, component: T, close: Callable[[], Any] | None = None) -> T:
        """A component opened by the caller: closed (its `close`, or the one given) when the run ends."""
        self._stack.callback(_quietly(close or component.close, component))
        return component

    def open_outputs(self) -> None:
        """Scheduler, synth, MIDI out and in, recorder, each with its banner line. FlagError, before anything
        opens, for a named port, device or file that cannot be used."""
        config, bridge = self.config, self.bridge
        prompt_thread_handoff()
        if config.realtime:
            self.lines.append(("scheduling", request_realtime(BRIDGE_RT_PRIORITY)))
        recovered = None
        if config.record is not None:
            check_record_path(config.record)
            try:  # the take of a run that died, before this run's journal takes its place
                recovered = recover(config.record)
            except (ValueError, OSError) as exc:
                raise FlagError(f"--record {config.record}: {exc}") from None
        check_audio_device(config.synth)
        backend, api, midi_problem = check_midi(config.midi)
        self.enter(self.scheduler)
        if self.scheduler.latency:
            self.lines.append(("timing", f"every note {config.latency * 1000:g} ms after its press arrives"))
        self._open_synth()
        self._open_midi_out(backend, api, midi_problem)
        self._stack.callback(self._stop)
        self._open_midi_in(backend)

        # The run's takes: --record's from now on, and those /genie/record/start begins (serve).
        snap = config.link.snap_window if config.link is not None and config.link.snap_beats is not None else 0.0
        bridge.recording = Recording(bridge, self.link, config.record, snap_window=snap)
        bridge.sinks.append(bridge.recording)
        bridge.stats.recording = bridge.recording
        if config.record is not None:
            bridge.recording.begin(config.record, bridge.started)  # before any performer exists: its seed holds
            self.lines.append(("recording", str(config.record)))
            if recovered is not None:
                self.lines.append(("recovered", f"{recovered} (the take of a run that died)"))

    def add_sink(self, sink: Any) -> None:
        """An output the command made itself and that holds nothing to close (play's printer), placed by the
        scheduler like the others."""
        self.bridge.sinks.append(self.scheduler.place(sink))

    def _open_synth(self) -> None:
        try:
            choice = open_synth(self.config.synth)
        except ValueError as exc:  # --synth piano without its library or SoundFont: the user asked for it
            raise FlagError(str(exc)) from None
        self.lines.append(("audio", choice.description))
        self.synth = choice.synth
        if choice.synth is not None:
            self.bridge.sinks.append(self.scheduler.place(self.enter(choice.synth)))
            self.bridge.volume.join(choice.synth)
            self._join_plugin_params(choice.synth)

    def _join_plugin_params(self, synth: Any) -> None:
        """A plugin's parameters, as its synth child reported them: /genie/plugin/param sets them, and each gets
        its own address, which the OSCQuery tree lists with its range and value."""
        wire = getattr(synth, "plugin_params", None)
        if not wire:
            return
        from .handlers import param_routes
        from .sound.plugin_params import ParamSpec, PluginParams

        params = PluginParams(self.config.synth.synth, [ParamSpec.from_wire(fields) for fields in wire], synth)
        self.bridge.plugin = params
        for route in param_routes(params):
            self.bridge.add_route(route)
        count = len(params.specs)
        self.lines.append(("plugin", f"{count} parameter{'s' * (count != 1)}; over OSC (serve), {p.IN_PLUGIN_PARAM} "
                                     f"s:name f:value or {p.PLUGIN_PARAMS}/<name> f:value sets one live"))

    def _open_midi_out(self, backend: Any, api: str | None, problem: str | None) -> None:
        midi = self.config.midi
        if not (midi.wants_out or midi.wants_in):
            self.lines.append(("midi", "off (--midi-out none)"))
        elif problem:
            self.lines.append(("midi", problem))
        elif midi.wants_out:
            try:
                out = MidiOut.open(backend, None if midi.out == "virtual" else midi.out, midi.channel, api)
                self.bridge.sinks.append(self.scheduler.place(self.enter(out)))
                self.lines.append(("midi out", out.description))
            except MidiUnavailable as exc:
                self.lines.append(("midi out", str(exc)))

    def _open_midi_in(self, backend: Any) -> None:
        midi = self.config.midi
        if backend is None or not midi.wants_in:
            return
        try:
            mapping = ButtonMap(midi.mapping, midi.base_note)
            port = MidiIn.open(backend, None if midi.input == "virtual" else midi.input, mapping, self.bridge.handle)
            self.enter(port)
            self.lines.append(("midi in", port.description))
        except (MidiUnavailable, ValueError) as exc:
            self.lines.append(("midi in", str(exc)))

    def _stop(self) -> None:
        bridge = self.bridge
        self.turned_off = bridge.shutdown()
        if bridge.recording is not None:
            bridge.recording.close(bridge.clock())
        self.scheduler.flush()  # the note-offs of shutdown reach every output before it closes
