"""Choosing the live synth: pyo when it is installed and an output exists, else the numpy synth through
sounddevice, else no audio, always with one clear line saying which and why.

The output check happens before pyo's server boots: pyo's PortAudio backend segfaults the process when there is
no output device (as on these headless machines)."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from typing import Any, Iterator

from .voices import SynthParams

AUDIO_CHOICES = ("auto", "pyo", "sounddevice", "none")
# 64 frames at 48 kHz is 1.3 ms per buffer: well inside the 10 ms instrument-latency bar.
DEFAULT_BUFFER_SIZE = 64
DEFAULT_SAMPLE_RATE = 48000


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """PortAudio and ALSA print pages of probe errors to fd 2 on machines without sound cards."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            sys.stderr.flush()
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def jack_running() -> bool:
    """Whether a JACK server is up, without starting one (JACK autostarts a server on connect otherwise)."""
    os.environ["JACK_NO_START_SERVER"] = "1"
    try:
        # jackd2 keeps /dev/shm/jack_default_<uid>_<n> while it runs (the registry file outlives it).
        return any(name.startswith("jack_default_") for name in os.listdir("/dev/shm"))
    except OSError:
        return False


def pyo_output_problem(backend: str, device: int | None) -> str | None:
    """Why pyo cannot play on this backend/device, or None if it can. Never boots a pyo server."""
    if backend == "jack":
        return None if jack_running() else "no JACK server is running (start one, e.g. jackd -d dummy)"
    if backend == "coreaudio":
        return None if sys.platform == "darwin" else "coreaudio exists on macOS only"
    os.environ.setdefault("PYO_GUI_WX", "0")
    import pyo

    with quiet_stderr():
        names, indexes = pyo.pa_get_output_devices()
        default = pyo.pa_get_default_output()
    if not indexes:
        return "PortAudio finds no audio output device"
    if device is None and default < 0:
        return "PortAudio has no default output device (pick one with --audio-device; see pianogenie devices)"
    if device is not None and device not in indexes:
        return f"--audio-device {device} is not a PortAudio output (outputs: {dict(zip(indexes, names))})"
    return None


@dataclass
class AudioChoice:
    synth: Any  # PyoSynth | SoundDeviceSynth | None
    description: str


def open_synth(
    audio: str = "auto",
    backend: str = "portaudio",
    device: int | None = None,
    buffer_size: int = DEFAULT_BUFFER_SIZE,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    params: SynthParams = SynthParams(),
    onset_log: str | None = None,
    realtime: bool = False,
) -> AudioChoice:
    if audio not in AUDIO_CHOICES:
        raise ValueError(f"--audio must be one of {', '.join(AUDIO_CHOICES)}")
    if audio == "none":
        return AudioChoice(None, "off (--audio none)")
    reasons = []
    if audio in ("auto", "pyo"):
        # pyo runs in a child process (bridge/synth_process.py), which checks for an output before it boots.
        from .synth_process import SynthProcess, SynthUnavailable

        try:
            synth = SynthProcess(params, backend, device, buffer_size, sample_rate, onset_log, realtime)
            return AudioChoice(synth, synth.description + " (own process)")
        except SynthUnavailable as exc:
            reasons.append(f"pyo: {exc}")
    if audio in ("auto", "sounddevice"):
        try:
            import sounddevice as sd
        except (ImportError, OSError) as exc:
            reasons.append(f"sounddevice unavailable ({exc})")
        else:
            from .fm import SoundDeviceSynth

            try:
                with quiet_stderr():
                    if device is None and sd.default.device[1] < 0 and not any(d["max_output_channels"] for d in sd.query_devices()):
                        raise ValueError("PortAudio finds no audio output device")
                with quiet_stderr():
                    synth = SoundDeviceSynth(params, device, buffer_size, sample_rate)
                    synth.start()
                return AudioChoice(synth, synth.description)
            except (sd.PortAudioError, ValueError) as exc:
                reasons.append(f"sounddevice: {exc}")
    return AudioChoice(None, "off: " + "; ".join(reasons))


def list_audio_devices() -> list[str]:
    lines = []
    try:
        import sounddevice as sd

        with quiet_stderr():
            devices = sd.query_devices()
            apis = sd.query_hostapis()
        for index, info in enumerate(devices):
            if info["max_output_channels"] > 0:
                api = apis[info["hostapi"]]["name"]
                lines.append(f"  [{index}] {info['name']} ({api}, {info['max_output_channels']} out, {info['default_samplerate']:.0f} Hz)")
    except (ImportError, OSError) as exc:
        lines.append(f"  (sounddevice unavailable: {exc})")
    if not lines:
        lines.append("  (no audio output devices)")
    return lines
