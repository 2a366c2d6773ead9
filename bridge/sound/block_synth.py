"""A registered synth (bridge/sound/synths.py) made of one block renderer (bridge/sound/blocks.py): a new synth
module needs only its renderer class and `SYNTH = BlockSynth("my.module:MyRenderer")`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pianogenie.engine.takes import Note

from .blocks import load_renderer, render_blocks
from .sink import Sink
from .voices import SynthConfig

if TYPE_CHECKING:
    from .render import RenderConfig


class BlockSynth:
    """A registered synth made of one block renderer: `SYNTH = BlockSynth("my.module:MyRenderer")`."""

    def __init__(self, renderer: str, tail: float = 1.0):
        self.renderer = renderer
        self.tail = tail  # seconds the offline render goes on after the last note-off

    def open_live(self, config: SynthConfig) -> Sink:
        from .synth_process import SynthProcess

        synth = SynthProcess(config, renderer=self.renderer)  # SynthUnavailable where there is no output
        synth.description += " (own process)"
        return synth

    def render(self, notes: list[Note], out: Path, config: "RenderConfig") -> float:
        from .gain import db_to_linear
        from .wav import write_wav

        bank = load_renderer(self.renderer)(config.params, config.sample_rate)
        audio = render_blocks(bank, notes, config.sample_rate, round(self.tail * config.sample_rate))
        write_wav(out, audio * db_to_linear(config.gain_db), config.sample_rate)
        return len(audio) / config.sample_rate
