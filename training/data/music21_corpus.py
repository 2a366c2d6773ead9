"""The embedded default corpus: the scores that ship inside the music21 package (Bach chorales, Beethoven
quartets, Palestrina, Mozart, Haydn, folk-song collections...), parsed once into a compact cache.

A score's parts are merged into one stream; offsets in quarter notes become seconds through the score's
metronome marks (DEFAULT_QPM before the first mark, or throughout when there is none). A file holding
several tunes (an ABC book is an Opus) is played as one piece, tune after tune with a rest between, so
that short folk songs still make 128-note examples. Splits are by file (see notes.split_for).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Sequence

from pianogenie.engine.constants import pitch_to_key

from .notes import MIN_NOTES, UNKNOWN_VELOCITY, NoteCorpus, Piece, SkipPiece, cache_dir, make_piece, split_for

# Quarter notes per minute where a score gives no tempo (music21's own default).
DEFAULT_QPM = 120.0
# Silence between consecutive tunes of one file (dt is clipped to 1 s anyway).
TUNE_GAP_S = 2.0
# Roman-numeral analyses are harmonic labels, not music anyone plays; everything else is kept.
EXCLUDED_SUFFIXES = {".rntxt"}
# A file that takes longer than this to parse is skipped (a few huge Humdrum files otherwise stall a worker).
PARSE_TIMEOUT_S = 300
CACHE_NAME = "music21_corpus.npz"
# The corpus's solo keyboard works. Held out of training by default ("--holdout auto") to validate how a
# model plays piano music with performer timing (see training.train).
KEYBOARD_WORKS = ("chopin/", "cpebach/", "joplin/", "mozart/k545/", "schoenberg/", "schumann_clara/polonaise")
# Collections of single-line folk tunes (about 40 % of the notes): a tune spans an octave or so, which
# teaches a decoder to keep all 8 buttons inside one octave.
FOLK_TUNE_COLLECTIONS = ("airdsAirs/", "essenFolksong/", "miscFolk/", "nottingham-dataset/", "oneills1850/",
                         "ryansMammoth/")


def corpus_files() -> list[Path]:
    """Every score file music21 ships, sorted, minus the excluded kinds."""
    from music21 import corpus

    return sorted(p for p in corpus.getCorePaths() if p.suffix.lower() not in EXCLUDED_SUFFIXES)


def corpus_root() -> Path:
    import music21

    return Path(music21.__file__).resolve().parent / "corpus"


def piece_name(path: Path) -> str:
    """A stable name: the path inside music21's corpus folder (independent of where music21 is installed)."""
    try:
        return Path(path).resolve().relative_to(corpus_root()).as_posix()
    except ValueError:
        return Path(path).name


def _tempo_map(flat) -> list[tuple[float, float]]:
    """[(offset in quarters, seconds per quarter)] from the metronome marks of a flattened score."""
    from music21 import tempo

    marks = []
    for mm in flat.getElementsByClass(tempo.MetronomeMark):
        try:
            qpm = mm.getQuarterBPM()
        except Exception:  # a text-only mark music21 cannot turn into a number
            qpm = None
        if qpm and qpm > 0:
            marks.append((float(mm.offset), 60.0 / float(qpm)))
    marks.sort()
    if not marks or marks[0][0] > 0:
        marks.insert(0, (0.0, 60.0 / DEFAULT_QPM))
    return marks


def _seconds(offset: float, tmap: list[tuple[float, float]]) -> float:
    seconds = 0.0
    for i, (start, spq) in enumerate(tmap):
        end = tmap[i + 1][0] if i + 1 < len(tmap) else float("inf")
        if offset <= start:
            break
        seconds += (min(offset, end) - start) * spq
    return seconds


