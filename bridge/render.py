"""`pianogenie render FILE out.wav`: a recorded performance (or a bare events file) to audio, offline, with the
numpy FM voice bank (sample-exact, the default) or the pyo synth in pyo's offline mode (`--synth pyo`).

A file with "notes" (what serve and play record) is rendered as played, every performer included; a file with
only "events" is first decoded with the model, like `pianogenie replay`. The same input always gives the same
WAV, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .fm import render_notes, write_wav
from .voices import SynthParams


def _note_list(raw: Any, performer: int, source: str) -> list[dict]:
    if not isinstance(raw, list):
        raise ValueError(f"{source}: \"notes\" must be a list")
    notes = []
    for i, note in enumerate(raw):
        try:
            pitch, onset, offset = int(note["pitch"]), float(note["onset"]), float(note["offset"])
            velocity = int(note.get("velocity", 100))
        except (TypeError, KeyError, ValueError):
            raise ValueError(f"{source}: note {i} needs pitch, onset and offset numbers, got {note!r}") from None
        if not (0 <= pitch <= 127 and 1 <= velocity <= 127 and 0 <= onset <= offset):
            raise ValueError(f"{source}: note {i} is out of range: {note!r}")
        notes.append({"pitch": pitch, "onset": onset, "offset": offset, "velocity": velocity, "performer": performer})
    return notes


def notes_of(document: Any, source: str, model: Path | None = None, temperature: float = 0.25, seed: int | None = None) -> list[dict]:
    if not isinstance(document, dict):
        raise ValueError(f"{source}: expected a JSON object with \"events\" or \"notes\"")
    if "notes" in document:
        notes = _note_list(document["notes"], 0, source)
        for number, track in (document.get("performers") or {}).items():
            notes += _note_list(track.get("notes", []), int(number), f"{source}: performer {number}")
        return notes
    from engine import PianoGenie
    from engine.replay import parse_events, replay

    events = parse_events(document, source)
    genie = PianoGenie.load(model)
    return [
        {"pitch": n.pitch, "onset": n.onset, "offset": n.offset, "velocity": n.velocity, "performer": 0}
        for n in replay(genie, events, temperature=temperature, seed=seed)
    ]


SYNTHS = ("numpy", "pyo")


def render_file(source: Path, out: Path, sample_rate: int, params: SynthParams, model: Path | None = None,
                temperature: float = 0.25, seed: int | None = None, synth: str = "numpy") -> tuple[int, float]:
    """Returns (notes rendered, seconds of audio)."""
    try:
        document = json.loads(Path(source).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{source}: file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{source}: not a readable JSON file ({exc})") from None
    notes = notes_of(document, str(source), model, temperature, seed)
    if synth == "pyo":
        try:
            from .pyo_synth import render_offline
        except ImportError:
            raise ValueError("--synth pyo needs pyo (pip install 'pianogenie-bridge[audio]')") from None
        return len(notes), render_offline(notes, str(out), sample_rate, params)
    audio = render_notes(notes, sample_rate, params)
    write_wav(out, audio, sample_rate)
    return len(notes), len(audio) / sample_rate
