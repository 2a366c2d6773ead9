"""What the sound tests and docs/benchmarks.md measure on real audio: energy below 20 Hz, a BS.1770-style
loudness (K-weighted, gated), and octave-band spectra. numpy only (no scipy in the test install): filters are
applied in the frequency domain.

    python -m tests.sound_metrics FILE.wav ...   prints every figure for each file
"""

from __future__ import annotations

import math
import sys
import wave
from pathlib import Path

import numpy as np

SUBSONIC_HZ = 20.0
# Octave bands (centre frequencies) that carry the FM synth's and the piano's energy.
OCTAVE_CENTRES = (63, 125, 250, 500, 1000, 2000, 4000, 8000)


def read_mono(path: str | Path) -> tuple[np.ndarray, int]:
    """16-bit PCM of any channel count, averaged to mono float in [-1, 1]."""
    with wave.open(str(path), "rb") as wav:
        channels, rate = wav.getnchannels(), wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float64) / 32768.0
    return data.reshape(-1, channels).mean(axis=1), rate


def subsonic_fraction(audio: np.ndarray, sr: int, cutoff: float = SUBSONIC_HZ) -> float:
    """The share of the signal's energy below `cutoff` Hz (DC included)."""
    power = np.abs(np.fft.rfft(audio)) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1.0 / sr)
    total = power.sum()
    return float(power[freqs < cutoff].sum() / total) if total > 0 else 0.0


def _biquad_response(b: tuple[float, float, float], a: tuple[float, float, float], w: np.ndarray) -> np.ndarray:
    z = np.exp(-1j * w)
    return (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)


def _k_weighting(sr: int, w: np.ndarray) -> np.ndarray:
    """BS.1770's two stages (high shelf +4 dB near 1.7 kHz, high pass near 38 Hz), designed for `sr` the way
    pyloudnorm does."""
    g, q, fc = 3.99984385397, 0.7071752369554193, 1681.9744509555319
    k = math.tan(math.pi * fc / sr)
    vh = 10 ** (g / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = _biquad_response(((vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0),
                             (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0), w)
    q, fc = 0.5003270373253953, 38.13547087613982
    k = math.tan(math.pi * fc / sr)
    a0 = 1 + k / q + k * k
    highpass = _biquad_response((1.0, -2.0, 1.0), (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0), w)
    return shelf * highpass


def loudness(audio: np.ndarray, sr: int) -> float:
    """Integrated loudness in LUFS-like units: K-weighted, 400 ms blocks with 75 % overlap, the -70 absolute
    and -10 relative gates of BS.1770 (mono). Silence before and after the music does not count."""
    n = len(audio)
    spectrum = np.fft.rfft(audio, 2 * n)  # padded: the filter's ring does not wrap onto the start
    w = 2 * math.pi * np.fft.rfftfreq(2 * n)
    weighted = np.fft.irfft(spectrum * _k_weighting(sr, w), 2 * n)[:n]
    block, hop = int(0.4 * sr), int(0.1 * sr)
    if n < block:
        return -math.inf
    power = np.array([np.mean(weighted[i:i + block] ** 2) for i in range(0, n - block + 1, hop)])
    lufs = -0.691 + 10 * np.log10(np.maximum(power, 1e-20))
    power = power[lufs > -70.0]
    if not len(power):
        return -math.inf
    relative = -0.691 + 10 * math.log10(power.mean()) - 10.0
    power = power[-0.691 + 10 * np.log10(power) > relative]
    return -0.691 + 10 * math.log10(power.mean())


def octave_bands(audio: np.ndarray, sr: int) -> dict[int, float]:
    """Each octave band's share of the energy, in dB (0 dB = all of it)."""
    power = np.abs(np.fft.rfft(audio)) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1.0 / sr)
    total = power.sum()
    bands = {}
    for centre in OCTAVE_CENTRES:
        inside = (freqs >= centre / math.sqrt(2)) & (freqs < centre * math.sqrt(2))
        bands[centre] = 10 * math.log10(max(power[inside].sum() / total, 1e-12))
    return bands


def slow_mean_extreme(audio: np.ndarray, sr: int, window: float = 0.05) -> float:
    """The 50 ms mean furthest from zero: what a thump at each onset looks like."""
    n = max(1, int(window * sr))
    means = [float(audio[i:i + n].mean()) for i in range(0, max(1, len(audio) - n + 1), n)]
    return max(means, key=abs)


def report(path: str | Path) -> str:
    audio, sr = read_mono(path)
    bands = "  ".join(f"{c}:{v:+.1f}" for c, v in octave_bands(audio, sr).items())
    return (f"{path}: {len(audio) / sr:.2f} s, below {SUBSONIC_HZ:.0f} Hz {100 * subsonic_fraction(audio, sr):.3f} %, "
            f"DC {audio.mean():+.4f}, 50-ms mean {slow_mean_extreme(audio, sr):+.3f}, "
            f"peak {20 * math.log10(max(np.abs(audio).max(), 1e-12)):.1f} dBFS, "
            f"RMS {10 * math.log10(max(np.mean(audio ** 2), 1e-20)):.1f} dBFS, loudness {loudness(audio, sr):.1f} LUFS\n"
            f"    octave bands (dB of total): {bands}")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(report(name))


def dominant_hz(audio: np.ndarray, sr: int, low: float, high: float) -> float:
    """The strongest frequency between `low` and `high` Hz: a Hann-windowed, 4x zero-padded spectrum's peak,
    refined by a parabola through its log magnitudes (a piano's strongest partial is not always its first, so the
    caller brackets the one it expects)."""
    n = len(audio)
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(n), 4 * n))
    freqs = np.fft.rfftfreq(4 * n, 1.0 / sr)
    band = np.flatnonzero((freqs >= low) & (freqs <= high))
    i = band[np.argmax(spectrum[band])]
    y0, y1, y2 = np.log(spectrum[i - 1:i + 2] + 1e-30)
    return float(freqs[i] + 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2) * (freqs[1] - freqs[0]))
