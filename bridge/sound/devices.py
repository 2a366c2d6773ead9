"""Audio outputs as PortAudio and JACK see them: whether pyo can play, and the list `pianogenie devices` prints.

The check happens before pyo's server boots: pyo's PortAudio backend segfaults the process when there is no
output device (as on headless machines)."""

from __future__ import annotations

import os
import sys

from ..system import jack_running, quiet_stderr


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


def output_devices() -> dict[int, str] | None:
    """index -> name of every audio output, as sounddevice (else pyo) numbers them; None without either."""
    try:
        import sounddevice as sd

        with quiet_stderr():
            return {i: d["name"] for i, d in enumerate(sd.query_devices()) if d["max_output_channels"] > 0}
    except (ImportError, OSError):
        pass
    try:
        os.environ.setdefault("PYO_GUI_WX", "0")
        import pyo

        with quiet_stderr():
            names, indexes = pyo.pa_get_output_devices()
        return dict(zip(indexes, names))
    except (ImportError, OSError):
        return None
