"""The sampled piano: General MIDI program 0 from a SoundFont, played by FluidSynth (docs/benchmarks.md says
why FluidSynth and not TinySoundFont).

One PianoBank serves both uses: offline, `render` pulls samples from it block by block (deterministic: the same
notes give the same samples); live, FluidSynth's own audio driver (JACK first) pulls them from a C thread that
never takes the GIL, so the bridge's presses do not wait for the synth and no child process is needed.

Voices follow the FM synth's model (bridge/sound/voices.py): --voices notes at most, the oldest held note is
stolen beyond that, and the pedal keeps released notes. Each performer plays on its own MIDI channel, so two
performers on the same key do not cut each other off; channel 10 is skipped (General MIDI drums)."""

from __future__ import annotations

import threading
import time as _time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

import numpy as np

from pianogenie.engine.takes import Note

from ..system import jack_running, quiet_stderr
from .audio_timing import jack_timing, timing_text
from .blocks import stream_blocks
from .gain import DEFAULT_GAIN_DB, db_to_linear
from .sink import Sink, SynthUnavailable
from ..timing import now as clock
from .soundfont import SoundFontError, find_soundfont, load_fluidsynth
from .voices import DEFAULT_SAMPLE_RATE, NoteId, SynthParams, VoiceAllocator

if TYPE_CHECKING:
    from .render import RenderConfig
    from .voices import SynthConfig

CHANNELS = tuple(c for c in range(16) if c != 9)
SUSTAIN, ALL_NOTES_OFF = 64, 123
# FluidSynth counts samples, not notes (measured: 2 per key for FluidR3's stereo piano, 1 for TimGM6mb), and
# released notes keep theirs while they fade: its own limit stays well above --voices notes, so only the
# allocator decides what is stolen.
SAMPLES_PER_NOTE = 4
# FluidSynth's gain, the one place the piano's level is set: loudness-matched to the FM synth's defaults on
# rendered takes (TimGM6mb, 10 takes: piano - FM from -0.5 to +0.7 dB; at 0.6 the piano was 11 dB quieter,
# issue 22; docs/benchmarks.md). Like the FM synth, 16 loud notes at once can reach full scale.
GAIN = 2.05
LIVE_DRIVERS = ("jack", "pulseaudio", "alsa")


def _channel(note: NoteId) -> int:
    performer = note[0] if isinstance(note, tuple) else 0
    return CHANNELS[performer % len(CHANNELS)]


