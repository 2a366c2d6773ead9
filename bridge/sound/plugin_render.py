"""Notes through an instrument plugin (bridge/sound/instrument.py), offline: every event at its exact frame, the
audio in blocks of the size the plugin was opened with, then the tail until it is silent. Deterministic for a
deterministic plugin: the output depends only on the notes."""

from __future__ import annotations

from typing import Iterable

import numpy as np

from pianogenie.engine.takes import NOTE_ON, Note, timeline

from .instrument import MidiInstrument

SILENT = 10 ** (-80 / 20)   # -80 dBFS: a tail block below it ends the render
MAX_TAIL_S = 10.0           # a plugin that never falls silent (a drone) still ends


def render_instrument(notes: Iterable[Note], synth: MidiInstrument, sample_rate: int, block: int = 256) -> np.ndarray:
    """float32 (frames, 2): the notes from frame 0, then the release tail; a note lasts at least one frame."""
    events = timeline(notes, at=lambda seconds: round(seconds * sample_rate), shortest=1)
    blocks: list[np.ndarray] = []
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
        blocks.append(synth.render(n))
        done += n
    synth.all_off()
    for _ in range(int(MAX_TAIL_S * sample_rate / block) + 1):
        audio = synth.render(block)
        blocks.append(audio)
        if np.abs(audio).max() < SILENT:
            break
    return np.concatenate(blocks) if blocks else np.zeros((0, 2), np.float32)
