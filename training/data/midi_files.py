"""MIDI files as note streams, with mido: the tempo map (set_tempo in any track) turns ticks into seconds,
notes from every track and channel are merged, running status is handled by mido's parser, a note-on with
velocity 0 ends a note like a note-off, and the drum channel (10, i.e. 9 counting from 0) is skipped."""

from __future__ import annotations

import os
from collections import defaultdict, deque
from pathlib import Path
from typing import Iterable

from pianogenie.engine.constants import HIGHEST_PITCH, LOWEST_PITCH, pitch_to_key

from .notes import MIN_NOTES, NoteCorpus, Piece, SkipPiece, ensure_held_out, make_piece

DRUM_CHANNEL = 9  # General MIDI channel 10
MIDI_SUFFIXES = (".mid", ".midi")
DEFAULT_TEMPO = 500_000  # microseconds per beat (120 bpm) until the first set_tempo


def midi_notes(path: str | os.PathLike) -> list[tuple[float, int, int, float]]:
    """Every pitched note of a type 0 or 1 MIDI file as (onset s, MIDI pitch, velocity, duration s)."""
    import mido

    try:
        mid = mido.MidiFile(str(path), clip=True)
    except Exception as exc:  # mido raises OSError, EOFError, ValueError, KeyError... on broken files
        raise SkipPiece(f"unreadable MIDI: {type(exc).__name__}") from exc
    if mid.type == 2:
        raise SkipPiece("type 2 MIDI (independent sequences) is not supported")
    tpb = mid.ticks_per_beat
    if not tpb or tpb <= 0:
        raise SkipPiece("MIDI with SMPTE time division is not supported")
    # merge_tracks interleaves all tracks by absolute tick, so a tempo change in track 0 applies to
    # the notes of every other track from that tick on.
    tempo, now = DEFAULT_TEMPO, 0.0
    open_notes: dict[tuple[int, int], deque] = defaultdict(deque)
    notes = []
    for msg in mido.merge_tracks(mid.tracks):
        now += mido.tick2second(msg.time, tpb, tempo)
        if msg.type == "set_tempo":
            tempo = msg.tempo
        elif msg.type in ("note_on", "note_off") and msg.channel != DRUM_CHANNEL:
            key = (msg.channel, msg.note)
            if msg.type == "note_on" and msg.velocity > 0:
                open_notes[key].append((now, msg.velocity))
            elif open_notes[key]:  # note_off, or note_on with velocity 0; first struck, first released
                onset, velocity = open_notes[key].popleft()
                notes.append((onset, msg.note, velocity, now - onset))
    for (_, pitch), queue in open_notes.items():  # never released: held to the end of the file
        notes.extend((onset, pitch, velocity, now - onset) for onset, velocity in queue)
    return notes


def parse_midi(path: str | os.PathLike, name: str | None = None, split: str | None = None) -> Piece:
    """One MIDI file as one piece; notes outside the piano are dropped. Raises SkipPiece when unusable."""
    rows = [(t, pitch_to_key(p), v, d) for t, p, v, d in midi_notes(path) if LOWEST_PITCH <= p <= HIGHEST_PITCH]
    piece = make_piece(name or Path(path).name, rows, split=split)
    if len(piece) < MIN_NOTES:
        raise SkipPiece(f"fewer than {MIN_NOTES} notes")
    return piece


def midi_files(folder: str | os.PathLike) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: not a directory")
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in MIDI_SUFFIXES and p.is_file())


def parse_many(items: Iterable[tuple[Path, str, str | None]], total: int, desc: str,
               progress: bool = True) -> NoteCorpus:
    """Parse (path, name, split or None) items, counting skips by reason; never aborts on a bad file."""
    from tqdm import tqdm

    corpus = NoteCorpus([])
    for path, name, split in tqdm(items, total=total, desc=desc, unit="file", disable=not progress):
        try:
            corpus.pieces.append(parse_midi(path, name, split))
        except SkipPiece as exc:
            corpus.skipped[str(exc)] += 1
            corpus.skipped_files.append((name, str(exc)))
    return corpus


def load_midi_folder(folder: str | os.PathLike, progress: bool = True) -> NoteCorpus:
    """Every .mid/.midi under a folder; splits by relative path (deterministic)."""
    folder = Path(folder)
    files = midi_files(folder)
    if not files:
        raise FileNotFoundError(f"{folder}: no .mid or .midi files")
    items = ((p, p.relative_to(folder).as_posix(), None) for p in files)
    corpus = parse_many(items, len(files), f"parsing {folder.name}", progress)
    ensure_held_out(corpus.pieces)
    return corpus
