"""The synth registry: one name per synth, the same live (`serve`, `play`) and offline (`render`).

A synth is a module with a `SYNTH` object that has `open_live(config: SynthConfig) -> Sink` and
`render(notes, out: Path, config: RenderConfig) -> float` (seconds written). Adding one is its module plus one
line in SYNTHS. Names are import paths, not imports, so `--help` and flag parsing load no synth (nor numpy).

open_live raises SynthUnavailable when this machine has no output for it (one banner line, the run goes on) and
ValueError (SoundFontError is one) when what the user named cannot be used (one line, exit 2)."""

from __future__ import annotations

import importlib
from typing import Any

# name -> (module holding SYNTH, relative to this package or absolute; the flag's help for it)
SYNTHS: dict[str, tuple[str, str]] = {
    "fm": (".fm_synth", "the FM electric piano (live: pyo, else the numpy voice bank; offline: the numpy voice bank, sample-exact)"),
    "piano": (".piano", "a General MIDI SoundFont piano through FluidSynth"),
}
# The spellings `render` used to take, each a synth plus the engine that computes it: pyo, or numpy (sample-exact).
ALIASES: dict[str, tuple[str, str]] = {"numpy": ("fm", "numpy"), "pyo": ("fm", "pyo")}
DEFAULT_SYNTH = "fm"
# The engine an alias asks for, as the live --audio choice that runs it.
ENGINE_AUDIO = {"numpy": "sounddevice", "pyo": "pyo"}

_loaded: dict[str, Any] = {}


def register(name: str, module: str, help: str = "") -> None:
    """A synth by name from now on, in this process (a plugin, a test); the module's SYNTH is loaded on first use."""
    SYNTHS[name] = (module, help)
    _loaded.pop(name, None)


PLUGIN_HELP = "lv2:URI or vst3:PATH: an instrument plugin (`pianogenie plugins` lists them)"
# Synths named by a plugin: the scheme, then the plugin (bridge/sound/plugin_synth.py, loaded by name like the rest).
PLUGIN_SCHEMES = ("lv2:", "vst3:")
PLUGIN_MODULE = ".plugin_synth"


def names() -> list[str]:
    """Every name --synth accepts: the synths, then the old spellings."""
    return [*SYNTHS, *ALIASES]


def help_text() -> str:
    return "; ".join(f"{name}: {text}" for name, (_, text) in SYNTHS.items()) + f"; {PLUGIN_HELP}" + \
        "; " + ", ".join(f"{alias} = {name} on {engine}" for alias, (name, engine) in ALIASES.items())


def known(name: str) -> bool:
    """A registered name, an old spelling, or a plugin's (lv2:..., vst3:...)."""
    return name in SYNTHS or name in ALIASES or name.startswith(PLUGIN_SCHEMES)


def lookup(name: str) -> tuple[Any, str | None]:
    """The synth of a --synth name and the engine an old spelling asked for (None: the synth's own choice).
    ValueError for a name nobody registered."""
    if name.startswith(PLUGIN_SCHEMES):
        return importlib.import_module(PLUGIN_MODULE, __package__).PluginSynth(name), None
    name, engine = ALIASES.get(name, (name, None))
    if name not in SYNTHS:
        raise ValueError(f"--synth {name}: unknown synth (one of {', '.join(names())})")
    if name not in _loaded:
        _loaded[name] = importlib.import_module(SYNTHS[name][0], __package__).SYNTH
    return _loaded[name], engine
