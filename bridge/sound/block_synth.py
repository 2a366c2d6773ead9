"""A registered synth (bridge/sound/synths.py) made of one block renderer (bridge/sound/blocks.py): a new synth
module needs only its renderer class and `SYNTH = BlockSynth("my.module:MyRenderer")`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pianogenie.engine.takes import Note

from .blocks import load_renderer, stream_blocks
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
        from .wav import WavWriter

        bank = load_renderer(self.renderer)(config.params, config.sample_rate)
        gain = db_to_linear(config.gain_db)
        with WavWriter(out, 1, config.sample_rate) as wav:  # block by block: an hour's take in one block's memory
            frames = stream_blocks(bank, notes, config.sample_rate, round(self.tail * config.sample_rate),
                                   lambda block: wav.write(block * gain))
        return frames / config.sample_rate