class PianoBank:
    """A FluidSynth synth with one SoundFont's piano on every channel, driven by the shared voice model."""

    def __init__(self, soundfont: str | Path | None = None, params: SynthParams = SynthParams(),
                 sample_rate: int = DEFAULT_SAMPLE_RATE, gain_db: float = DEFAULT_GAIN_DB, **settings: object):
        fluidsynth = load_fluidsynth()
        self.fluidsynth = fluidsynth
        self.soundfont = find_soundfont(soundfont)
        self.params = params
        self.sample_rate = int(sample_rate)
        self.alloc = VoiceAllocator(params)
        self.lock = threading.Lock()
        self.fs = fluidsynth.Synth(gain=GAIN * db_to_linear(gain_db), samplerate=float(sample_rate), channels=16,
                                   **{"synth.polyphony": min(65535, max(64, SAMPLES_PER_NOTE * params.voices)),
                                      # Dry: a note-off ends the sound within the sample's release, and renders
                                      # stay comparable with the FM synth's.
                                      "synth.reverb.active": 0, "synth.chorus.active": 0, **settings})
        with quiet_stderr():
            sfid = self.fs.sfload(str(self.soundfont))
        if sfid < 0:
            self.fs.delete()
            raise SoundFontError(f"--soundfont {self.soundfont}: FluidSynth cannot load it (damaged or not a SoundFont)")
        for channel in CHANNELS:
            self.fs.program_select(channel, sfid, 0, 0)
        self.now = 0.0  # seconds rendered (offline); live callers pass their own clock
        self.voice_note: list[NoteId | None] = [None] * params.voices
        self.sounding: dict[NoteId, int] = {}  # note -> key, for notes FluidSynth has on and not yet released

    # --- events (times only order the voice model: FluidSynth plays each event at once) ------------------------

    def _when(self, now: float | None) -> float:
        return self.now if now is None else now

    def note_on(self, note: NoteId, pitch: int, velocity: int, now: float | None = None) -> None:
        with self.lock:
            v = self.alloc.note_on(note, self._when(now))
            previous = self.voice_note[v]
            if previous is not None and previous != note and previous in self.sounding:
                # The allocator stole this voice from a held note: that note stops here, as in the FM synth.
                self.fs.noteoff(_channel(previous), self.sounding.pop(previous))
            self.voice_note[v] = note
            self.sounding[note] = int(pitch)
            self.fs.noteon(_channel(note), int(pitch), max(1, min(127, int(velocity))))

    def note_off(self, note: NoteId, pitch: int, now: float | None = None) -> None:
        with self.lock:
            self.alloc.note_off(note, self._when(now))
            # FluidSynth gets every note-off, pedal or not: under CC64 it keeps the note until pedal-up itself,
            # and a key it still held at pedal-up would hang.
            if self.sounding.pop(note, None) is not None:
                self.fs.noteoff(_channel(note), int(pitch))

    def pedal(self, down: bool, now: float | None = None) -> None:
        with self.lock:
            self.alloc.pedal(down, self._when(now))
            for channel in CHANNELS:
                self.fs.cc(channel, SUSTAIN, 127 if down else 0)

    def all_off(self, now: float | None = None) -> None:
        """Pedal up and every note released: nothing can hang after this."""
        with self.lock:
            self.alloc.pedal(False, self._when(now))
            self.alloc.all_off(self._when(now))
            self.sounding.clear()
            for channel in CHANNELS:
                self.fs.cc(channel, SUSTAIN, 0)
                self.fs.cc(channel, ALL_NOTES_OFF, 0)

    def set_gain(self, db: float) -> None:
        """The level from now on; FluidSynth moves each voice's amplitude to it over its next 64-sample block."""
        set_gain = getattr(self.fluidsynth, "fluid_synth_set_gain", None)
        if set_gain is None:  # pyfluidsynth does not bind it: bound here, once, by its own prototype helper
            from ctypes import c_float, c_void_p

            set_gain = self.fluidsynth.cfunc("fluid_synth_set_gain", None, ("synth", c_void_p, 1), ("gain", c_float, 1))
            self.fluidsynth.fluid_synth_set_gain = set_gain
        with self.lock:
            set_gain(self.fs.synth, GAIN * db_to_linear(db))

    # --- audio ---------------------------------------------------------------------------------------------------

    def render(self, frames: int) -> np.ndarray:
        """The next `frames` samples, stereo float64, shape (frames, 2)."""
        with self.lock:
            samples = self.fs.get_samples(frames).astype(np.float64).reshape(-1, 2) / 32768.0
            self.now += frames / self.sample_rate
        return samples

    def close(self) -> None:
        self.fs.delete()


