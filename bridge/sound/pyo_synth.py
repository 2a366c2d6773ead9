"""The live synth on pyo: a fixed bank of FM voices allocated by the shared voice model (bridge/sound/voices.py),
computing the numpy voice bank's own formulas (bridge/sound/fm.py) so that what a player hears is what `render`
writes. Import this module only after bridge.audio has checked that an output exists: pyo's PortAudio backend
crashes the whole process (SIGSEGV) when it boots with no output device.

Why not pyo.FM: it integrates a sine modulator, so its carrier phase is x - I*cos(x), and at ratio 1 the
(n = -1) sideband lands on 0 Hz: a DC term that moved with every envelope (23 % of the live energy below 20 Hz,
issue 22). Phase modulation, sin(x + I*sin(x)), puts that sideband at sin(0) = 0: no DC, by construction."""

from __future__ import annotations

import math
import os
import threading

os.environ.setdefault("PYO_GUI_WX", "0")  # pyo prints a wxPython banner on import otherwise

import pyo  # noqa: E402

from pianogenie.engine.takes import NOTE_ON, Note, timeline  # noqa: E402

from .audio_timing import jack_timing, timing_text  # noqa: E402
from .gain import DEFAULT_GAIN_DB, RAMP_SECONDS, db_to_linear  # noqa: E402
from .sink import Sink  # noqa: E402
from ..timing import now as clock  # noqa: E402
from .voices import BACKENDS, DEFAULT_BUFFER_SIZE, DEFAULT_SAMPLE_RATE, SynthParams, VoiceAllocator, midi_to_hz  # noqa: E402

OFFLINE = "offline"  # pyo renders to a file as fast as it can: `pianogenie render --synth pyo`
# The envelope clocks run this many seconds and then hold: far past the sustain level and the release tail.
CLOCK_SPAN = 3600.0
# pyo's Sine wraps its phase input once, so the phase offset (0.5 + I / 2pi) must stay in [0, 1): I below pi.
MAX_INDEX = math.pi


