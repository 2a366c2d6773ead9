"""The live synth on pyo: a fixed bank of FM voices (pyo.FM) with ADSR envelopes, allocated by the shared voice
model (bridge/voices.py). Import this module only after bridge.audio has checked that an output exists: pyo's
PortAudio backend crashes the whole process (SIGSEGV) when it boots with no output device."""

from __future__ import annotations

import os
import threading

os.environ.setdefault("PYO_GUI_WX", "0")  # pyo prints a wxPython banner on import otherwise

import pyo  # noqa: E402

from .voices import SynthParams, VoiceAllocator, midi_to_hz  # noqa: E402

BACKENDS = ("portaudio", "jack", "coreaudio")


class PyoSynth:
    def __init__(
        self,
        params: SynthParams = SynthParams(),
        backend: str = "portaudio",
        device: int | None = None,
        buffer_size: int = 64,
        sample_rate: int = 48000,
        jack_name: str = "pianogenie",
    ):
        if backend not in BACKENDS:
            raise ValueError(f"audio backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        self.params = params
        self.sample_rate = sample_rate
        self.buffer_size = buffer_size
        self.backend = backend
        self.server = pyo.Server(sr=sample_rate, nchnls=2, buffersize=buffer_size, duplex=0, audio=backend, jackname=jack_name)
        self.server.deactivateMidi()
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
        self.mix = pyo.Mix(self.voices, voices=2)
        self.output = self.mix.out()
        self.description = (
            f"pyo {backend}, {buffer_size} frames @ {sample_rate} Hz "
            f"({1000.0 * buffer_size / sample_rate:.1f} ms per buffer), {params.voices} voices"
        )

    def start(self) -> None:
        self.server.start()

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float) -> None:
        with self.lock:
            v = self.alloc.note_on((performer, pitch), time)
            self.freq[v].value = midi_to_hz(pitch)
            self.amp[v].value = self.params.gain * velocity / 127.0
            self.brightness[v].mul = self.params.index * velocity / 127.0
            self.env[v].play()
            self.brightness[v].play()

    def note_off(self, performer: int, pitch: int, button: int, time: float) -> None:
        with self.lock:
            v = self.alloc.note_off((performer, pitch), time)
            if v is not None:
                self.env[v].stop()
                self.brightness[v].stop()

    def pedal(self, down: bool) -> None:
        """The synth's own sustain, for callers that drive it directly (the bridge sustains at note level)."""
        import time as _time

        with self.lock:
            for v in self.alloc.pedal(down, _time.monotonic()):
                self.env[v].stop()
                self.brightness[v].stop()

    def all_off(self) -> None:
        import time as _time

        with self.lock:
            for v in self.alloc.all_off(_time.monotonic()):
                self.env[v].stop()
                self.brightness[v].stop()

    def close(self) -> None:
        self.all_off()
        self.server.stop()
        self.server.shutdown()
