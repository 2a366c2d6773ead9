"""The live synth on pyo: a fixed bank of FM voices (pyo.FM) with ADSR envelopes, allocated by the shared voice
model (bridge/voices.py). Import this module only after bridge.audio has checked that an output exists: pyo's
PortAudio backend crashes the whole process (SIGSEGV) when it boots with no output device."""

from __future__ import annotations

import os
import threading
import time as _time

os.environ.setdefault("PYO_GUI_WX", "0")  # pyo prints a wxPython banner on import otherwise

import pyo  # noqa: E402

from pianogenie.engine.takes import NOTE_ON, Note, timeline  # noqa: E402

from .voices import BACKENDS, DEFAULT_BUFFER_SIZE, DEFAULT_SAMPLE_RATE, SynthParams, VoiceAllocator, midi_to_hz  # noqa: E402
OFFLINE = "offline"  # pyo renders to a file as fast as it can: `pianogenie render --synth pyo`


class PyoSynth:
    def __init__(
        self,
        params: SynthParams = SynthParams(),
        backend: str = "portaudio",
        device: int | None = None,
        buffer_size: int = DEFAULT_BUFFER_SIZE,
        sample_rate: int = DEFAULT_SAMPLE_RATE,
        jack_name: str = "pianogenie",
    ):
        if backend not in BACKENDS + (OFFLINE,):
            raise ValueError(f"audio backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
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
        self.env = [pyo.Adsr(params.attack, params.decay, params.sustain, params.release, dur=0, mul=a) for a in self.amp]
        # Brightness: the modulation index falls from its velocity-scaled peak like the real instrument's.
        self.brightness = [pyo.Adsr(params.attack, params.index_decay, 0.15, params.release, dur=0, mul=params.index) for _ in self.amp]
        self.voices = [
            pyo.FM(carrier=f, ratio=params.ratio, index=b, mul=e)
            for f, b, e in zip(self.freq, self.brightness, self.env)
        ]
        # One mono mix on both channels: Mix(voices, voices=2) would deal the voices out alternately, putting
        # each note in one ear only.
        self.mix = pyo.Mix(self.voices, voices=1)
        self.output = pyo.Mix([self.mix, self.mix], voices=2).out()
        self.description = (
            f"pyo {backend}, {buffer_size} frames @ {sample_rate} Hz "
            f"({1000.0 * buffer_size / sample_rate:.1f} ms per buffer), {params.voices} voices"
        )

    def start(self) -> None:
        self.server.start()

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: object = None) -> None:
        with self.lock:
            v = self.alloc.note_on((performer, pitch), time)
            self.freq[v].value = midi_to_hz(pitch)
            self.amp[v].value = self.params.gain * velocity / 127.0
            self.brightness[v].mul = self.params.index * velocity / 127.0
            self.env[v].play()
            self.brightness[v].play()

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: object = None) -> None:
        with self.lock:
            v = self.alloc.note_off((performer, pitch), time)
            if v is not None:
                self.env[v].stop()
                self.brightness[v].stop()

    def all_off(self) -> None:
        with self.lock:
            for v in self.alloc.all_off(_time.monotonic()):
                self.env[v].stop()
                self.brightness[v].stop()

    def close(self) -> None:
        self.all_off()
        self.server.stop()
        self.server.shutdown()


def render_offline(notes: list[Note], path: str, sample_rate: int = DEFAULT_SAMPLE_RATE,
                   params: SynthParams = SynthParams(), buffer_size: int = DEFAULT_BUFFER_SIZE) -> float:
    """Render notes with this synth, offline, into a 16-bit WAV. Note events land on buffer boundaries (64 frames
    = 1.3 ms at 48 kHz), and every note sounds at least two buffers. Returns the seconds rendered."""
    synth = PyoSynth(params, OFFLINE, None, buffer_size, sample_rate)
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
