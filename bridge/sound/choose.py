"""Opening the live synth that --synth names (bridge/sound/synths.py), always with one clear line saying which
and why: the synth, or "off" and the reason."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..system import jack_running
from .sink import Sink, SynthUnavailable
from .synths import ENGINE_AUDIO, lookup
from .voices import AUDIO_CHOICES, SynthConfig


@dataclass
class AudioChoice:
    synth: Sink | None
    description: str


def resolve_backend(config: SynthConfig) -> SynthConfig:
    """--audio-backend auto: jack while a JACK server runs and no PortAudio device was named, else portaudio."""
    if config.backend != "auto":
        return config
    return replace(config, backend="jack" if config.device is None and jack_running() else "portaudio")


def open_synth(config: SynthConfig = SynthConfig()) -> AudioChoice:
    """ValueError (SoundFontError is one) when what the user named cannot be used: that stops the command."""
    if config.audio not in AUDIO_CHOICES:
        raise ValueError(f"--audio must be one of {', '.join(AUDIO_CHOICES)}")
    if config.audio == "none":
        return AudioChoice(None, "off (--audio none)")
    synth, engine = lookup(config.synth)
    if engine is not None and config.audio == "auto":
        config = replace(config, audio=ENGINE_AUDIO[engine])
    try:
        sink = synth.open_live(resolve_backend(config))
    except SynthUnavailable as exc:
        return AudioChoice(None, f"off: {exc}")
    return AudioChoice(sink, sink.description)
