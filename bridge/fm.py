"""The FM synth in numpy: the offline renderer (`pianogenie render`) and the sounddevice fallback when pyo is
missing. Same voice model and parameters as the pyo synth (bridge/voices.py). Deterministic: the output depends
only on the notes and the parameters."""

from __future__ import annotations

import math
import threading
import wave
from pathlib import Path
from typing import Iterable

import numpy as np

from .voices import NoteId, SynthParams, VoiceAllocator, midi_to_hz

DEFAULT_SAMPLE_RATE = 48000


class FmVoiceBank:
    """Voices rendered block by block; note events apply at the current sample."""

    def __init__(self, params: SynthParams = SynthParams(), sample_rate: int = DEFAULT_SAMPLE_RATE):
        self.params = params
        self.sr = int(sample_rate)
        self.alloc = VoiceAllocator(params)
        n = params.voices
        self.freq = np.zeros(n)
        self.amp = np.zeros(n)
        self.start = np.zeros(n, dtype=np.int64)    # sample of the note-on
        self.level0 = np.zeros(n)                   # envelope level the attack starts from (a stolen voice)
        self.stop = np.full(n, -1, dtype=np.int64)  # sample of the note-off, -1 while held
        self.now = 0                                # samples rendered so far

    # --- envelope -----------------------------------------------------------------------------------------------

    def _held_level(self, v: int, t: np.ndarray) -> np.ndarray:
        p = self.params
        attack = self.level0[v] + (1.0 - self.level0[v]) * np.clip(t / p.attack, 0.0, 1.0)
        decay = p.sustain + (1.0 - p.sustain) * np.exp(-np.maximum(t - p.attack, 0.0) / p.decay)
        return np.where(t < p.attack, attack, decay)

    def _level(self, v: int, samples: np.ndarray) -> np.ndarray:
        t = (samples - self.start[v]) / self.sr
        level = self._held_level(v, t)
        if self.stop[v] >= 0:
            t_off = (self.stop[v] - self.start[v]) / self.sr
            at_off = self._held_level(v, np.array([t_off]))[0]
            released = samples >= self.stop[v]
            fade = at_off * np.exp(-np.maximum(samples - self.stop[v], 0) / self.sr / self.params.release)
            level = np.where(released, fade, level)
        return level

    # --- events -------------------------------------------------------------------------------------------------

    def note_on(self, note: NoteId, pitch: int, velocity: int) -> None:
        v = self.alloc.note_on(note, self.now / self.sr)
        active = self.stop[v] < 0 or self.now - self.stop[v] < self.params.release_tail * self.sr
        self.level0[v] = float(self._level(v, np.array([self.now]))[0]) if active and self.amp[v] > 0 else 0.0
        self.freq[v] = midi_to_hz(pitch)
        self.amp[v] = self.params.gain * (velocity / 127.0)
        self.start[v] = self.now
        self.stop[v] = -1

    def _release(self, voices: Iterable[int]) -> None:
        for v in voices:
            self.stop[v] = self.now

    def note_off(self, note: NoteId) -> None:
        v = self.alloc.note_off(note, self.now / self.sr)
        if v is not None:
            self._release([v])

    def pedal(self, down: bool) -> None:
        self._release(self.alloc.pedal(down, self.now / self.sr))

    def all_off(self) -> None:
        self._release(self.alloc.all_off(self.now / self.sr))

    # --- audio --------------------------------------------------------------------------------------------------

    def render(self, frames: int) -> np.ndarray:
        """The next `frames` samples, mono float64."""
        out = np.zeros(frames)
        samples = np.arange(self.now, self.now + frames)
        tail = self.params.release_tail * self.sr
        p = self.params
        for v in range(self.params.voices):
            if self.amp[v] == 0.0 or (self.stop[v] >= 0 and self.now - self.stop[v] > tail):
                continue
            t = (samples - self.start[v]) / self.sr
            level = self._level(v, samples)
            index = p.index * (self.amp[v] / p.gain) * np.exp(-t / p.index_decay)
            phase = 2.0 * math.pi * self.freq[v] * t
            out += self.amp[v] * level * np.sin(phase + index * np.sin(p.ratio * phase))
        self.now += frames
        return out


def render_notes(notes: Iterable[dict], sample_rate: int = DEFAULT_SAMPLE_RATE, params: SynthParams = SynthParams()) -> np.ndarray:
    """Notes ({"pitch", "onset", "offset", "velocity", optional "performer"}) -> mono float32 audio, sample-exact."""
    timeline = []  # (sample, order, kind, note): at one sample, offs come before ons
    for note in notes:
        key = (note.get("performer", 0), int(note["pitch"]))
        on = round(float(note["onset"]) * sample_rate)
        off = max(on + 1, round(float(note["offset"]) * sample_rate))
        timeline.append((on, 1, "on", key, int(note.get("velocity", 100))))
        timeline.append((off, 0, "off", key, 0))
    timeline.sort(key=lambda e: (e[0], e[1]))
    bank = FmVoiceBank(params, sample_rate)
    end = (timeline[-1][0] if timeline else 0) + int(params.release_tail * sample_rate) + 1
    blocks = []
    for sample, _, kind, key, velocity in timeline:
        if sample > bank.now:
            blocks.append(bank.render(sample - bank.now))
        if kind == "on":
            bank.note_on(key, key[1], velocity)
        else:
            bank.note_off(key)
    blocks.append(bank.render(end - bank.now))
    audio = np.concatenate(blocks) if blocks else np.zeros(0)
    return np.clip(audio, -1.0, 1.0).astype(np.float32)


def write_wav(path: str | Path, audio: np.ndarray, sample_rate: int = DEFAULT_SAMPLE_RATE) -> None:
    """16-bit mono PCM."""
    pcm = np.round(np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Mono float audio in [-1, 1] and its sample rate (16-bit PCM; other channels are averaged)."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM WAV is supported")
        channels, rate = wav.getnchannels(), wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float64) / 32768.0
    return data.reshape(-1, channels).mean(axis=1), rate


class SoundDeviceSynth:
    """Real-time playback of the numpy voice bank through sounddevice (PortAudio), for machines without pyo."""

    def __init__(self, params: SynthParams, device: int | str | None, buffer_size: int, sample_rate: int | None = None):
        import sounddevice as sd

        info = sd.query_devices(device, "output")
        self.sample_rate = int(sample_rate or info["default_samplerate"])
        self.bank = FmVoiceBank(params, self.sample_rate)
        self.lock = threading.Lock()
        self.stream = sd.OutputStream(
            samplerate=self.sample_rate, blocksize=buffer_size, device=device, channels=1, dtype="float32",
            latency="low", callback=self._callback,
        )
        self.description = f"sounddevice ({info['name']}), {buffer_size} frames @ {self.sample_rate} Hz, {params.voices} voices"

    def _callback(self, outdata, frames, time_info, status) -> None:
        with self.lock:
            outdata[:, 0] = self.bank.render(frames)

    def start(self) -> None:
        self.stream.start()

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float) -> None:
        with self.lock:
            self.bank.note_on((performer, pitch), pitch, velocity)

    def note_off(self, performer: int, pitch: int, button: int, time: float) -> None:
        with self.lock:
            self.bank.note_off((performer, pitch))

    def pedal(self, down: bool) -> None:
        with self.lock:
            self.bank.pedal(down)

    def all_off(self) -> None:
        with self.lock:
            self.bank.all_off()

    def close(self) -> None:
        self.stream.stop()
        self.stream.close()
