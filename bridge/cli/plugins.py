"""`pianogenie plugins`: the instrument plugins installed, by the name `--synth` takes, and whether each plays."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
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
    return 0
