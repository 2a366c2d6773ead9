"""Instrument plugins as registered synths (bridge/sound/synths.py): `--synth lv2:URI` (lilv, bridge/sound/lv2.py)
and `--synth vst3:PATH` (pedalboard, bridge/sound/vst3.py), with `--plugin-param NAME=VALUE`.

Live, the plugin runs in the synth child process (bridge/sound/synth_process.py), block by block: a plugin that
crashes or hangs takes the child down, never the bridge, which says so in one line and plays on. Offline, `render`
hosts it in its own process, every note at its exact frame (bridge/sound/plugin_render.py), in stereo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pianogenie.engine.takes import Note

from .instrument import PluginError
from .sink import Sink, SynthUnavailable
from .voices import SynthConfig, SynthParams

if TYPE_CHECKING:
    from .render import RenderConfig

def parse_param(text: str) -> tuple[str, float]:
    """--plugin-param NAME=VALUE (LV2: in the control's own range; VST3: normalised 0..1)."""
    name, sep, value = text.partition("=")
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not sep or not name or number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"--plugin-param {text}: expected NAME=NUMBER")
    return name, number


def _open(kind: str, target: str, sample_rate: int, block: int, plugin_params: dict[str, float]) -> Any:
    if kind == "lv2":
        from .lv2 import Lv2Instrument

        return Lv2Instrument(target, sample_rate, block, plugin_params)
    from .vst3 import Vst3Instrument

    return Vst3Instrument(target, sample_rate, block, plugin_params)


class PluginRenderer:
    """A plugin as the synth child's block renderer (bridge/sound/blocks.py), built as (params, sample_rate)
    with the plugin's name bound in (load_renderer's "module:Class#{json}")."""

    def __new__(cls, params: SynthParams, sample_rate: int, kind: str = "lv2", target: str = "", block: int = 64,
                plugin_params: dict[str, float] | None = None):
        return _open(kind, target, sample_rate, block, dict(plugin_params or {}))


class PluginSynth:
    def __init__(self, name: str):
        kind, _, target = name.partition(":")
        if not target:
            raise ValueError(f"--synth {name}: name the plugin, e.g. lv2:http://drobilla.net/plugins/mda/Piano")
        self.name, self.kind, self.target = name, kind, target

    def check(self) -> None:
        """What can be known without running the plugin's code (which might crash this process): it is
        installed, and it is an instrument. PluginError (one line, exit 2) otherwise."""
        if self.kind == "lv2":
            from .lilv import LilvMissing
            from .lv2 import check_instrument

            try:
                check_instrument(self.target)
            except LilvMissing as exc:
                raise PluginError(f"--synth {self.name}: {exc}") from None
        elif not Path(self.target).exists():
            raise PluginError(f"--synth {self.name}: no such file or bundle")

    def renderer(self, config: SynthConfig) -> str:
        bound = {"kind": self.kind, "target": self.target, "block": config.buffer_size,
                 "plugin_params": dict(config.plugin_params)}
        return f"{__name__}:PluginRenderer#{json.dumps(bound)}"

    def open_live(self, config: SynthConfig) -> Sink:
        from .synth_process import SynthProcess

        self.check()
        try:
            synth = SynthProcess(config, renderer=self.renderer(config))
        except SynthUnavailable as exc:
            if f"{self.kind}:" in str(exc):  # the plugin itself refused (instantiation, its parameters)
                raise PluginError(str(exc).removeprefix("sounddevice: ")) from None
            raise
        synth.description += " (own process)"
        return synth

    def render(self, notes: list[Note], out: Path, config: "RenderConfig") -> float:
        from .plugin_render import RENDER_BLOCK, render_instrument_wav

        self.check()
        with _open(self.kind, self.target, config.sample_rate, RENDER_BLOCK, dict(config.plugin_params)) as synth:
            return render_instrument_wav(notes, synth, out, config.sample_rate, config.gain_db)
