"""Which controller key is which button: a MIDI controller's keys as the genie's 8 buttons. Apart from
bridge/midi.py (mido, MIDI files), so the flags' defaults load no MIDI and no engine."""

from __future__ import annotations

from dataclasses import dataclass

from pianogenie.engine.constants import HIGHEST_PITCH, LOWEST_PITCH, NUM_BUTTONS

DEFAULT_BASE_NOTE = 60  # C4: keys C4..G4 are buttons 0..7
MAPPINGS = ("base", "order")


@dataclass(frozen=True)
class ButtonMap:
    """Which controller key is which button."""

    mode: str = "base"              # "base": base..base+7; "order": low..high split into 8 zones by pitch
    base: int = DEFAULT_BASE_NOTE
    low: int = LOWEST_PITCH
    high: int = HIGHEST_PITCH

    def __post_init__(self) -> None:
        if self.mode not in MAPPINGS:
            raise ValueError(f"MIDI mapping must be one of {', '.join(MAPPINGS)}, got {self.mode!r}")
        if not 0 <= self.base <= 127 - NUM_BUTTONS + 1:
            raise ValueError(f"base note must be 0..{127 - NUM_BUTTONS + 1}, got {self.base}")
        if not 0 <= self.low <= self.high <= 127:
            raise ValueError(f"key range {self.low}..{self.high} is not within 0..127")

    def button(self, note: int) -> int | None:
        if self.mode == "base":
            button = note - self.base
            return button if 0 <= button < NUM_BUTTONS else None
        if not self.low <= note <= self.high:
            return None
        return (note - self.low) * NUM_BUTTONS // (self.high - self.low + 1)
