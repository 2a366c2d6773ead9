"""Where instrument plugins are installed: LV2 through lilv (bridge/sound/lv2.py) and VST3 bundles in the
standard folders, for `pianogenie plugins` and the `--synth lv2:URI` / `vst3:PATH` names."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

VST3_SCHEME = "vst3:"
# The VST3 specification's Linux locations, the user's first; VST3_PATH (colon-separated) goes before them.
VST3_FOLDERS = ("~/.vst3", "/usr/lib/vst3", "/usr/local/lib/vst3")


def vst3_folders() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("VST3_PATH", "").split(os.pathsep) if p]
    return extra + [Path(p).expanduser() for p in VST3_FOLDERS]


def vst3_bundles() -> list[Path]:
    """Every *.vst3 bundle (or single file) in the VST3 folders, not looking inside bundles."""
    found: list[Path] = []
    for folder in vst3_folders():
        if folder.is_dir():
            found += sorted(path for path in folder.glob("*.vst3"))
    return found


def vst3_host_problem() -> str | None:
    """Why VST3 instruments cannot be played here, or None."""
    if importlib.util.find_spec("pedalboard") is None:
        return "VST3 needs pedalboard (pip install pedalboard)"
    return None
