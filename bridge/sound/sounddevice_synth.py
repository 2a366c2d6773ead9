"""Real-time playback of the numpy FM voice bank through sounddevice (PortAudio): the live synth for machines
without pyo."""

from __future__ import annotations

import threading

from .fm import FmVoiceBank
from .sink import Sink
from .voices import SynthParams


class SoundDeviceSynth(Sink):
    """Real-time playback of the numpy voice bank through sounddevice (PortAudio), for machines without pyo."""

    def __init__(self, params: SynthParams, device: int | str | None, buffer_size: int, sample_rate: int | None = None):
        import sounddevice as sd

        info = sd.query_devices(device, "output")
        self.sample_rate = int(sample_rate or info["default_samplerate"])
        self.bank = FmVoiceBank(params, self.sample_rate)
        self.lock = threading.Lock()
        # Stereo where the device has it: a mono stream reaches the left speaker only (under JACK, PortAudio
        # connects a one-channel stream to system:playback_1 alone).
        self.channels = min(2, int(info["max_output_channels"])) or 1
        self.stream = sd.OutputStream(
            samplerate=self.sample_rate, blocksize=buffer_size, device=device, channels=self.channels, dtype="float32",
            latency="low", callback=self._callback,
        )
        self.description = f"sounddevice ({info['name']}), {buffer_size} frames @ {self.sample_rate} Hz, {params.voices} voices"

    def _callback(self, outdata, frames, time_info, status) -> None:
        with self.lock:
            outdata[:] = self.bank.render(frames)[:, None]

    def start(self) -> None:
        self.stream.start()

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: object = None) -> None:
        with self.lock:
            self.bank.note_on((performer, pitch), pitch, velocity)

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: object = None) -> None:
        with self.lock:
            self.bank.note_off((performer, pitch))

    def all_off(self) -> None:
        with self.lock:
            self.bank.all_off()

    def close(self) -> None:
        self.stream.stop()
        self.stream.close()
