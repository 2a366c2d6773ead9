"""16-bit WAV files, mono or stereo: what `pianogenie render` writes and what the tests analyse."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from .voices import DEFAULT_SAMPLE_RATE


def to_pcm(audio: np.ndarray) -> np.ndarray:
    """Float audio in [-1, 1] -> 16-bit little-endian PCM, sample by sample (so blocks give the same bytes as a whole)."""
    return np.round(np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2")


class WavWriter:
    """A 16-bit WAV written block by block as the audio is made: memory stays that of one block, whatever the length.
    The header's sizes are patched on close (wave does this itself on a seekable file)."""

    def __init__(self, path: str | Path, channels: int, sample_rate: int = DEFAULT_SAMPLE_RATE) -> None:
        # The file opened here, not by wave: a path that cannot be opened is an OSError, without wave's own
        # half-built writer complaining from its __del__.
        self._file = open(path, "wb")
        self._out = wave.open(self._file, "wb")
        self._out.setnchannels(channels)
        self._out.setsampwidth(2)
        self._out.setframerate(sample_rate)
        self.frames = 0

    def write(self, audio: np.ndarray) -> None:
        self._out.writeframesraw(to_pcm(audio).tobytes())
        self.frames += len(audio)

    def __enter__(self) -> "WavWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._out.close()
        finally:
            self._file.close()


def write_wav(path: str | Path, audio: np.ndarray, sample_rate: int = DEFAULT_SAMPLE_RATE) -> None:
    """16-bit PCM: mono from a 1-D array, one channel per column from (frames, channels)."""
    with WavWriter(path, 1 if audio.ndim == 1 else audio.shape[1], sample_rate) as out:
        out.write(audio)


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Mono float audio in [-1, 1] and its sample rate (16-bit PCM; other channels are averaged)."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM WAV is supported")
        channels, rate = wav.getnchannels(), wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float64) / 32768.0
    return data.reshape(-1, channels).mean(axis=1), rate
