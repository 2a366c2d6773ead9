"""Small MIDI files written by the tests themselves (mido), so training and evaluation run on known music."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence


def write_midi(path: Path, chords: Sequence[tuple[Sequence[int], int]], tempo: int | None = None) -> Path:
    """One track: each (pitches, ticks) sounds its pitches together for `ticks` (480 per beat), then the next."""
    import mido

    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    if tempo is not None:
        track.append(mido.MetaMessage("set_tempo", tempo=tempo))
    for pitches, ticks in chords:
        for p in pitches:
            track.append(mido.Message("note_on", note=int(p), velocity=80, time=0))
        for i, p in enumerate(pitches):
            track.append(mido.Message("note_off", note=int(p), velocity=0, time=int(ticks) if i == 0 else 0))
    mid.save(path)
    return path
