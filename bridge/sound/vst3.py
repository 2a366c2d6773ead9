"""A VST3 instrument as a block renderer, through pedalboard (PyPI, GPL-3): the same interface as the LV2 host
(bridge/sound/lv2.py): events at a frame offset into the next `render`, float32 (frames, 2) out.

pedalboard has no streaming instrument API (its issues #307 and #329), so each block is one call with
`reset=False`, the block's MIDI at exact frames and a fixed buffer size. `close` resets the plugin and drops it before the interpreter's exit, when its
library may already be gone."""

from __future__ import annotations

import gc
from pathlib import Path
import numpy as np

from .instrument import MidiInstrument, PluginError
from .plugin_params import ParamSpec
from .plugin_paths import VST3_SCHEME
from .voices import DEFAULT_SAMPLE_RATE


def _load(pedalboard, path: str):
    """pedalboard's VST3Plugin, without its initial parameter sweep: it wraps every parameter, probing each at
    1,000 values, and DPF and JUCE plugins expose 16 x 130 MIDI CC parameters to VST3 hosts, so a small
    instrument took 25-35 s to load here. Nothing is set at load, so the sweep has nothing to do."""
    mixin = getattr(getattr(pedalboard, "_pedalboard", None), "_PythonExternalPluginMixin", None)
    original = getattr(mixin, "__set_initial_parameter_values__", None)
    if original is None:  # another pedalboard: its own way, slow or not
        return pedalboard.load_plugin(path)
    mixin.__set_initial_parameter_values__ = lambda self, values=None: None
    try:
        return pedalboard.VST3Plugin(path)
    finally:
        mixin.__set_initial_parameter_values__ = original


class Vst3Instrument(MidiInstrument):
    def __init__(self, path: str | Path, sample_rate: int = DEFAULT_SAMPLE_RATE, block: int = 64,
                 params: dict[str, float] | None = None):
        super().__init__()
        self.path = str(path)
        self.sample_rate = int(sample_rate)
        self.block = max(16, int(block))
        try:
            import pedalboard
        except ImportError:
            raise PluginError(f"{VST3_SCHEME}{path}: VST3 needs pedalboard (pip install pedalboard)") from None
        if not Path(path).exists():
            raise PluginError(f"{VST3_SCHEME}{path}: no such file or bundle")
        try:
            self.plugin = _load(pedalboard, self.path)
        except (ImportError, RuntimeError, ValueError) as exc:
            raise PluginError(f"{VST3_SCHEME}{path}: cannot load it ({str(exc).splitlines()[0]})") from None
        if not self.plugin.is_instrument:
            self.close()
            raise PluginError(f"{VST3_SCHEME}{path}: not an instrument (pedalboard sees an effect)")
        self.name = self.plugin.name
        self._params: dict[str, object] | None = None
        for name, value in (params or {}).items():
            self.set_param(name, value)

    # --- parameters: the plugin's own, by name (pedalboard's MIDI CC stand-ins left out) -----------------------

    def params(self) -> dict[str, object]:
        """Parameters by pedalboard's Python name ("Gain" -> "gain"); each has raw_value in 0..1 and
        string_value. The raw ones: pedalboard's wrapped ones take half a minute for a DPF plugin (below)."""
        if self._params is None:
            from pedalboard._pedalboard import normalize_python_parameter_name

            self._params = {normalize_python_parameter_name(p.name): p for p in self.plugin._parameters
                            if not p.name.startswith("MIDI Ch")}
        return self._params

    def set_param(self, name: str, value: float) -> float:
        """Sets a parameter, by its Python name or its own, to a normalised value in 0..1 (VST3's own scale)."""
        parameter = self.params().get(name) or next((p for p in self.params().values() if p.name == name), None)
        if parameter is None:
            raise PluginError(f"{VST3_SCHEME}{self.path}: no parameter {name!r} "
                              f"(it has {', '.join(sorted(self.params()))})")
        parameter.raw_value = min(1.0, max(0.0, float(value)))
        return float(parameter.raw_value)

    def get_param(self, name: str) -> float:
        return float(self.params()[name].raw_value)

    def param_specs(self) -> list[ParamSpec]:
        """The parameters on VST3's normalised scale, with the values they have now."""
        return [ParamSpec(name, p.name, 0.0, 1.0, float(getattr(p, "default_raw_value", p.raw_value)),
                          float(p.raw_value)) for name, p in self.params().items()]

    # --- audio -----------------------------------------------------------------------------------------------

    def render(self, frames: int) -> np.ndarray:
        if frames <= 0:
            return np.zeros((0, 2), np.float32)
        events = self.take_events(frames)
        # pedalboard turns a time back into a frame by truncation, and 1001 / 48000 * 48000 is 1000.99...: the
        # time of the middle of the frame lands on the frame itself.
        messages = [(data, (frame + 0.5) / self.sample_rate) for frame, data in events]
        out = self.plugin(messages, duration=frames / self.sample_rate, sample_rate=self.sample_rate,
                          num_channels=2, buffer_size=self.block, reset=False)
        self.now += frames
        audio = np.asarray(out, dtype=np.float32).T
        if audio.shape[0] < frames:  # pedalboard rounds the duration down to whole samples
            audio = np.concatenate([audio, np.zeros((frames - audio.shape[0], 2), np.float32)])
        return np.ascontiguousarray(audio[:frames])

    def close(self) -> None:
        plugin, self.plugin = getattr(self, "plugin", None), None
        if plugin is not None:
            plugin.reset()
            del plugin
            gc.collect()
