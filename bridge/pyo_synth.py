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
OFFLINE = "offline"  # pyo renders to a file as fast as it can: `pianogenie render --synth pyo`


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


def render_offline(notes: list[dict], path: str, sample_rate: int = 48000, params: SynthParams = SynthParams(),
                   buffer_size: int = 64) -> float:
    """Render notes ({"pitch", "onset", "offset", "velocity", "performer"}) with this synth, offline, into a 16-bit
    WAV. Note events land on buffer boundaries (64 frames = 1.3 ms at 48 kHz). Returns the seconds rendered."""
    synth = PyoSynth(params, OFFLINE, None, buffer_size, sample_rate)
    end = max((float(n["offset"]) for n in notes), default=0.0) + params.release_tail + 0.05
    synth.server.recordOptions(dur=end, filename=str(path), fileformat=0, sampletype=0)
    timeline = []  # (seconds, order, action): at one instant, offs before ons
    for note in notes:
        key = (int(note.get("performer", 0)), int(note["pitch"]))
        velocity = int(note.get("velocity", 100))
        onset = float(note["onset"])
        offset = max(float(note["offset"]), onset + 2.0 * buffer_size / sample_rate)  # sounds at least 2 buffers
        timeline.append((onset, 1, lambda k=key, v=velocity, t=onset: synth.note_on(k[0], k[1], v, 0, t)))
        timeline.append((offset, 0, lambda k=key, t=offset: synth.note_off(k[0], k[1], 0, t)))
    timeline.sort(key=lambda item: (item[0], item[1]))
    # One CallAfter per distinct instant, running that instant's actions in order.
    groups: dict[float, list] = {}
    for when, _, action in timeline:
        groups.setdefault(when, []).append(action)
    callers = [pyo.CallAfter(lambda actions=actions: [a() for a in actions], time=max(when, 1e-6))
               for when, actions in groups.items()]
    synth.server.start()  # offline: returns when the file is written
    del callers
    synth.server.shutdown()
    return end
