"""`pianogenie patches DIR`: copies the Max, Pure Data and REAPER files (and their README) where the user wants
them. An installed package has them in bridge/patches/ (setup.py copies maxpatch/ there at build time); a source
checkout uses maxpatch/ itself."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

PACKAGED = Path(__file__).resolve().parents[1] / "patches"
CHECKOUT = Path(__file__).resolve().parents[2] / "maxpatch"
FILES = ("pianogenie.maxpat", "pianogenie.pd", "PianoGenie.ReaperOSC", "README.md")


def patches_dir() -> Path:
    """Where this install keeps the patches."""
    return PACKAGED if (PACKAGED / FILES[0]).is_file() else CHECKOUT


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", type=Path, help="folder to copy them into (made if missing)")
    parser.add_argument("--force", action="store_true", help="overwrite files of the same names already there")


def run(args: argparse.Namespace) -> int:
    source = patches_dir()
    missing = [name for name in FILES if not (source / name).is_file()]
    if missing:
        print(f"pianogenie patches: {source} lacks {', '.join(missing)}; reinstall pianogenie-bridge", file=sys.stderr)
        return 1
    there = [name for name in FILES if (args.dir / name).exists()]
    if there and not args.force:
        print(f"pianogenie patches: {args.dir} already holds {', '.join(there)}; --force overwrites them",
              file=sys.stderr)
        return 1
    args.dir.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(source / name, args.dir / name)
        print(args.dir / name)
    return 0
