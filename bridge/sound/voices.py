"""The synth's voice model, shared by the pyo synth and the numpy renderer: a fixed number of voices, the FM
patch's parameters, sustain pedal, and voice stealing.

Allocation order for a new note: the voice already playing that note (re-strike), a silent voice, the voice
released longest ago, and last the oldest held voice (stolen). A voice is silent once its release tail is over,
so a note can never stay on: every voice is either held by a note that will get its note-off or fading out."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Hashable

from .gain import DEFAULT_GAIN_DB

NoteId = Hashable  # (performer, pitch)

DEFAULT_SAMPLE_RATE = 48000
# 64 frames at 48 kHz is 1.3 ms per buffer: well inside the 10 ms instrument-latency bar.
DEFAULT_BUFFER_SIZE = 64
# --latency fixed's default: one period plus this. A press's path to the synth (decoder, the synth child's pipe, a
# wake-up) took 0.3-0.9 ms on a loaded 2-core machine; a press that arrives that little before a period starts
# would otherwise reach the synth after the block holding its frame was rendered, and sound late.
FIXED_MARGIN_S = 0.001
AUDIO_CHOICES = ("auto", "pyo", "sounddevice", "none")
BACKENDS = ("portaudio", "jack", "coreaudio")
# "auto": pyo's JACK backend while a JACK server runs (PortAudio would reach JACK through its own client, if at
# all), else PortAudio.
BACKEND_CHOICES = ("auto",) + BACKENDS


@dataclass(frozen=True)
class SynthParams:
    """A soft FM electric piano: carrier:modulator 1:1 keeps the spectrum harmonic on the note's pitch."""

    voices: int = 16
    ratio: float = 1.0        # modulator frequency / carrier frequency
    index: float = 2.5        # peak modulation index at full velocity
    index_decay: float = 0.4  # seconds for the brightness to fall by 1/e
    attack: float = 0.003     # seconds, linear
    decay: float = 1.2        # seconds to fall by 1/e towards the sustain level
    sustain: float = 0.25     # level held while the key is down
    release: float = 0.12     # seconds to fall by 1/e after the note-off
    gain: float = 0.2         # per voice, so 16 loud voices stay below full scale most of the time

    @property
    def release_tail(self) -> float:
        """Seconds after a note-off until the voice is below -80 dB and counts as silent."""
        return self.release * math.log(1e4)


@dataclass(frozen=True)
class SynthConfig:
    """Everything that picks and sets up the live synth (the serve/play audio flags)."""

    audio: str = "auto"            # AUDIO_CHOICES
    backend: str = "auto"          # pyo's audio backend, BACKEND_CHOICES
    device: int | None = None      # output device index; None = the default output
    buffer_size: int = DEFAULT_BUFFER_SIZE
    sample_rate: int = DEFAULT_SAMPLE_RATE
    params: SynthParams = field(default_factory=SynthParams)
    onset_log: str | None = None   # `bench osc`: the synth logs arrival -> onset of every note here
    realtime: bool = False
    synth: str = "fm"              # a name in bridge/sound/synths.py
    soundfont: str | None = None   # --soundfont; None = the best installed (bridge/sound/soundfont.py)
    plugin_params: tuple[tuple[str, float], ...] = ()  # --plugin-param, for lv2:/vst3: synths
    fixed_latency: float | None = None  # --latency fixed[:MS]: seconds from arrival to the note's frame; None = ASAP
    gain_db: float = DEFAULT_GAIN_DB    # --gain: the synth's level at start; /genie/volume changes it live


def midi_to_hz(pitch: int) -> float:
    return 440.0 * 2.0 ** ((pitch - 69) / 12.0)


class VoiceAllocator:
    def __init__(self, params: SynthParams):
        if params.voices < 1:
            raise ValueError(f"the synth needs at least one voice, got {params.voices}")
        self.params = params
        self.n = params.voices
        self.note: list[NoteId | None] = [None] * self.n  # the note a voice plays (held, sustained or fading)
        self.held = [False] * self.n                         # key down, or kept by the pedal
        self.on_time = [-math.inf] * self.n
        self.off_time = [-math.inf] * self.n
        self.sustain = False
        self.sustained: set[int] = set()
        self.stolen = 0

    def _voice_of(self, note: NoteId) -> int | None:
        for v in range(self.n):
            if self.note[v] == note and (self.held[v] or v in self.sustained):
                return v
        return None

    def note_on(self, note: NoteId, now: float) -> int:
        """The voice that plays `note` from `now`."""
        v = self._voice_of(note)
        if v is None:
            tail = self.params.release_tail
            silent = [i for i in range(self.n) if not self.held[i] and now - self.off_time[i] >= tail]
            released = [i for i in range(self.n) if not self.held[i]]
            if silent:
                v = silent[0]
            elif released:
                v = min(released, key=lambda i: self.off_time[i])
            else:
                v = min(range(self.n), key=lambda i: self.on_time[i])
                self.stolen += 1
        self.sustained.discard(v)
        self.note[v] = note
        self.held[v] = True
        self.on_time[v] = now
        return v

    def note_off(self, note: NoteId, now: float) -> int | None:
        """The voice to release now, or None (not sounding, or the pedal keeps it)."""
        v = self._voice_of(note)
        if v is None or v in self.sustained:
            return None
        if self.sustain:
            self.sustained.add(v)
            return None
        self.held[v] = False
        self.off_time[v] = now
        return v

    def pedal(self, down: bool, now: float) -> list[int]:
        """Returns the voices to release (pedal up)."""
        self.sustain = down
        if down:
            return []
        voices = sorted(self.sustained)
        for v in voices:
            self.held[v] = False
            self.off_time[v] = now
        self.sustained.clear()
        return voices

    def all_off(self, now: float) -> list[int]:
        voices = [v for v in range(self.n) if self.held[v]]
        for v in voices:
            self.held[v] = False
            self.off_time[v] = now
        self.sustained.clear()
        return voices

    def active(self, now: float) -> int:
        """Voices held or still fading."""
        tail = self.params.release_tail
        return sum(1 for v in range(self.n) if self.held[v] or now - self.off_time[v] < tail)
