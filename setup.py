"""Build hook: the wheel carries the browser page and the Max/Pd/DAW patches as package data.

They live outside the Python packages in the source tree (web/ is also an npm project with its own tests;
maxpatch/ is opened by Max and Pd as is), so they are copied into the build at build time:

- the page to pianogenie/bridge/web/page/: index.html, what it links, the ES modules reachable from src/app.js, and the
  npm files listed in web/vendor.txt (TensorFlow.js, its wasm binaries, Tone.js) taken from web/node_modules,
  which `npm ci` (make web-deps) fills. Nothing is fetched at build or run time;
- the patches to pianogenie/bridge/patches/.

The sdist carries the same sources (web/node_modules files included) so a wheel built from it needs no npm.
Everything else is in setup.cfg.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from pathlib import Path

from setuptools import find_namespace_packages, find_packages, setup
from setuptools.command.build_py import build_py
from setuptools.command.egg_info import egg_info
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
SUBPACKAGES = ("engine", "bridge", "training")  # folders at the top, installed as pianogenie.<name> (setup.cfg)
# Data folders without an __init__ that the wheel ships (the default model): declared as namespace packages, or
# setuptools warns at every build that it would ignore them.
DATA_PACKAGES = ("engine.models",)
WEB = HERE / "web"
MAXPATCH = HERE / "maxpatch"
PAGE_TARGET = Path("pianogenie", "bridge", "web", "page")
PATCHES_TARGET = Path("pianogenie", "bridge", "patches")
PATCH_LIST = "shipped.txt"  # maxpatch/'s one list of the files it ships
_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*['"](\.{1,2}/[^'"]+)['"]""")
_LINK = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)\"""")


def vendor_files() -> list[str]:
    """web/vendor.txt: the npm files the page loads, relative to web/."""
    lines = (WEB / "vendor.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def patch_files() -> list[str]:
    """maxpatch/shipped.txt's names, and the list itself (`pianogenie patches` reads it in the install)."""
    lines = (MAXPATCH / PATCH_LIST).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")] + [PATCH_LIST]


def page_files(strict: bool = True) -> list[str]:
    """Every file the page needs, relative to web/: index.html, its links, the module graph and the vendor files.
    A missing one stops the build, unless not `strict`: then it is left out."""
    files = {"index.html"}
    pending = []
    for link in _LINK.findall((WEB / "index.html").read_text()):
        if link.startswith("node_modules/"):
            continue  # vendor.txt lists them, with the wasm binaries the scripts load
        files.add(link)
        if link.endswith(".js"):
            pending.append(link)
    while pending:
        module = pending.pop()
        for target in _IMPORT.findall((WEB / module).read_text()):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(module), target))
            if path not in files:
                files.add(path)
                pending.append(path)
    files.update(vendor_files())
    missing = sorted(name for name in files if not (WEB / name).is_file())
    if missing and not strict:
        return sorted(files.difference(missing))
    if missing:
        raise SystemExit(f"web/: missing {', '.join(missing)}; run `make web-deps` (npm ci in web/) before building")
    return sorted(files)


class BuildWithAssets(build_py):
    """build_py, then the page and the patches into the build tree (not for editable installs: those serve the
    checkout's web/ and maxpatch/ directly)."""

    def run(self) -> None:
        editable = getattr(self, "editable_mode", False)
        if not editable:
            # An in-tree build (pip wheel .) reuses build/lib, where a module deleted since the last build would
            # still sit and be shipped.
            shutil.rmtree(self.build_lib, ignore_errors=True)
        super().run()
        if editable:
            return
        build = Path(self.build_lib)
        page = build / PAGE_TARGET
        shutil.rmtree(page, ignore_errors=True)
        for name in page_files():
            self.mkpath(str((page / name).parent))
            self.copy_file(str(WEB / name), str(page / name))
        patches = build / PATCHES_TARGET
        self.mkpath(str(patches))
        for name in patch_files():
            self.copy_file(str(MAXPATCH / name), str(patches / name))


class EggInfoWithAssets(egg_info):
    """The sdist's file list (egg_info makes it), plus the page's files: its npm files sit under web/node_modules,
    which MANIFEST.in would have to list one by one a second time, and the patches of maxpatch/shipped.txt. Lenient, because an editable install runs
    egg_info too and needs no npm files; SdistWithAssets is the strict one."""

    def find_sources(self) -> None:
        super().find_sources()
        self.filelist.extend(f"web/{name}" for name in page_files(strict=False))
        self.filelist.extend(f"maxpatch/{name}" for name in patch_files())


class SdistWithAssets(sdist):
    """An sdist without the page's npm files would only fail later, when a wheel is built from it."""

    def run(self) -> None:
        page_files()
        super().run()


def packages() -> list[str]:
    """pianogenie and every package under the three folders, by their installed names."""
    found = ["pianogenie"]
    for folder in SUBPACKAGES:
        found += [f"pianogenie.{name}" for name in find_packages(where=str(HERE), include=[folder, f"{folder}.*"])]
    for folder in DATA_PACKAGES:
        found += [f"pianogenie.{name}" for name in find_namespace_packages(where=str(HERE), include=[folder, f"{folder}.*"])
                  if "__pycache__" not in name]
    return sorted(set(found))


setup(packages=packages(), cmdclass={"build_py": BuildWithAssets, "egg_info": EggInfoWithAssets, "sdist": SdistWithAssets})
