"""Well-known public-domain melodies with the buttons a person would naturally press for them: the
melody's distinct pitches, low to high, on buttons 0, 1, 2... (every melody here uses at most 8), so the
buttons trace the melody's contour. Used by the "intuitiveness" part of `pianogenie evaluate`.

Each note is (MIDI pitch, beats, button). Pitches are written out so the list can be checked by ear.
"""

from __future__ import annotations

from dataclasses import dataclass

C4, D4, E4, F4, G4, A4, B4, C5, D5 = 60, 62, 64, 65, 67, 69, 71, 72, 74
G3 = 55


@dataclass(frozen=True)
class Melody:
    name: str
    bpm: float
    notes: tuple[tuple[int, float, int], ...]  # (MIDI pitch, beats, button a person presses)

    @property
    def pitches(self) -> list[int]:
        return [p for p, _, _ in self.notes]

    @property
    def buttons(self) -> list[int]:
        return [b for _, _, b in self.notes]

    def onsets(self) -> list[float]:
        """Seconds, from the beat lengths at the melody's tempo."""
        out, now = [], 0.0
        for _, beats, _ in self.notes:
            out.append(now)
            now += beats * 60.0 / self.bpm
        return out


def _melody(name: str, bpm: float, pitches_beats: list[tuple[int, float]], buttons: str) -> Melody:
    buttons_list = [int(c) for c in buttons.replace(" ", "").replace("|", "")]
    if len(buttons_list) != len(pitches_beats):
        raise ValueError(f"{name}: {len(pitches_beats)} notes but {len(buttons_list)} buttons")
    return Melody(name, bpm, tuple((p, b, btn) for (p, b), btn in zip(pitches_beats, buttons_list)))


def _q(*pitches: int) -> list[tuple[int, float]]:
    return [(p, 1.0) for p in pitches]


# Beethoven, Symphony No. 9, "Ode to Joy" (1824), in C. Buttons: G3 C D E F G -> 0 1 2 3 4 5.
ODE_TO_JOY = _melody("Ode to Joy", 120, (
    _q(E4, E4, F4, G4, G4, F4, E4, D4, C4, C4, D4, E4) + [(E4, 1.5), (D4, 0.5), (D4, 2)]
    + _q(E4, E4, F4, G4, G4, F4, E4, D4, C4, C4, D4, E4) + [(D4, 1.5), (C4, 0.5), (C4, 2)]
    + _q(D4, D4, E4, C4, D4) + [(E4, 0.5), (F4, 0.5)] + _q(E4, C4, D4) + [(E4, 0.5), (F4, 0.5)] + _q(E4, D4, C4, D4) + [(G3, 2)]
), "33455432112332233455432112321122312343123432120")

# "Twinkle, Twinkle, Little Star" (French, 1761), in C. Buttons: C D E F G A -> 0 1 2 3 4 5.
TWINKLE = _melody("Twinkle, Twinkle, Little Star", 110, (
    _q(C4, C4, G4, G4, A4, A4) + [(G4, 2)] + _q(F4, F4, E4, E4, D4, D4) + [(C4, 2)]
    + _q(G4, G4, F4, F4, E4, E4) + [(D4, 2)] + _q(G4, G4, F4, F4, E4, E4) + [(D4, 2)]
    + _q(C4, C4, G4, G4, A4, A4) + [(G4, 2)] + _q(F4, F4, E4, E4, D4, D4) + [(C4, 2)]
), "0044554 3322110 4433221 4433221 0044554 3322110")

# "Frere Jacques" (18th century), in C. Buttons: G3 C D E F G A -> 0 1 2 3 4 5 6.
FRERE_JACQUES = _melody("Frere Jacques", 120, (
    _q(C4, D4, E4, C4) * 2 + (_q(E4, F4) + [(G4, 2)]) * 2
    + ([(G4, 0.5), (A4, 0.5), (G4, 0.5), (F4, 0.5)] + _q(E4, C4)) * 2
    + (_q(C4, G3) + [(C4, 2)]) * 2
), "1231 1231 345 345 565431 565431 101 101")

# "Amazing Grace" ("New Britain", 1829/1835), in G, 3/4. Buttons: D4 E4 G4 A4 B4 D5 -> 0 1 2 3 4 5.
AMAZING_GRACE = _melody("Amazing Grace", 90, (
    [(D4, 1), (G4, 2), (B4, 0.5), (G4, 0.5), (B4, 2), (A4, 1), (G4, 2), (E4, 1), (D4, 2),
     (D4, 1), (G4, 2), (B4, 0.5), (G4, 0.5), (B4, 2), (A4, 1), (D5, 3)]
    + [(B4, 1), (D5, 1.5), (B4, 0.5), (D5, 0.5), (B4, 0.5), (G4, 2), (D4, 1), (E4, 1.5), (G4, 0.5), (G4, 0.5),
       (E4, 0.5), (D4, 2), (D4, 1), (G4, 2), (B4, 0.5), (G4, 0.5), (B4, 2), (A4, 1), (G4, 3)]
), "02424321002424354545420122100242432")

MELODIES: tuple[Melody, ...] = (ODE_TO_JOY, TWINKLE, FRERE_JACQUES, AMAZING_GRACE)
