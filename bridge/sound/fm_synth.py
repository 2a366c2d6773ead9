"""The FM electric piano as a registered synth (bridge/sound/synths.py). Live: pyo in its own process when it is
installed and an output exists, else the numpy voice bank through sounddevice. Offline: the numpy voice bank,
sample-exact (the default), or pyo's offline mode (`--synth pyo`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pianogenie.engine.takes import Note

from ..system import jack_running, quiet_stderr
from .sink import Sink, SynthUnavailable
from .fm import FmVoiceBank
from .voices import SynthConfig

if TYPE_CHECKING:
    from .render import RenderConfig


class FmSynth:
    def open_live(self, config: SynthConfig) -> Sink:
        if config.fixed_latency is not None:
            # Frame-exact placement needs a renderer the child calls block by block: the numpy voice bank.
            from .synth_process import SynthProcess

            synth = SynthProcess(config, renderer=f"{FmVoiceBank.__module__}:FmVoiceBank")
            synth.description += " (own process)"
            return synth
        reasons: list[str] = []
        if config.audio in ("auto", "pyo"):
            # pyo runs in a child process (synth_process.py), which checks for an output before it boots.
            from .synth_process import SynthProcess

            try:
                synth = SynthProcess(config)
                synth.description += " (own process)"
                return synth
            except SynthUnavailable as exc:
                reasons.append(f"pyo: {exc}")
        if config.audio in ("auto", "sounddevice"):
            try:
                synth = _sounddevice(config)
                synth.description += _passed_over(reasons, config)
                return synth
            except SynthUnavailable as exc:
                reasons.append(str(exc))
        raise SynthUnavailable("; ".join(reasons))

    def render(self, notes: list[Note], out: Path, config: "RenderConfig") -> float:
        if config.engine == "pyo":
            try:
                from .pyo_synth import render_offline
            except ImportError:
                raise ValueError("--synth pyo needs pyo (pip install 'pianogenie-bridge[audio]')") from None
            return render_offline(notes, str(out), config.sample_rate, config.params, gain_db=config.gain_db)
        from .fm import stream_notes
        from .gain import db_to_linear
        from .wav import WavWriter

        gain = db_to_linear(config.gain_db)
        with WavWriter(out, 1, config.sample_rate) as wav:  # block by block: an hour's take in one block's memory
            frames = stream_notes(notes, lambda block: wav.write(block * gain), config.sample_rate, config.params)
        return frames / config.sample_rate


def _sounddevice(config: SynthConfig) -> Sink:
    """The numpy voice bank, played in this process by PortAudio."""
    try:
        import sounddevice as sd
    except (ImportError, OSError) as exc:
        raise SynthUnavailable(f"sounddevice unavailable ({exc})") from None
    from .sounddevice_synth import SoundDeviceSynth

    try:
        with quiet_stderr():
            if config.device is None and sd.default.device[1] < 0 and not any(d["max_output_channels"] for d in sd.query_devices()):
                raise ValueError("PortAudio finds no audio output device")
        with quiet_stderr():
            synth = SoundDeviceSynth(config.params, config.device, config.buffer_size, config.sample_rate,
                                     gain_db=config.gain_db)
            synth.start()
        return synth
    except (sd.PortAudioError, ValueError) as exc:
        raise SynthUnavailable(f"sounddevice: {exc}") from None


def _passed_over(reasons: list[str], config: SynthConfig) -> str:
    """Why pyo did not play, on the same banner line as the synth that did; with the flag that may fix it."""
    if not reasons:
        return ""
    hint = ""
    if config.backend != "jack" and jack_running():
        hint = " (a JACK server is running: try --audio-backend jack)"
    return "; passed over " + "; ".join(reasons) + hint


SYNTH = FmSynth()
