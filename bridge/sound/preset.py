"""`--plugin-preset FILE`: an instrument plugin's parameter values, kept in a JSON file and set at start.

    {"uri": "http://drobilla.net/plugins/mda/Piano", "params": {"env_decay": 0.8, "volume": 0.4}}

`uri` is the plugin the values are for, as `--synth` names it (`lv2:URI`, `vst3:PATH`) or without its scheme;
a preset for another plugin is refused rather than applied to the wrong one. `pianogenie plugins --params NAME
--json` prints one holding every parameter at its default. Values go to the plugin as `--plugin-param` would
set them (LV2: in the control's own range, VST3: 0..1), and `--plugin-param` given beside a preset wins."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

PRESET_KEYS = ("uri", "params")
# A preset is a handful of numbers: anything far larger is not one, and is not read into memory.
MAX_PRESET_BYTES = 1 << 20


class PresetError(ValueError):
    """The one line to print (naming the file and the problem); exit 2."""


def _read(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_PRESET_BYTES:
            raise PresetError(f"--plugin-preset {path}: over {MAX_PRESET_BYTES // 1024} KB, not a preset")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PresetError(f"--plugin-preset {path}: not UTF-8 text") from None
    except OSError as exc:
        raise PresetError(f"--plugin-preset {path}: cannot read it ({exc.strerror or exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PresetError(f"--plugin-preset {path}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None


def _same_plugin(uri: str, synth: str) -> bool:
    return uri in (synth, synth.partition(":")[2])


def load_preset(path: Path, synth: str) -> dict[str, float]:
    """The parameter values of the preset at `path` for the plugin `synth` (the --synth name); PresetError
    naming the file and what is wrong with it otherwise."""
    if not synth.startswith(("lv2:", "vst3:")):
        raise PresetError(f"--plugin-preset {path}: a preset is for an instrument plugin, and --synth is {synth} "
                          "(give --synth lv2:URI or vst3:PATH)")
    data = _read(path)
    if not isinstance(data, dict):
        raise PresetError(f"--plugin-preset {path}: expected a JSON object {{\"uri\": ..., \"params\": {{...}}}}, "
                          f"got {type(data).__name__}")
    unknown = [key for key in data if key not in PRESET_KEYS]
    if unknown:
        raise PresetError(f"--plugin-preset {path}: unknown key {unknown[0]!r} (a preset has {', '.join(PRESET_KEYS)})")
    uri, params = data.get("uri"), data.get("params")
    if not isinstance(uri, str) or not uri:
        raise PresetError(f"--plugin-preset {path}: \"uri\" must name the plugin it is for, e.g. {synth.partition(':')[2]!r}")
    if not _same_plugin(uri, synth):
        raise PresetError(f"--plugin-preset {path}: it is for {uri}, and --synth plays {synth}")
    if not isinstance(params, dict):
        raise PresetError(f"--plugin-preset {path}: \"params\" must be an object of name: number")
    values: dict[str, float] = {}
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise PresetError(f"--plugin-preset {path}: parameter {name!r} must be a finite number, got {value!r}")
        values[name] = float(value)
    return values
