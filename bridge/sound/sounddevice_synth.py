"""Real-time playback of a block renderer (bridge/sound/blocks.py) through sounddevice (PortAudio): the numpy FM
voice bank on machines without pyo, and any registered block synth inside the synth child process."""

from __future__ import annotations

import threading
from typing import Any, Callable

import numpy as np

from ..timing import now as monotonic
from .blocks import BlockRenderer, load_renderer
from .fm import FmVoiceBank
from .sink import Sink, SynthUnavailable
from .voices import SynthParams

# A block whose loudest sample is above this holds a note's first sound (the onset log's test, as pyo's Thresh).
ONSET_LEVEL = 1e-6


class SoundDeviceSynth(Sink):
    """A block renderer played by a PortAudio callback; `renderer` is built as renderer(params, sample_rate)."""

    def __init__(self, params: SynthParams, device: int | str | None, buffer_size: int, sample_rate: int | None = None,
                 renderer: Callable[[SynthParams, int], BlockRenderer] = FmVoiceBank,
                 on_sound: Callable[[], Any] | None = None):
        import sounddevice as sd

        info = sd.query_devices(device, "output")
        self.sample_rate = int(sample_rate or info["default_samplerate"])
        self.bank = renderer(params, self.sample_rate)
        self.lock = threading.Lock()
        self.on_sound = on_sound
        self.rendering_since: float | None = None
        self._struck = False  # a note-on since the last block: the next non-silent block is its onset
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
        self.description = f"{sound}sounddevice ({info['name']}), {buffer_size} frames @ {self.sample_rate} Hz{voices}"

    def _callback(self, outdata, frames, time_info, status) -> None:
        self.rendering_since = monotonic()  # the synth child's watchdog reads it (a plugin that hangs)
        with self.lock:
            block = np.asarray(self.bank.render(frames)).reshape(frames, -1)
            struck, self._struck = self._struck, False
        self.rendering_since = None
        # A mono renderer on both channels; a stereo one as it is (or its mix on a one-channel device).
        outdata[:] = block if block.shape[1] == self.channels else block.mean(axis=1, keepdims=True)
        if struck and self.on_sound is not None and np.abs(block).max() > ONSET_LEVEL:
            self.on_sound()

    def start(self) -> None:
        self.stream.start()

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: object = None) -> None:
        with self.lock:
            self.bank.note_on((performer, pitch), pitch, velocity)
            self._struck = True

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: object = None) -> None:
        with self.lock:
            self.bank.note_off((performer, pitch), pitch)

    def all_off(self) -> None:
        with self.lock:
            self.bank.all_off()

    def close(self) -> None:
        self.stream.stop()
        self.stream.close()


def open_block_stream(renderer: str, params: SynthParams, device: int | None, buffer_size: int, sample_rate: int,
                      on_sound: Callable[[], Any] | None = None) -> SoundDeviceSynth:
    """The renderer named "module:Class" on this machine's output; SynthUnavailable where there is none."""
    try:
        import sounddevice as sd
    except (ImportError, OSError) as exc:
        raise SynthUnavailable(f"sounddevice unavailable ({exc})") from None
    try:
        return SoundDeviceSynth(params, device, buffer_size, sample_rate, load_renderer(renderer), on_sound)
    except (sd.PortAudioError, ValueError) as exc:
        raise SynthUnavailable(f"sounddevice: {exc}") from None