class LivePiano(Sink):
    """The piano as a note sink, sounding through FluidSynth's own audio driver."""

    def __init__(self, soundfont: str | Path | None, params: SynthParams, buffer_size: int, sample_rate: int,
                 jack_name: str = "pianogenie", gain_db: float = DEFAULT_GAIN_DB):
        self.bank = PianoBank(soundfont, params, sample_rate, gain_db, **{
            "audio.period-size": int(buffer_size), "audio.periods": 2,
            "audio.jack.id": jack_name, "audio.jack.autoconnect": 1})
        problems = []
        self.driver = None
        for driver in LIVE_DRIVERS:
            if driver == "jack" and not jack_running():
                problems.append("jack: no JACK server is running")
                continue
            self.bank.fs.setting("audio.driver", driver)
            with quiet_stderr():
                handle = self.bank.fluidsynth.new_fluid_audio_driver(self.bank.fs.settings, self.bank.fs.synth)
            if handle:
                self.bank.fs.audio_driver = handle  # Synth.delete() stops it
                self.driver = driver
                break
            problems.append(f"{driver}: cannot open")
        if self.driver is None:
            self.bank.close()
            raise SynthUnavailable("piano: no audio output (" + "; ".join(problems) + ")")
        # Under JACK the server's period and rate apply, not --buffer-size and --sample-rate.
        # (measured: a 44100 Hz synth on a 48 kHz server plays in tune; FluidSynth follows the server).
        jack = jack_timing() if self.driver == "jack" else None
        self.output_latency_s = jack.playback_s if jack else None
        timing = timing_text(jack.period, jack.rate, buffer_size, sample_rate, jack.playback_s) if jack else \
            timing_text(buffer_size, sample_rate, buffer_size)
        self.description = f"piano {self.bank.soundfont.name} (FluidSynth {self.driver}), {timing}, {params.voices} voices"

    # The voice model runs on this process's monotonic clock, whatever clock the caller's `time` is on, so that
    # all_off (which has no caller time) orders with the notes.
    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: object = None) -> None:
        self.bank.note_on((performer, pitch), pitch, velocity, clock())

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: object = None) -> None:
        self.bank.note_off((performer, pitch), pitch, clock())

    def all_off(self) -> None:
        self.bank.all_off(clock())

    def set_gain(self, db: float) -> None:
        self.bank.set_gain(db)

    def close(self) -> None:
        self.bank.all_off(clock())
        # Long enough for the driver to play the releases: deleting it at once would cut them to a click.
        _time.sleep(0.05)
        self.bank.close()


# A piano's release runs longer than the FM synth's: its render goes on, 50 ms at a time, until a block is below
# -80 dB, for at most this long.
PIANO_TAIL_S = 10


def stream_piano(notes: Iterable[Note], write: Callable[[np.ndarray], None], soundfont: str | Path | None = None,
                 sample_rate: int = DEFAULT_SAMPLE_RATE, params: SynthParams = SynthParams()) -> int:
    """Notes -> mono float32 blocks through the piano, each given to `write` as it is made (an hour's take in one
    block's memory): the frames written. Events land on their own sample (FluidSynth applies them at its next
    64-sample block); the render ends once the last release has faded."""
    bank = PianoBank(soundfont, params, sample_rate)
    try:
        return stream_blocks(bank, notes, sample_rate, PIANO_TAIL_S * sample_rate, write, quiet=1e-4)
    finally:
        bank.close()


def render_piano(notes: Iterable[Note], soundfont: str | Path | None = None, sample_rate: int = DEFAULT_SAMPLE_RATE,
                 params: SynthParams = SynthParams()) -> np.ndarray:
    """Notes -> mono float32 audio through the piano, whole (stream_piano, collected)."""
    blocks: list[np.ndarray] = []
    stream_piano(notes, blocks.append, soundfont, sample_rate, params)
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)


class PianoSynth:
    """The piano as a registered synth (bridge/sound/synths.py). SoundFontError (exit 2) when the library or the
    SoundFont is missing, as the user asked for the piano by name; no audio output is SynthUnavailable."""

    def open_live(self, config: "SynthConfig") -> Sink:
        load_fluidsynth()
        find_soundfont(config.soundfont)
        return LivePiano(config.soundfont, config.params, config.buffer_size, config.sample_rate,
                         gain_db=config.gain_db)

    def render(self, notes: list[Note], out: Path, config: "RenderConfig") -> float:
        from .wav import WavWriter

        gain = db_to_linear(config.gain_db)
        with WavWriter(out, 1, config.sample_rate) as wav:  # block by block: an hour's take in one block's memory
            frames = stream_piano(notes, lambda block: wav.write(block * gain), config.soundfont,
                                  config.sample_rate, config.params)
        return frames / config.sample_rate


SYNTH = PianoSynth()
