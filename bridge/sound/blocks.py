"""Block renderers: a synth written as one class that computes its audio block by block. block_synth.BlockSynth
turns one into a whole registered synth: offline it renders sample-exact, live the synth child process plays it.

A block renderer is built as `Renderer(params: SynthParams, sample_rate: int)` and has
`note_on(note, pitch, velocity)`, `note_off(note, pitch)`, `all_off()` and `render(frames) -> ndarray` (mono
`(frames,)` or `(frames, channels)`), where `note` is a hashable (performer, pitch). It is named by import
path, "module:Class", so that the child process can build it too."""

from __future__ import annotations

import functools
import importlib
import json
from typing import TYPE_CHECKING, Any, Callable, Hashable, Iterable, Protocol

from pianogenie.engine.takes import NOTE_ON, Note, timeline

from .voices import SynthParams

if TYPE_CHECKING:
    import numpy as np


class BlockRenderer(Protocol):
    def note_on(self, note: Hashable, pitch: int, velocity: int) -> None: ...

    def note_off(self, note: Hashable, pitch: int) -> None: ...

    def all_off(self) -> None: ...

    def render(self, frames: int) -> "np.ndarray": ...


def load_renderer(path: str) -> Callable[[SynthParams, int], BlockRenderer]:
    """The class that "module:Class" names; "module:Class#{json}" binds the JSON object's keys as keyword
    arguments (a plugin's name, which the child process must be told)."""
    path, _, bound = path.partition("#")
    module, _, name = path.partition(":")
    if not name:
        raise ValueError(f"a block renderer is named module:Class, got {path!r}")
    renderer = getattr(importlib.import_module(module), name)
    return functools.partial(renderer, **json.loads(bound)) if bound else renderer


def play_notes(bank: Any, notes: Iterable[Note], sample_rate: int) -> tuple[list, int]:
    """Plays the notes into a block renderer up to the last event, each event on its own sample and each note at
    least one sample long: (the blocks rendered, the samples they hold). The caller renders the tail."""
    events = timeline(notes, at=lambda seconds: round(seconds * sample_rate), shortest=1)
    blocks, done = [], 0
    for sample, kind, note in events:
        if sample > done:
            blocks.append(bank.render(sample - done))
            done = sample
        if kind == NOTE_ON:
            bank.note_on((note.performer, note.pitch), note.pitch, note.velocity)
        else:
            bank.note_off((note.performer, note.pitch), note.pitch)
    return blocks, done


# The longest block asked of a renderer at once: a 20-minute pause is rendered as many of these, never as one array.
STREAM_BLOCK_FRAMES = 1 << 16


def stream_blocks(bank: Any, notes: Iterable[Note], sample_rate: int, tail_frames: int,
                  write: Callable[["np.ndarray"], None], quiet: float | None = None) -> int:
    """Like render_blocks, but each block (mono float32, clipped) goes to `write` as it is made: memory is one
    block's, whatever the take's length. Returns the frames written. quiet: the tail is rendered in 50 ms
    blocks and ends early at the first whose every sample is below it (a release that fades at its own pace)."""
    import numpy as np

    done = 0

    def advance(frames: int, size_limit: int = STREAM_BLOCK_FRAMES) -> bool:
        """Renders `frames`; False once a block has gone quiet (only asked of the tail)."""
        nonlocal done
        while frames > 0:
            size = min(frames, size_limit)
            block = np.asarray(bank.render(size))
            block = block.reshape(len(block), -1)
            write(np.clip(block.mean(axis=1), -1.0, 1.0).astype(np.float32))
            frames -= size
            done += size
            if quiet is not None and size_limit != STREAM_BLOCK_FRAMES and np.abs(block).max() < quiet:
                return False
        return True

    for sample, kind, note in timeline(notes, at=lambda seconds: round(seconds * sample_rate), shortest=1):
        advance(sample - done)
        if kind == NOTE_ON:
            bank.note_on((note.performer, note.pitch), note.pitch, note.velocity)
        else:
            bank.note_off((note.performer, note.pitch), note.pitch)
    advance(tail_frames, STREAM_BLOCK_FRAMES if quiet is None else sample_rate // 20)
    return done


def render_blocks(bank: Any, notes: Iterable[Note], sample_rate: int, tail_frames: int) -> "np.ndarray":
    """Notes -> mono float32 audio, sample-exact (play_notes), going on `tail_frames` past the last event."""
    import numpy as np

    blocks: list = []
    stream_blocks(bank, notes, sample_rate, tail_frames, blocks.append)
    return np.concatenate(blocks) if blocks else np.zeros(0, np.float32)
