"""The FM voice bank in numpy: what `pianogenie render` renders offline and what the sounddevice synth plays
when pyo is missing. Same voice model and parameters as the pyo synth (bridge/sound/voices.py). Deterministic:
the output depends only on the notes and the parameters."""

from __future__ import annotations

import math
from typing import Callable, Iterable

import numpy as np

from pianogenie.engine.takes import Note

from .blocks import render_blocks, stream_blocks
from .voices import DEFAULT_SAMPLE_RATE, NoteId, SynthParams, VoiceAllocator, midi_to_hz


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

    def note_off(self, note: NoteId, pitch: int | None = None) -> None:
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


def render_notes(notes: Iterable[Note], sample_rate: int = DEFAULT_SAMPLE_RATE, params: SynthParams = SynthParams()) -> np.ndarray:
    """Notes -> mono float32 audio, sample-exact: every event lands on its own sample, a note lasts at least one."""
    return render_blocks(FmVoiceBank(params, sample_rate), notes, sample_rate, int(params.release_tail * sample_rate) + 1)


def stream_notes(notes: Iterable[Note], write: Callable[[np.ndarray], None], sample_rate: int = DEFAULT_SAMPLE_RATE,
                 params: SynthParams = SynthParams()) -> int:
    """render_notes, each block handed to `write` as it is made (bounded memory); returns the frames written."""
    return stream_blocks(FmVoiceBank(params, sample_rate), notes, sample_rate, int(params.release_tail * sample_rate) + 1,
                         write)
