"""Finding and checking the General MIDI SoundFont that `--synth piano` plays, and loading FluidSynth.

Every failure here is a SoundFontError whose text is the one line to print: the user asked for the piano, so a
missing library, a missing SoundFont or a file that is not one stops the command (exit 2) rather than playing
something else."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from ..system import quiet_stderr
from .file_check import special_file_problem

# Best first (docs/benchmarks.md): FluidR3 is the fullest piano that loads fast; TimGM6mb is small (tests);
# MuseScore General's sf3 is compressed, so loading it decodes ~80 MB of Vorbis (about 10 s).
DEFAULT_SOUNDFONTS = (
    ("/usr/share/sounds/sf2/FluidR3_GM.sf2", "fluid-soundfont-gm"),
    ("/usr/share/sounds/sf2/TimGM6mb.sf2", "timgm6mb-soundfont"),
    ("/usr/share/sounds/sf3/MuseScore_General.sf3", "musescore-general-soundfont"),
)
INSTALL_HINT = "apt install libfluidsynth3 and pip install 'pianogenie-bridge[piano]'"


class SoundFontError(ValueError):
    """The piano cannot play; the text is the one line to print."""


def check_soundfont(path: str | Path) -> Path:
    """The path, if it is a readable SoundFont 2 file (sf2 or sf3: a RIFF form of type sfbk)."""
    path = Path(path)
    if problem := special_file_problem(path):  # opening a FIFO would block until a writer came
        raise SoundFontError(f"--soundfont {path}: {problem}")
    try:
        with open(path, "rb") as file:
            head = file.read(12)
    except IsADirectoryError:
        raise SoundFontError(f"--soundfont {path}: is a directory, not a SoundFont file") from None
    except OSError as exc:
        raise SoundFontError(f"--soundfont {path}: cannot read it ({exc.strerror or exc})") from None
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"sfbk":
        raise SoundFontError(f"--soundfont {path}: not a SoundFont (.sf2/.sf3) file")
    return path


def find_soundfont(named: str | Path | None = None) -> Path:
    """The SoundFont named by --soundfont, else the best General MIDI one installed."""
    if named is not None:
        return check_soundfont(named)
    for candidate, _package in DEFAULT_SOUNDFONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    packages = " or ".join(package for _, package in DEFAULT_SOUNDFONTS[:2])
    raise SoundFontError(f"--synth piano: no General MIDI SoundFont installed (apt install {packages}, "
                         "or name one with --soundfont FILE)")


def load_fluidsynth() -> ModuleType:
    """pyfluidsynth, bound to libfluidsynth."""
    try:
        with quiet_stderr():
            import fluidsynth
    except ImportError as exc:
        what = "libfluidsynth" if "FluidSynth library" in str(exc) else "pyfluidsynth"
        raise SoundFontError(f"--synth piano needs FluidSynth ({what} is missing): {INSTALL_HINT}") from None
    except OSError as exc:
        raise SoundFontError(f"--synth piano: libfluidsynth does not load ({exc}): {INSTALL_HINT}") from None
    return fluidsynth
