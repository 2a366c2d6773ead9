"""Checks on a file the user names (a SoundFont) before anything opens it: opening a FIFO blocks until a writer
comes, so `--soundfont some.fifo` would hang serve, render or web; and a RIFF file whose chunks do not add up is
damaged, which a page fetching it would only find out after downloading megabytes."""

from __future__ import annotations

import os
import stat
import struct
from pathlib import Path

# The parts a SoundFont 2 must have (SoundFont 2.04, section 4): the INFO, sdta and pdta lists of the sfbk form.
_SOUNDFONT_LISTS = (b"INFO", b"sdta", b"pdta")


def special_file_problem(path: str | os.PathLike) -> str | None:
    """Why `path` must not be opened (a FIFO, a device, a socket), or None; a missing file is the opener's to say."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return None
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"is {kind}, not a file"


def soundfont_damage(path: str | os.PathLike) -> str | None:
    """What is wrong with the RIFF structure of a SoundFont (sizes that overrun the file, a missing list), or None.
    Reads only the chunk headers: a few dozen bytes whatever the file's size."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as file:
        head = file.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"sfbk":
            return "not a SoundFont (.sf2/.sf3) file"
        declared = struct.unpack("<I", head[4:8])[0] + 8
        if declared > size:
            return f"damaged: its header declares {declared} bytes but the file has {size} (truncated?)"
        found, offset = [], 12
        while offset + 12 <= declared:
            file.seek(offset)
            chunk = file.read(12)
            kind, length = chunk[:4], struct.unpack("<I", chunk[4:8])[0]
            if offset + 8 + length > declared:
                return f"damaged: chunk {kind!r} at byte {offset} runs past the end of the file"
            if kind == b"LIST":
                found.append(chunk[8:12])
            offset += 8 + length + (length & 1)  # RIFF chunks are padded to an even size
    missing = [name.decode() for name in _SOUNDFONT_LISTS if name not in found]
    return f"damaged: no {', '.join(missing)} list" if missing else None