class PyoSynth(Sink):
    def __init__(
        self,
        params: SynthParams = SynthParams(),
        backend: str = "portaudio",
        device: int | None = None,
        buffer_size: int = DEFAULT_BUFFER_SIZE,
        sample_rate: int = DEFAULT_SAMPLE_RATE,
        jack_name: str = "pianogenie",
        gain_db: float = DEFAULT_GAIN_DB,
    ):
        if backend not in BACKENDS + (OFFLINE,):
            raise ValueError(f"audio backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        if not 0.0 <= params.index < MAX_INDEX:
            raise ValueError(f"the pyo synth's modulation index must be 0..{MAX_INDEX:.3f}, got {params.index}")
        self.params = params
        self.sample_rate = sample_rate
        self.buffer_size = buffer_size
        self.backend = backend
        self.server = pyo.Server(sr=sample_rate, nchnls=2, buffersize=buffer_size, duplex=0, audio=backend, jackname=jack_name)
        self.server.deactivateMidi()
        self.server.setVerbosity(1 | 4)  # errors and warnings; not pyo's progress messages
        if device is not None:
            self.server.setOutputDevice(device)
        self.server.boot()
        if not self.server.getIsBooted():
            raise RuntimeError(f"pyo could not boot the {backend} audio backend")
        self.lock = threading.Lock()
        self.alloc = VoiceAllocator(params)
        self.freq = [pyo.Sig(440.0) for _ in range(params.voices)]
        self.amp = [pyo.Sig(0.0) for _ in range(params.voices)]
        self.index = [pyo.Sig(0.0) for _ in range(params.voices)]
        self.gate = [pyo.Sig(0.0) for _ in range(params.voices)]
        # Seconds since the note-on and since the note-off: the envelopes below are the numpy voice bank's
        # formulas (bridge/sound/fm.py) computed from these, so live and offline sound the same.
        self.since_on = [pyo.Linseg([(0.0, 0.0), (CLOCK_SPAN, CLOCK_SPAN)]) for _ in range(params.voices)]
        self.since_off = [pyo.Linseg([(0.0, 0.0), (CLOCK_SPAN, CLOCK_SPAN)]) for _ in range(params.voices)]
        self.env = [self._level(v) for v in range(params.voices)]
        self.voices = [self._voice(v) for v in range(params.voices)]
        # One mono mix on both channels: Mix(voices, voices=2) would deal the voices out alternately, putting
        # each note in one ear only.
        # The level glides to each new value (set_gain): a step under a sounding note would click.
        self.level = pyo.SigTo(db_to_linear(gain_db), time=RAMP_SECONDS, init=db_to_linear(gain_db))
        self.mix = pyo.Mix(self.voices, voices=1, mul=self.level)
        self.output = pyo.Mix([self.mix, self.mix], voices=2).out()
        self.description = f"pyo {backend}, {self._timing(buffer_size, sample_rate)}, {params.voices} voices"

    def _timing(self, buffer_size: int, sample_rate: int) -> str:
        """The booted server's period and rate (on JACK, pyo takes the server's at boot), with JACK's playback
        latency there; PortAudio's latency pyo does not report."""
        frames, rate = int(self.server.getBufferSize()), int(self.server.getSamplingRate())
        jack = jack_timing() if self.backend == "jack" else None
        self.output_latency_s = jack.playback_s if jack else None
        return timing_text(frames, rate, buffer_size, sample_rate, self.output_latency_s)

    def _level(self, v: int) -> pyo.PyoObject:
        """fm.FmVoiceBank's envelope: a linear attack, an exponential decay to the sustain level, and an
        exponential release from the note-off, times the velocity's amplitude."""
        p = self.params
        t = self.since_on[v]
        attack = pyo.Min(t * (1.0 / p.attack), 1.0)
        held = attack * (pyo.Exp(pyo.Max(t - p.attack, 0.0) * (-1.0 / p.decay)) * (1.0 - p.sustain) + p.sustain)
        released = pyo.Exp(self.since_off[v] * (-1.0 / p.release))
        gate = self.gate[v]
        return held * (gate + (1.0 - gate) * released) * self.amp[v]

    def _voice(self, v: int) -> pyo.PyoObject:
        """sin(phase + I * sin(ratio * phase)) with I falling from its velocity-scaled peak, as in fm.py. The
        modulator and carrier are two oscillators on the same frequency signal, so at ratio 1 they share one
        phase; the carrier reads half a cycle on (keeping Sine's phase input positive) and its sign is flipped."""
        p = self.params
        brightness = pyo.Exp(self.since_on[v] * (-1.0 / p.index_decay)) * self.index[v] * (1.0 / (2.0 * math.pi))
        modulator = pyo.Sine(freq=self.freq[v] * p.ratio, mul=brightness, add=0.5)
        return pyo.Sine(freq=self.freq[v], phase=modulator, mul=self.env[v] * -1.0)

    def start(self) -> None:
        self.server.start()

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: object = None) -> None:
        with self.lock:
            v = self.alloc.note_on((performer, pitch), time)
            self.freq[v].value = midi_to_hz(pitch)
            self.amp[v].value = self.params.gain * velocity / 127.0
            self.index[v].value = self.params.index * velocity / 127.0
            self.gate[v].value = 1.0
            self.since_on[v].play()

    def set_gain(self, db: float) -> None:
        with self.lock:
            self.level.value = db_to_linear(db)

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: object = None) -> None:
        with self.lock:
            v = self.alloc.note_off((performer, pitch), time)
            if v is not None:
                self._release(v)

    def all_off(self) -> None:
        with self.lock:
            for v in self.alloc.all_off(clock()):
                self._release(v)

    def _release(self, v: int) -> None:
        self.gate[v].value = 0.0
        self.since_off[v].play()

    def close(self) -> None:
        self.all_off()
        self.server.stop()
        self.server.shutdown()


def render_offline(notes: list[Note], path: str, sample_rate: int = DEFAULT_SAMPLE_RATE,
                   params: SynthParams = SynthParams(), buffer_size: int = DEFAULT_BUFFER_SIZE,
                   gain_db: float = DEFAULT_GAIN_DB) -> float:
    """Render notes with this synth, offline, into a 16-bit WAV. Note events land on buffer boundaries (64 frames
    = 1.3 ms at 48 kHz), and every note sounds at least two buffers. Returns the seconds rendered."""
    synth = PyoSynth(params, OFFLINE, None, buffer_size, sample_rate, gain_db=gain_db)
    events = timeline(notes, shortest=2.0 * buffer_size / sample_rate)
    end = max((note.offset for note in notes), default=0.0) + params.release_tail + 0.05
    synth.server.recordOptions(dur=end, filename=str(path), fileformat=0, sampletype=0)
    # One CallAfter per distinct instant, running that instant's actions in order.
    groups: dict[float, list] = {}
    for when, kind, note in events:
        if kind == NOTE_ON:
            action = (lambda n=note, t=when: synth.note_on(n.performer, n.pitch, n.velocity, 0, t))
        else:
            action = (lambda n=note, t=when: synth.note_off(n.performer, n.pitch, 0, t))
        groups.setdefault(when, []).append(action)
    callers = [pyo.CallAfter(lambda actions=actions: [a() for a in actions], time=max(when, 1e-6))
               for when, actions in groups.items()]
    synth.server.start()  # offline: returns when the file is written
    del callers
    synth.server.shutdown()
    return end
