"""16-bit WAV files, mono or stereo: what `pianogenie render` writes and what the tests analyse."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from .voices import DEFAULT_SAMPLE_RATE


def write_wav(path: str | Path, audio: np.ndarray, sample_rate: int = DEFAULT_SAMPLE_RATE) -> None:
    """16-bit PCM: mono from a 1-D array, one channel per column from (frames, channels)."""
    pcm = np.round(np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2")
    # The file opened here, not by wave: a path that cannot be opened is an OSError, without wave's own
    # half-built writer complaining from its __del__.
    with open(path, "wb") as file, wave.open(file, "wb") as out:
        out.setnchannels(1 if pcm.ndim == 1 else pcm.shape[1])
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
