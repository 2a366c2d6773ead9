"""`play`'s keys: the one table of bindings (what each key does, in the plain and the live view alike), and
splitting what a terminal sends into keys: arrows, function keys and mouse reports arrive as escape sequences
(ESC [ ... or ESC O x), which must read as one key each and never as ESC plus letters (ESC used to quit `play`,
so an arrow quit the instrument, issue 22)."""

from __future__ import annotations

from pianogenie.engine.constants import NUM_BUTTONS

ESC = "\x1b"
BUTTON_KEYS = ("12345678", "asdfjkl;")  # each row plays buttons 0-7, left to right

# What a key does: a button's number (0-7), or one of these actions.
SUSTAIN, RESET, GATE_UP, GATE_DOWN = "sustain", "reset", "gate+", "gate-"
WARMER, COOLER, OCTAVE_UP, OCTAVE_DOWN, WIDER, NARROWER, NEXT_MODEL, QUIT = (
    "temperature+", "temperature-", "octave+", "octave-", "wider", "narrower", "model", "quit")
# Keyed by the character typed or, for keys that type none, the key's name (an arrow: ARROWS and the TUI's name).
BINDINGS: dict[str, int | str] = {
    **{row[i]: i for row in BUTTON_KEYS for i in range(NUM_BUTTONS)},
    " ": SUSTAIN, "0": RESET, "+": GATE_UP, "=": GATE_UP, "-": GATE_DOWN, "_": GATE_DOWN,
    "]": WARMER, "up": WARMER, "[": COOLER, "down": COOLER,
    ".": OCTAVE_UP, "right": OCTAVE_UP, ",": OCTAVE_DOWN, "left": OCTAVE_DOWN,
    ">": WIDER, "<": NARROWER, "m": NEXT_MODEL,
    # Only q and Ctrl-C quit: Esc starts every arrow and function key.
    "q": QUIT, "\x03": QUIT,
}
# The arrows as terminals send them: normal (CSI) and application (SS3) cursor mode.
ARROWS = {ESC + lead + final: name for lead in "[O" for final, name in zip("ABCD", ("up", "down", "right", "left"))}
# Each action as shown in help lines and on the live view's controls: (action, its keys, what it does).
HELP = ((SUSTAIN, "space", "sustain"), (RESET, "0", "reset"), (GATE_DOWN, "-", "gate -"), (GATE_UP, "+", "gate +"),
        (COOLER, "[ down", "temp -"), (WARMER, "] up", "temp +"),
        (OCTAVE_DOWN, ", left", "octave -"), (OCTAVE_UP, ". right", "octave +"),
        (NARROWER, "<", "narrower"), (WIDER, ">", "wider"), (NEXT_MODEL, "m", "next model"), (QUIT, "q", "quit"))


def binding(key: str) -> int | str | None:
    """What `key` does: a character, a whole escape sequence (KeySplitter's) or a key's name; None for nothing
    (a function key, a mouse report, an unbound letter)."""
    return BINDINGS.get(ARROWS.get(key, key))


def help_line() -> str:
    rows = " or ".join(" ".join(row) for row in BUTTON_KEYS)
    return f"keys {rows} play; " + ", ".join(f"{keys} = {label}" for _, keys, label in HELP)
# ECMA-48: a CSI sequence's parameter and intermediate bytes are 0x20-0x3F, its final byte 0x40-0x7E.
_FINAL = range(0x40, 0x7F)
_X10_MOUSE = ESC + "[M"  # then three raw bytes: button, column, row


class KeySplitter:
    """Feed it chunks as read; it returns whole keys: one character, or a whole escape sequence (starting with
    ESC). An unfinished sequence at a chunk's end waits for the next chunk."""

    def __init__(self) -> None:
        self.pending = ""

    def feed(self, chunk: str) -> list[str]:
        text, self.pending = self.pending + chunk, ""
        keys, i = [], 0
        while i < len(text):
            if text[i] != ESC:
                keys.append(text[i])
                i += 1
                continue
            end = _sequence_end(text, i)
            if end is None:
                self.pending = text[i:]
                break
            keys.append(text[i:end])
            i = end
        return keys

    def flush(self) -> list[str]:
        """What is still pending (a lone ESC once no more input came): as one key."""
        keys, self.pending = ([self.pending] if self.pending else []), ""
        return keys


def _sequence_end(text: str, start: int) -> int | None:
    """The index after the escape sequence at `start`, or None when the text ends inside it."""
    if start + 1 >= len(text):
        return None
    kind = text[start + 1]
    if text.startswith(_X10_MOUSE, start):
        end = start + len(_X10_MOUSE) + 3
        return end if end <= len(text) else None
    if kind == "[":
        for i in range(start + 2, len(text)):
            if ord(text[i]) in _FINAL:
                return i + 1
        return None
    if kind == "O":  # SS3: F1-F4 and application-mode arrows
        return start + 3 if start + 2 < len(text) else None
    return start + 2  # Alt+key
