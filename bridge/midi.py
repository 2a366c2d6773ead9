"""MIDI through mido: ports in and out (with python-rtmidi, behind one small port layer) and MIDI files.

Out: notes go to a named port or to a virtual port called "Piano Genie". In: a controller's keys become button
presses (8 consecutive keys from a base note, or the whole keyboard split into 8 zones in pitch order) and its
sustain pedal (CC64) becomes the genie's pedal. The translation (`midi_to_osc`) is pure and message-level; ports
are opened through `open_backend`, which picks ALSA where a sequencer exists, else a running JACK server, else
says in one line why MIDI is off."""

from __future__ import annotations

import math
import os
import time as _time
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

from pianogenie.engine.constants import NUM_BUTTONS
from pianogenie.engine.takes import NOTE_ON, Note, TempoPoint, beat_at, timeline

from . import protocol as p
from .button_map import DEFAULT_BASE_NOTE, MAPPINGS, ButtonMap  # noqa: F401 - part of this module's interface
from .sound.sink import Sink
from .system import quiet_stderr

VIRTUAL_PORT_NAME = "Piano Genie"
SUSTAIN_CC = 64


class MidiUnavailable(RuntimeError):
    """MIDI cannot be used here; the message is the one line the user sees."""


def midi_to_osc(message: Any, mapping: ButtonMap, performer: int = 0) -> tuple[str, list] | None:
    """A mido message -> the bridge message it means (address, args), or None if it means nothing here."""
    kind = message.type
    if kind == "note_on" and message.velocity > 0:
        button = mapping.button(message.note)
        return None if button is None else (p.output_address(p.IN_PRESS, performer), [button, message.velocity])
    if kind == "note_off" or (kind == "note_on" and message.velocity == 0):
        button = mapping.button(message.note)
        return None if button is None else (p.output_address(p.IN_RELEASE, performer), [button])
    if kind == "control_change" and message.control == SUSTAIN_CC:
        return p.output_address(p.IN_PEDAL, performer), [1 if message.value >= 64 else 0]
    return None


def channel_for(base_channel: int, performer: int) -> int:
    """mido counts channels 0..15."""
    return p.midi_channel(base_channel, performer) - 1


def open_backend(api: str = "auto") -> tuple[Any, str]:
    """A mido backend and its name. Raises MidiUnavailable with one clear line."""
    try:
        import mido
        import rtmidi  # noqa: F401
    except ImportError as exc:
        raise MidiUnavailable(f"MIDI off: {exc.name} is not installed (pip install 'pianogenie-bridge[midi]')") from None
    os.environ["JACK_NO_START_SERVER"] = "1"
    alsa = os.path.exists("/dev/snd/seq")
    if api == "alsa" or (api == "auto" and alsa):
        if not alsa:
            raise MidiUnavailable("MIDI off: no ALSA sequencer (/dev/snd/seq is missing; load snd-seq or use --midi-api jack)")
        return mido.Backend("mido.backends.rtmidi/LINUX_ALSA", load=True), "ALSA"
    if api in ("jack", "auto"):
        backend = mido.Backend("mido.backends.rtmidi/UNIX_JACK", load=True)
        try:
            with quiet_stderr():  # libjack prints its connection attempts
                backend.get_output_names()
        except Exception:
            if api == "jack":
                raise MidiUnavailable("MIDI off: no JACK server is running") from None
            raise MidiUnavailable("MIDI off: no ALSA sequencer (/dev/snd/seq is missing) and no JACK server running") from None
        return backend, "JACK"
    if api == "native":
        return mido.Backend("mido.backends.rtmidi", load=True), "native"
    raise MidiUnavailable(f"MIDI off: unknown MIDI API {api!r} (auto, alsa, jack, native)")


def find_port(names: list[str], wanted: str) -> str:
    if wanted in names:
        return wanted
    matches = [n for n in names if wanted.lower() in n.lower()]
    if len(matches) == 1:
        return matches[0]
    listing = ", ".join(names) or "none"
    raise MidiUnavailable(f"MIDI port {wanted!r} not found{' uniquely' if matches else ''} (ports: {listing})")


