"""`pianogenie render FILE out.wav|out.mid`: a take to audio, offline, with any synth of the registry (bridge/sound/synths.py):
the FM synth's numpy voice bank (sample-exact, the default; `--synth fm` or `numpy`), the FM synth in pyo's
offline mode (`--synth pyo`) or the SoundFont piano (`--synth piano`); or to a standard MIDI file. The format follows the output's suffix, and the render starts at the take's first note, not at the recording's start.

A take with "notes" (what serve and play record) is rendered as played, every performer included; a take with
only "events" is first decoded with the model, like `pianogenie replay`. The same input always gives the same
WAV, byte for byte."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from pianogenie.engine.constants import DEFAULT_TEMPERATURE
from pianogenie.engine.takes import Note, Take, replay_take

from .gain import DEFAULT_GAIN_DB
from .synths import DEFAULT_SYNTH, lookup
from .voices import DEFAULT_SAMPLE_RATE, SynthParams

MIDI_SUFFIXES = (".mid", ".midi")


@dataclass(frozen=True)
class RenderConfig:
    sample_rate: int = DEFAULT_SAMPLE_RATE
    params: SynthParams = field(default_factory=SynthParams)
    synth: str = DEFAULT_SYNTH                 # a name in bridge/sound/synths.py
    # For takes with events only: how to decode them.
    model: Path | None = None
    temperature: float = DEFAULT_TEMPERATURE
    seed: int | None = None
    soundfont: Path | None = None              # --synth piano: None = the best installed
    engine: str | None = None                  # what computes the synth (--synth pyo|numpy); None = its default
    plugin_params: tuple[tuple[str, float], ...] = ()  # --plugin-param, for lv2:/vst3: synths
    gain_db: float = DEFAULT_GAIN_DB           # --gain: the level of the whole render


def notes_of(take: Take, config: RenderConfig) -> list[Note]:
    notes = take.notes()
    if notes is not None:
        return notes
    from pianogenie.engine import PianoGenie

    model = None if config.model is None else str(config.model)
    return replay_take(take, PianoGenie.load, model, config.temperature, config.seed)


def from_first_note(notes: list[Note]) -> list[Note]:
    """The notes moved so the first starts at 0: a take's clock starts with the program, not the first press."""
    start = min((note.onset for note in notes), default=0.0)
    return [replace(note, onset=note.onset - start, offset=note.offset - start) for note in notes]


def render_file(source: Path, out: Path, config: RenderConfig = RenderConfig()) -> tuple[int, float]:
    """Returns (notes rendered, seconds rendered). ValueError for an output suffix other than .wav, .mid, .midi."""
    suffix = Path(out).suffix.lower()
    if suffix not in (".wav", *MIDI_SUFFIXES):
        raise ValueError(f"{out}: unknown output format {suffix or '(no suffix)'}; use .wav, .mid or .midi")
    take = Take.load(source)
    played = notes_of(take, config)
    notes = from_first_note(played)
    if suffix in MIDI_SUFFIXES:
        from ..midi import BAR_BEATS, PedalChange, write_midi

        pedal = [PedalChange(change.time, number, bool(change.value)) for number, track in take.tracks.items()
                 for change in track.changes if change.change == "sustain"]
        try:
            write_midi(played, out, pedal=pedal, start=min((n.onset for n in played), default=0.0),
                       tempo=take.tempo, bar_beats=take.quantum or BAR_BEATS)
        except RuntimeError as exc:  # mido is missing
            raise ValueError(str(exc)) from None
        return len(notes), max((note.offset for note in notes), default=0.0)
    synth, engine = lookup(config.synth)
    if engine is not None:
        config = replace(config, engine=engine)
    return len(notes), synth.render(notes, out, config)  # SoundFontError: ValueError
