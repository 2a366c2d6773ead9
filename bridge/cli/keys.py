"""Splitting what a terminal sends into keys: arrows, function keys and mouse reports arrive as escape sequences
(ESC [ ... or ESC O x), which must read as one key each and never as ESC plus letters (ESC used to quit `play`,
so an arrow quit the instrument, issue 22)."""

from __future__ import annotations

ESC = "\x1b"
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