class MidiOut(Sink):
    """A note sink that sends note-on/off to one port; performer n on channel base+n."""

    def __init__(self, port: Any, channel: int = 1, description: str = ""):
        import mido

        self._message = mido.Message
        self.port = port
        self.channel = channel
        self.description = description

    @classmethod
    def open(cls, backend: Any, name: str | None, channel: int = 1, backend_name: str = "") -> "MidiOut":
        """name None: a virtual port "Piano Genie"; else the output port whose name matches."""
        if name is None:
            try:
                port = backend.open_output(VIRTUAL_PORT_NAME, virtual=True)
            except (NotImplementedError, OSError, Exception) as exc:
                raise MidiUnavailable(f"MIDI out off: cannot create a virtual port here ({exc})") from None
            description = f'virtual port "{VIRTUAL_PORT_NAME}" ({backend_name}), channel {channel}'
        else:
            port = backend.open_output(find_port(backend.get_output_names(), name))
            description = f'port "{port.name}" ({backend_name}), channel {channel}'
        return cls(port, channel, description)

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: Any = None) -> None:
        self.port.send(self._message("note_on", channel=channel_for(self.channel, performer), note=pitch, velocity=velocity))

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: Any = None) -> None:
        self.port.send(self._message("note_off", channel=channel_for(self.channel, performer), note=pitch, velocity=0))

    def close(self) -> None:
        self.port.close()


class MidiIn:
    """Feeds a controller's port into a handler (the bridge's `handle`), timed on arrival on the monotonic clock."""

    def __init__(self, port: Any, mapping: ButtonMap, handle: Callable[..., bool], performer: int = 0):
        self.port = port
        self.mapping = mapping
        self.handle = handle
        self.performer = performer
        self.description = f'port "{port.name}", ' + (
            f"keys {mapping.base}..{mapping.base + NUM_BUTTONS - 1} -> buttons 0..7"
            if mapping.mode == "base" else f"keys {mapping.low}..{mapping.high} in 8 zones by pitch"
        ) + ", CC64 -> pedal"
        port.callback = self._receive

    @classmethod
    def open(cls, backend: Any, name: str | None, mapping: ButtonMap, handle: Callable[..., bool], performer: int = 0) -> "MidiIn":
        if name is None:
            port = backend.open_input(VIRTUAL_PORT_NAME + " In", virtual=True)
        else:
            port = backend.open_input(find_port(backend.get_input_names(), name))
        return cls(port, mapping, handle, performer)

    def _receive(self, message: Any) -> None:
        arrival = _time.monotonic()
        translated = midi_to_osc(message, self.mapping, self.performer)
        if translated is not None:
            self.handle(translated[0], translated[1], None, arrival)

    def close(self) -> None:
        self.port.close()


def list_midi_ports() -> list[str]:
    try:
        backend, name = open_backend()
    except MidiUnavailable as exc:
        return [f"  ({exc})"]
    lines = [f"  {name} outputs: " + (", ".join(backend.get_output_names()) or "none"),
             f"  {name} inputs:  " + (", ".join(backend.get_input_names()) or "none")]
    return lines


# GM channel 10 (index 9) is percussion: performers never land on it.
FILE_CHANNELS = tuple(c for c in range(16) if c != 9)
PIANO_PROGRAM = 0  # GM Acoustic Grand Piano
TICKS_PER_BEAT = 480
BAR_BEATS = 4.0  # a Link take's bar (Link's default quantum) where the take keeps none: its export starts on the bar holding its first note


@dataclass(frozen=True)
class PedalChange:
    time: float      # seconds, on the notes' clock
    performer: int
    down: bool


def _cut_restrikes(notes: list[Note]) -> list[Note]:
    """A note struck again while still sounding ends where the new one starts, so every note-on has exactly one
    note-off; one pass from the end, remembering each (performer, pitch)'s next onset."""
    next_onset: dict[tuple[int, int], float] = {}
    cut = [notes[0]] * len(notes) if notes else []
    for i in range(len(notes) - 1, -1, -1):
        note = notes[i]
        key = (note.performer, note.pitch)
        offset = min(note.offset, next_onset.get(key, note.offset))
        cut[i] = replace(note, offset=max(offset, note.onset))
        next_onset[key] = note.onset
    return cut


