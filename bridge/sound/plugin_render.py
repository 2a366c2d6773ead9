"""Notes through an instrument plugin (bridge/sound/instrument.py), offline: every event at its exact frame, the
audio in blocks of the size the plugin was opened with, then the tail until it is silent. Deterministic for a
deterministic plugin: the output depends only on the notes. Each block is written as it is made, so an hour's
take, or a long pause, renders in one block's memory (issue 23)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from pianogenie.engine.takes import NOTE_ON, Note, timeline

from .gain import db_to_linear
from .instrument import MidiInstrument
from .wav import WavWriter

SILENT = 10 ** (-80 / 20)   # -80 dBFS: a tail block below it ends the render
MAX_TAIL_S = 10.0           # a plugin that never falls silent (a drone) still ends
RENDER_BLOCK = 256          # the frames per plugin run offline; the blocks start at frame 0, so the output is fixed
PLUGIN_CHANNELS = 2         # what MidiInstrument.render returns: (frames, 2)


def stream_instrument(notes: Iterable[Note], synth: MidiInstrument, sample_rate: int,
                      write: Callable[[np.ndarray], None], block: int = RENDER_BLOCK) -> int:
    """Each float32 (frames, 2) block to `write` as it is made: the notes from frame 0, then the release tail; a
    note lasts at least one frame. Returns the frames written."""
    events = timeline(notes, at=lambda seconds: round(seconds * sample_rate), shortest=1)
    done = 0
    i = 0
    end = events[-1][0] + 1 if events else 0
    while done < end:
        n = min(block, end - done)
        while i < len(events) and events[i][0] < done + n:
            frame, kind, note = events[i]
            if kind == NOTE_ON:
                synth.note_on((note.performer, note.pitch), note.pitch, note.velocity, offset=frame - done)
            else:
                synth.note_off((note.performer, note.pitch), note.pitch, offset=frame - done)
            i += 1
        write(synth.render(n))
        done += n
    synth.all_off()
    for _ in range(int(MAX_TAIL_S * sample_rate / block) + 1):
        audio = synth.render(block)
        write(audio)
        done += len(audio)
        if np.abs(audio).max() < SILENT:
            break
    return done


def render_instrument(notes: Iterable[Note], synth: MidiInstrument, sample_rate: int,
                      block: int = RENDER_BLOCK) -> np.ndarray:
    """float32 (frames, 2), whole (stream_instrument, collected): for analysis, not for long takes."""
    blocks: list[np.ndarray] = []
    stream_instrument(notes, synth, sample_rate, blocks.append, block)
    return np.concatenate(blocks) if blocks else np.zeros((0, PLUGIN_CHANNELS), np.float32)


def render_instrument_wav(notes: Iterable[Note], synth: MidiInstrument, out: str | Path, sample_rate: int,
                          gain_db: float) -> float:
    """The notes into a stereo 16-bit WAV, block by block at `gain_db`: the seconds written."""
    gain = db_to_linear(gain_db)
    with WavWriter(out, PLUGIN_CHANNELS, sample_rate) as wav:
        frames = stream_instrument(notes, synth, sample_rate, lambda audio: wav.write(audio * gain))
    return frames / sample_rate
