"""`pianogenie patches DIR`: copies the Max, Pure Data and REAPER files (and their README) where the user wants
them. An installed package has them in bridge/patches/ (setup.py copies maxpatch/ there at build time); a source
checkout uses maxpatch/ itself."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from pianogenie.errors import CommandError

PACKAGED = Path(__file__).resolve().parents[1] / "patches"
CHECKOUT = Path(__file__).resolve().parents[2] / "maxpatch"
LIST = "shipped.txt"  # the one list of the patch files, beside them


def patches_dir() -> Path:
    """Where this install keeps the patches."""
    return PACKAGED if (PACKAGED / LIST).is_file() else CHECKOUT


def patch_files(folder: Path) -> list[str]:
    """The names in `folder`'s list."""
    lines = (folder / LIST).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", type=Path, help="folder to copy them into (made if missing; its parent must exist)")
    parser.add_argument("--force", action="store_true", help="overwrite files of the same names already there")


def run(args: argparse.Namespace) -> int:
    source = patches_dir()
    try:
        files = patch_files(source)
    except OSError:
        raise CommandError(f"{source} lacks {LIST}; reinstall pianogenie-bridge") from None
    missing = [name for name in files if not (source / name).is_file()]
    if missing:
        raise CommandError(f"{source} lacks {', '.join(missing)}; reinstall pianogenie-bridge")
    target: Path = args.dir
    if target.exists() and not target.is_dir():
        raise CommandError(f"{target} is a file, not a folder; name a folder to copy the patches into")
    if not target.parent.is_dir():
        # Only the folder asked for is made: a typo in its parent must not grow a tree of folders.
        raise CommandError(f"{target.parent} does not exist; make it first or pick another folder")
    there = [name for name in files if (target / name).exists()]
    if there and not args.force:
        raise CommandError(f"{target} already holds {', '.join(there)}; --force overwrites them")
    try:
        target.mkdir(exist_ok=True)
        for name in files:
            shutil.copyfile(source / name, target / name)
            print(target / name)
    except OSError as exc:
        raise CommandError(f"cannot write into {target}: {exc.strerror or exc}") from None
    return 0