def _tick_clock(origin: float, bpm: float, tempo: list[TempoPoint], bar_beats: float,
                mido: Any) -> tuple[Callable[[float], int], list[Any]]:
    """seconds -> tick, and the tempo track's set_tempo messages. Without a tempo map: `bpm` from `origin`. With
    one (a Link take): ticks come from Link's beats, counted from the bar that holds `origin`, so a note played
    on a beat lands on a tick multiple of TICKS_PER_BEAT and bars line up in a DAW; each tempo change is a
    set_tempo at its beat."""
    if not tempo:
        ticks_per_second = TICKS_PER_BEAT * bpm / 60.0
        return (lambda seconds: round(max(0.0, seconds - origin) * ticks_per_second),
                [mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm), time=0)])
    zero = math.floor(beat_at(tempo, origin) / bar_beats + 1e-9) * bar_beats

    def tick(seconds: float) -> int:
        return max(0, round((beat_at(tempo, seconds) - zero) * TICKS_PER_BEAT))

    messages, last = [], 0
    for i, point in enumerate(tempo):
        # The first tempo in force also covers the export's start, before the map began.
        at = max(0, round((point.beat - zero) * TICKS_PER_BEAT)) if messages else 0
        following = tempo[i + 1].beat if i + 1 < len(tempo) else math.inf
        if following <= zero:
            continue  # superseded before the export starts
        messages.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(point.bpm), time=at - last))
        last = at
    return tick, messages


def write_midi(notes: Iterable[Note], path: str | os.PathLike, bpm: float = 120.0,
               pedal: Iterable[PedalChange] = (), start: float | None = None,
               tempo: list[TempoPoint] | None = None, bar_beats: float = BAR_BEATS) -> None:
    """A type-1 standard MIDI file as a DAW expects it: a tempo track, then one track per performer on its own
    channel (performer order, skipping GM's drum channel; past 15 they share channels), each opening with its name and a piano program change;
    the sustain pedal as CC64. Times count from `start` (default: the first note). With `tempo` (a Link take's tempo
map) the tempo track is that map and notes sit on Link's beat grid (see _tick_clock). Linear in the notes."""
    try:
        import mido
    except ImportError:
        raise RuntimeError("writing MIDI files needs mido: pip install 'pianogenie-bridge[midi]'") from None
    notes = sorted(notes, key=lambda n: (n.onset, n.performer))
    pedal = sorted(pedal, key=lambda change: change.time)
    performers = sorted({n.performer for n in notes} | {change.performer for change in pedal})
    origin = start if start is not None else (notes[0].onset if notes else 0.0)
    to_tick, tempo_messages = _tick_clock(origin, bpm, list(tempo or ()), bar_beats, mido)
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    midi.tracks.append(mido.MidiTrack([mido.MetaMessage("track_name", name="Piano Genie", time=0), *tempo_messages]))
    by_performer: dict[int, list[tuple[float, int, Any]]] = {n: [] for n in performers}
    for seconds, kind, note in timeline(_cut_restrikes(notes)):
        by_performer[note.performer].append((seconds, 1 + kind, note))  # 1 off, 2 on: after a pedal change
    for change in pedal:
        by_performer[change.performer].append((change.time, 0, change))
    # Past 15 performers channels are shared; each still has its own track, which is what a DAW separates by.
    for i, performer in enumerate(performers):
        channel = FILE_CHANNELS[i % len(FILE_CHANNELS)]
        track = mido.MidiTrack([mido.MetaMessage("track_name", name=f"performer {performer}", time=0),
                                mido.Message("program_change", program=PIANO_PROGRAM, channel=channel, time=0)])
        last_tick = 0
        for seconds, order, item in sorted(by_performer[performer], key=lambda e: (e[0], e[1])):
            tick = max(last_tick, to_tick(seconds))
            if order == 0:
                message = mido.Message("control_change", control=SUSTAIN_CC, value=127 if item.down else 0,
                                       channel=channel, time=tick - last_tick)
            elif order == 2:
                message = mido.Message("note_on", note=item.pitch, velocity=item.velocity, channel=channel,
                                       time=tick - last_tick)
            else:
                message = mido.Message("note_off", note=item.pitch, velocity=0, channel=channel, time=tick - last_tick)
            track.append(message)
            last_tick = tick
        midi.tracks.append(track)
    midi.save(path)
