"""Choosing the live synth: pyo when it is installed and an output exists, else the numpy synth through
sounddevice, else no audio, always with one clear line saying which and why."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..system import jack_running, quiet_stderr
from .voices import AUDIO_CHOICES, SynthConfig


@dataclass
class AudioChoice:
    synth: Any  # PyoSynth | SoundDeviceSynth | None
    description: str


def resolve_backend(config: SynthConfig) -> SynthConfig:
    """--audio-backend auto: jack while a JACK server runs and no PortAudio device was named, else portaudio."""
    if config.backend != "auto":
        return config
    return replace(config, backend="jack" if config.device is None and jack_running() else "portaudio")


def open_synth(config: SynthConfig = SynthConfig()) -> AudioChoice:
    config = resolve_backend(config)
    audio, device = config.audio, config.device
    if audio not in AUDIO_CHOICES:
        raise ValueError(f"--audio must be one of {', '.join(AUDIO_CHOICES)}")
    if audio == "none":
        return AudioChoice(None, "off (--audio none)")
    if config.synth == "piano":
        return open_piano(config)
    reasons = []
    if audio in ("auto", "pyo"):
        # pyo runs in a child process (bridge/synth_process.py), which checks for an output before it boots.
        from .synth_process import SynthProcess, SynthUnavailable

        try:
            synth = SynthProcess(config)
            return AudioChoice(synth, synth.description + " (own process)")
        except SynthUnavailable as exc:
            reasons.append(f"pyo: {exc}")
    if audio in ("auto", "sounddevice"):
        try:
            import sounddevice as sd
        except (ImportError, OSError) as exc:
            reasons.append(f"sounddevice unavailable ({exc})")
        else:
            from .sounddevice_synth import SoundDeviceSynth

            try:
                with quiet_stderr():
                    if device is None and sd.default.device[1] < 0 and not any(d["max_output_channels"] for d in sd.query_devices()):
                        raise ValueError("PortAudio finds no audio output device")
                with quiet_stderr():
                    synth = SoundDeviceSynth(config.params, device, config.buffer_size, config.sample_rate)
                    synth.start()
                return AudioChoice(synth, synth.description + _passed_over(reasons, config))
            except (sd.PortAudioError, ValueError) as exc:
                reasons.append(f"sounddevice: {exc}")
    return AudioChoice(None, "off: " + "; ".join(reasons))


def open_piano(config: SynthConfig) -> AudioChoice:
    """The SoundFont piano. SoundFontError (exit 2) when the library or the SoundFont is missing, as the user
    asked for the piano by name; no audio output is one line and the run goes on, as for the FM synth."""
    from .piano import LivePiano
    from .soundfont import SoundFontError, find_soundfont, load_fluidsynth

    load_fluidsynth()
    find_soundfont(config.soundfont)
    try:
        synth = LivePiano(config.soundfont, config.params, config.buffer_size, config.sample_rate)
    except SoundFontError as exc:
        if str(exc).startswith("piano: no audio output"):
            return AudioChoice(None, "off: " + str(exc))
        raise
    return AudioChoice(synth, synth.description)


def _passed_over(reasons: list[str], config: SynthConfig) -> str:
    """Why pyo did not play, on the same banner line as the synth that did; with the flag that may fix it."""
    if not reasons:
        return ""
    hint = ""
    if config.backend != "jack" and jack_running():
        hint = " (a JACK server is running: try --audio-backend jack)"
    return "; passed over " + "; ".join(reasons) + hint
