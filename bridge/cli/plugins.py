"""`pianogenie plugins`: the instrument plugins installed, by the name `--synth` takes, and whether each plays;
`--params NAME`: one plugin's parameters with their ranges and defaults (`--json`: as a preset file to edit)."""

from __future__ import annotations

import argparse
import json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", default=None, metavar="NAME",
                        help="list the parameters of this plugin (lv2:URI or vst3:PATH, as --synth takes it): "
                             "what --plugin-param, --plugin-preset and /genie/plugin/param set")
    parser.add_argument("--json", action="store_true",
                        help="with --params: print them as a --plugin-preset file, every value at its default")


def run(args: argparse.Namespace) -> int:
    from pianogenie.errors import CommandError

    if args.json and args.params is None:
        raise CommandError("--json prints a plugin's parameters: give --params NAME too")
    if args.params is not None:
        return _params(args.params, args.json)
    _list()
    return 0


def _specs(name: str) -> list:
    """The plugin's parameters at their defaults. LV2: from its description, no plugin code run; VST3: the
    plugin is loaded (pedalboard has no other way to read them)."""
    from pianogenie.errors import CommandError

    from ..sound.instrument import PluginError
    from ..sound.lilv import LilvMissing

    kind, _, target = name.partition(":")
    try:
        if kind == "lv2" and target:
            from ..sound.lv2 import param_specs

            return param_specs(target)
        if kind == "vst3" and target:
            from ..sound.vst3 import Vst3Instrument
            from ..system import quiet_stderr

            with quiet_stderr():  # a DPF plugin closed unplayed asserts on fd 2; what went wrong is raised
                plugin = Vst3Instrument(target)
                try:
                    return plugin.param_specs()  # nothing set: each at the plugin's own start value
                finally:
                    plugin.close()
    except (PluginError, LilvMissing) as exc:
        raise CommandError(str(exc)) from None
    raise CommandError(f"--params {name}: name the plugin as --synth does, lv2:URI or vst3:PATH")


def _params(name: str, as_json: bool) -> int:
    from ..sound.plugin_params import as_preset, describe

    specs = _specs(name)
    if as_json:
        print(json.dumps(as_preset(name.partition(":")[2], specs), indent=2))
        return 0
    print(f"{name}: {len(specs)} parameters (--plugin-param NAME=VALUE, /genie/plugin/param s:name f:value)")
    for line in describe(specs):
        print(line)
    return 0


def _list() -> None:
    from ..sound.lilv import LilvMissing
    from ..sound.lv2 import SCHEME, list_plugins
    from ..sound.plugin_paths import VST3_SCHEME, vst3_bundles, vst3_folders, vst3_host_problem

    print("LV2 instruments (--synth lv2:URI):")
    try:
        plugins = list_plugins()
    except LilvMissing as exc:
        print(f"  none: {exc}")
    else:
        for info in plugins:
            print(f"  {SCHEME}{info.uri}  {info.name}" + ("" if info.usable else f"  (cannot play: {info.why})"))
        if not plugins:
            print("  none installed (Debian: apt install mda-lv2; or set LV2_PATH)")
    print("VST3 plugins (--synth vst3:PATH):")
    bundles, problem = vst3_bundles(), vst3_host_problem()
    for bundle in bundles:
        print(f"  {VST3_SCHEME}{bundle}" + (f"  (cannot play: {problem})" if problem else ""))
    if not bundles:
        print(f"  none in {', '.join(map(str, vst3_folders()))}")
