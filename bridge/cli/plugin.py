"""`pianogenie plugin install`: copies the DAW plugin that `make plugin` built (maxpatch/plugin/bin/) into the user's
plugin folders, where REAPER, Bitwig, Ardour and other Linux hosts look: ~/.lv2, ~/.vst3 and ~/.clap. The plugin is
C++ built from Debian packages, so it exists only in a checkout that ran `make plugin`, never in the wheel."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

BUILT = Path(__file__).resolve().parents[2] / "maxpatch" / "plugin" / "bin"
# What `make plugin` builds -> the folder under HOME that each format's hosts search.
FORMATS = (("PianoGenie.lv2", ".lv2"), ("PianoGenie.vst3", ".vst3"), ("PianoGenie.clap", ".clap"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="copy the LV2, VST3 and CLAP builds into ~/.lv2, ~/.vst3, ~/.clap")
    install.add_argument("--home", type=Path, default=Path.home(), help="install under this folder instead of ~")
    install.add_argument("--force", action="store_true", help="replace a Piano Genie plugin already installed there")


def install(built: Path, home: Path, force: bool) -> list[Path]:
    """Copy each format into its folder under `home`; returns the paths written. Refuses (ValueError) when nothing
    was built, or a format is already installed and `force` is not set, before copying anything."""
    missing = [name for name, _folder in FORMATS if not (built / name).exists()]
    if missing:
        raise ValueError(f"{built} lacks {', '.join(missing)}: run `make plugin` in the checkout first")
    targets = [(built / name, home / folder / name) for name, folder in FORMATS]
    there = [str(target) for _source, target in targets if target.exists()]
    if there and not force:
        raise ValueError(f"already installed: {', '.join(there)}; --force replaces them")
    for source, target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    return [target for _source, target in targets]


def run(args: argparse.Namespace) -> int:
    try:
        written = install(BUILT, args.home, args.force)
    except ValueError as error:
        print(f"pianogenie plugin install: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0
