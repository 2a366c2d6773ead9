"""Real-time playback of a block renderer (bridge/sound/blocks.py) through sounddevice (PortAudio): the numpy FM
voice bank on machines without pyo, and any registered block synth inside the synth child process."""

from __future__ import annotations

import threading
from typing import Any, Callable

import numpy as np

from ..timing import now as monotonic
from .audio_timing import jack_timing, timing_text
from .blocks import BlockRenderer, load_renderer
from .fm import FmVoiceBank
from .gain import DEFAULT_GAIN_DB, GainRamp
from .jack_clock import JackCycleClock
from .sink import Sink, SynthUnavailable
from .stream_clock import StreamClock
from .voices import SynthParams

# A block whose loudest sample is above this holds a note's first sound (the onset log's test, as pyo's Thresh).
ONSET_LEVEL = 1e-6
# The callbacks whose render times are kept (`bench osc --sound plugin` reports their p99): the latest this many,
# about 90 s at 64 frames, in a ring preallocated so that the audio thread never allocates for it.
TIMED_BLOCKS = 65536
NOTE_OFF, NOTE_ON, ALL_OFF = 0, 1, 2


class SoundDeviceSynth(Sink):
    """A block renderer played by a PortAudio callback; `renderer` is built as renderer(params, sample_rate)."""

    def __init__(self, params: SynthParams, device: int | str | None, buffer_size: int, sample_rate: int | None = None,
                 renderer: Callable[[SynthParams, int], BlockRenderer] = FmVoiceBank,
                 on_sound: Callable[[], Any] | None = None, fixed: float | None = None,
                 gain_db: float = DEFAULT_GAIN_DB):
        """fixed: None plays each note at the next block (ASAP); seconds place every event that long after its
        arrival stamp, at its exact frame in the block (--latency fixed)."""
        import sounddevice as sd

        info = sd.query_devices(device, "output")
        self.sample_rate = int(sample_rate or info["default_samplerate"])
        self.bank = renderer(params, self.sample_rate)
        self.gain = GainRamp(gain_db, self.sample_rate)
        self.lock = threading.Lock()
        self.on_sound = on_sound
        self.rendering_since: float | None = None
        self.fixed = fixed
        self.late = 0  # --latency fixed: events that arrived too late for their frame (played at the block start)
        self._timed: list[tuple[float, int, tuple]] = []  # (arrival, kind, args) awaiting their block
        self._clock = StreamClock(buffer_size / self.sample_rate)
        self._frames_played = 0  # the stream's own clock: frames, which the period's wake-up jitter does not move
        self._struck = False  # a note-on since the last block: the next non-silent block is its onset
        self._block_s = np.zeros(TIMED_BLOCKS)  # each callback's render time (the renderer's run, gain, events)
        self._blocks = 0
        # Stereo where the device has it: a mono stream reaches the left speaker only (under JACK, PortAudio
        # connects a one-channel stream to system:playback_1 alone).
        self.channels = min(2, int(info["max_output_channels"])) or 1
        self.stream = sd.OutputStream(
            samplerate=self.sample_rate, blocksize=buffer_size, device=device, channels=self.channels, dtype="float32",
            latency="low", callback=self._callback,
        )
        # A plugin names itself; the FM voice bank has its voices.
        sound = f"{self.bank.name}, " if getattr(self.bank, "name", None) else ""
        voices = "" if sound else f", {params.voices} voices"
        on_jack = sd.query_hostapis(info["hostapi"])["name"].startswith("JACK")
        self.description = (f"{sound}sounddevice ({info['name']}), "
                            f"{self._timing(on_jack, buffer_size, sample_rate)}{voices}")
        # Under JACK, fixed-latency notes are placed by JACK's own timing of each cycle (bridge/sound/jack_clock.py).
        self._jack_clock = JackCycleClock.open(buffer_size) if fixed is not None and on_jack else None
        if fixed is not None:
            clock = ", on JACK's cycle times" if self._jack_clock is not None else ""
            self.description += f", each note {fixed * 1000:.2f} ms after its press at its frame{clock} (--latency fixed)"

    def _timing(self, on_jack: bool, buffer_size: int, asked_rate: int | None) -> str:
        """The period and rate the opened stream runs. PortAudio's JACK host keeps the blocksize it was asked for
        and calls back several times per JACK cycle, so there the period and latency are JACK's own."""
        jack = jack_timing() if on_jack else None
        self.output_latency_s = float(self.stream.latency)
        if jack is not None:
            if jack.playback_s is not None:
                self.output_latency_s = jack.playback_s
            return timing_text(jack.period, jack.rate, buffer_size, asked_rate, self.output_latency_s) + \
                f", {self.stream.blocksize}-frame callbacks"
        return timing_text(self.stream.blocksize or buffer_size, int(self.stream.samplerate), buffer_size, asked_rate,
                           self.output_latency_s)

    def _callback(self, outdata, frames, time_info, status) -> None:
        self.rendering_since = woke = monotonic()  # the synth child's watchdog reads it (a plugin that hangs)
        with self.lock:
            if self.fixed is None:
                block = np.asarray(self.bank.render(frames)).reshape(frames, -1)
            else:
                block = self._render_timed(frames, self._frames_played / self.sample_rate, woke)
            block = self.gain.apply(block)
            self._frames_played += frames
            struck, self._struck = self._struck, False
        self.rendering_since = None
        self._block_s[self._blocks % TIMED_BLOCKS] = monotonic() - woke
        self._blocks += 1
        # A mono renderer on both channels; a stereo one as it is (or its mix on a one-channel device).
        outdata[:] = block if block.shape[1] == self.channels else block.mean(axis=1, keepdims=True)
        if struck and self.on_sound is not None and np.abs(block).max() > ONSET_LEVEL:
            self.on_sound()

    def _render_timed(self, frames: int, stream_time: float, woke: float) -> np.ndarray:
        """One block with each due event at its frame: arrival + fixed, mapped onto the stream's clock (frames
        played), whose reading for this block does not jitter with the callback's wake-up."""
        start = self._clock.block_start(stream_time, woke)  # this block's first frame, on the monotonic clock
        frame_s = 1.0 / self.sample_rate
        cycle = self._jack_clock.cycle() if self._jack_clock is not None else None
        if cycle is not None:
            start, frame_s = cycle.start, cycle.frame_s
        due, keep = [], []
        for event in self._timed:
            frame = round((event[0] + self.fixed - start) / frame_s)
            if frame < frames:
                due.append((frame, event))
            else:
                keep.append(event)
        self._timed = keep
        pieces, done = [], 0
        for frame, (_arrival, kind, args) in sorted(due, key=lambda e: e[0]):
            if frame < 0:
                self.late += 1
            elif frame > done:
                pieces.append(np.asarray(self.bank.render(frame - done)).reshape(frame - done, -1))
                done = frame
            self._apply(kind, args)
        pieces.append(np.asarray(self.bank.render(frames - done)).reshape(frames - done, -1))
        return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]

    def _apply(self, kind: int, args: tuple) -> None:
        if kind == NOTE_ON:
            self.bank.note_on(*args)
            self._struck = True
        elif kind == NOTE_OFF:
            self.bank.note_off(*args)
        else:
            self.bank.all_off()

    def start(self) -> None:
        self.stream.start()

    def block_times(self) -> np.ndarray:
        """Seconds each of the latest callbacks took to render its block (at most TIMED_BLOCKS)."""
        return self._block_s[:min(self._blocks, TIMED_BLOCKS)].copy()

    def set_gain(self, db: float) -> None:
        with self.lock:  # the callback reads the ramp under the same lock
            self.gain.set(db)

    def param_specs(self) -> list:
        """The renderer's parameters (a plugin's ParamSpecs), or none."""
        specs = getattr(self.bank, "param_specs", None)
        return specs() if specs is not None else []

    def set_param(self, name: str, value: float) -> None:
        with self.lock:  # never while the plugin runs a block
            self.bank.set_param(name, value)

    def _event(self, time: float, kind: int, args: tuple) -> None:
        with self.lock:
            if self.fixed is None:
                self._apply(kind, args)
            else:
                self._timed.append((time, kind, args))

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: object = None) -> None:
        self._event(time, NOTE_ON, ((performer, pitch), pitch, velocity))

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: object = None) -> None:
        self._event(time, NOTE_OFF, ((performer, pitch), pitch))

    def all_off(self) -> None:
        with self.lock:  # at once, whatever the mode: all-off is a panic
            self._timed = [event for event in self._timed if event[1] == NOTE_OFF]
            self._apply(ALL_OFF, ())

    def close(self) -> None:
        self.stream.stop()
        self.stream.close()
        if self._jack_clock is not None:
            self._jack_clock.close()


def open_block_stream(renderer: str, params: SynthParams, device: int | None, buffer_size: int, sample_rate: int,
                      on_sound: Callable[[], Any] | None = None, fixed: float | None = None,
                      gain_db: float = DEFAULT_GAIN_DB) -> SoundDeviceSynth:
    """The renderer named "module:Class" on this machine's output; SynthUnavailable where there is none."""
    try:
        import sounddevice as sd
    except (ImportError, OSError) as exc:
        raise SynthUnavailable(f"sounddevice unavailable ({exc})") from None
    try:
        return SoundDeviceSynth(params, device, buffer_size, sample_rate, load_renderer(renderer), on_sound, fixed,
                                gain_db)
    except (sd.PortAudioError, ValueError) as exc:
        raise SynthUnavailable(f"sounddevice: {exc}") from None