def score_notes(score, start_s: float = 0.0) -> tuple[list[tuple[float, int, int, float]], float]:
    """All notes of one score (every part, chords expanded, tie continuations dropped) as
    (onset s, key, velocity, duration s), and the score's end in seconds."""
    from music21 import chord, note

    flat = score.flatten()
    tmap = _tempo_map(flat)
    rows = []
    end = 0.0
    for element in flat.notes:
        if isinstance(element, chord.Chord):
            members = list(element.notes)
        elif isinstance(element, note.Note):
            members = [element]
        else:  # unpitched percussion and the like
            continue
        offset = float(element.offset)
        onset = _seconds(offset, tmap)
        off = _seconds(offset + float(element.quarterLength), tmap)
        end = max(end, off)
        for n in members:
            tie = n.tie if n.tie is not None else element.tie
            if tie is not None and tie.type in ("stop", "continue"):
                continue  # the key is still held from the tied note before
            velocity = n.volume.velocity  # None unless the score marks it
            rows.append((start_s + onset, pitch_to_key(n.pitch.midi), int(velocity or UNKNOWN_VELOCITY), off - onset))
    return rows, start_s + end


def parse_file(path: str | os.PathLike) -> Piece:
    """One corpus file as one piece. Raises SkipPiece with the reason when it cannot be used."""
    from music21 import converter, stream

    path = Path(path)
    try:
        parsed = converter.parse(str(path))
    except Exception as exc:
        raise SkipPiece(f"parse error: {type(exc).__name__}") from exc
    scores = list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]
    rows: list[tuple[float, int, int, float]] = []
    start = 0.0
    for score in scores:
        notes, end = score_notes(score, start)
        rows.extend(notes)
        start = end + TUNE_GAP_S
    name = piece_name(path)
    # A few works ship in two formats (movement1.krn and .mxl): split by the name without suffix so both
    # land in the same split and the held-out set never holds a copy of a training piece.
    piece = make_piece(name, rows, split=split_for(name.rsplit(".", 1)[0]))
    if len(piece) < MIN_NOTES:
        raise SkipPiece(f"fewer than {MIN_NOTES} notes")
    return piece


class _Timeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Timeout()


def _worker(path: str) -> tuple[str, Piece | None, str | None]:
    """Runs in a worker process: never raises, so one bad file cannot abort the build."""
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(PARSE_TIMEOUT_S)
    try:
        return path, parse_file(path), None
    except SkipPiece as exc:
        return path, None, str(exc)
    except _Timeout:
        return path, None, f"parse took over {PARSE_TIMEOUT_S} s"
    except Exception as exc:  # music21 raises many kinds of things on odd scores
        return path, None, f"error: {type(exc).__name__}"
    finally:
        signal.alarm(0)


def build_corpus(
    files: Sequence[str | os.PathLike] | None = None,
    workers: int = 2,
    progress: bool = True,
) -> NoteCorpus:
    """Parse files (default: the whole music21 corpus) in `workers` processes with a progress bar."""
    from tqdm import tqdm

    paths = [str(p) for p in (files if files is not None else corpus_files())]
    pieces: list[Piece] = []
    skipped: Counter = Counter()
    skipped_files: list[tuple[str, str]] = []
    bar = tqdm(total=len(paths), desc="parsing music21 corpus", unit="file", disable=not progress, smoothing=0.05)

    def collect(result):
        path, piece, reason = result
        if piece is None:
            skipped[reason] += 1
            skipped_files.append((piece_name(Path(path)), reason))
        else:
            pieces.append(piece)
        bar.update(1)
        bar.set_postfix(notes=sum(len(p) for p in pieces), skipped=sum(skipped.values()), refresh=False)

    if workers <= 1:
        for path in paths:
            collect(_worker(path))
    else:
        # maxtasksperchild: music21 keeps caches that grow without bound over thousands of scores.
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers, maxtasksperchild=50) as pool:
            for result in pool.imap_unordered(_worker, paths, chunksize=1):
                collect(result)
    bar.close()
    pieces.sort(key=lambda p: p.name)  # results arrive out of order; the cache must not depend on that
    skipped_files.sort()
    return NoteCorpus(pieces, skipped, skipped_files)


def default_cache_path() -> Path:
    return cache_dir() / CACHE_NAME


def load_or_build(cache: str | os.PathLike | None = None, workers: int = 2, rebuild: bool = False) -> NoteCorpus:
    """The cached corpus, parsing it first when the cache is missing (about 20 minutes on 2 cores)."""
    path = Path(cache) if cache else default_cache_path()
    if path.exists() and not rebuild:
        return NoteCorpus.load(path)
    t0 = time.time()
    corpus = build_corpus(workers=workers)
    corpus.save(path)
    print(f"parsed in {time.time() - t0:.0f} s -> {path}: {corpus.summary()}")
    return corpus
