"""The test instrument (tests/instrument/TestSine.cpp) built with Debian's dpf-source as LV2 and VST3, once per
checkout (make skips it when up to date), into tests/instrument/build: the LV2 bundle in a folder of its own, for
LV2_PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

SOURCE = REPO / "tests" / "instrument"
BUILD = SOURCE / "build"
URI = "urn:pianogenie:test-sine"
# The test instrument's booby traps (TestSine.cpp): a note-on at these velocities crashes or hangs its run().
CRASH_VELOCITY, HANG_VELOCITY = 13, 14


@dataclass(frozen=True)
class TestInstrument:
    lv2_path: Path   # a folder for LV2_PATH holding only its bundle
    vst3: Path       # the .vst3 bundle


def build_problem() -> str | None:
    if not Path("/usr/share/dpf/Makefile.plugins.mk").is_file():
        return "dpf-source is not installed (make system-test installs it)"
    if shutil.which("g++") is None:
        return "g++ is not installed (make system-test installs it)"
    return None


def build_test_instrument() -> TestInstrument:
    result = subprocess.run(["make", "-C", str(SOURCE), "-j1", "all", f"BUILD={BUILD}"], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, f"the test instrument did not build:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    lv2_path = BUILD / "lv2"
    bundle = lv2_path / "PGTestSine.lv2"
    built = BUILD / "bin" / "PGTestSine.lv2"
    if not bundle.exists() or bundle.stat().st_mtime < (built / "PGTestSine_dsp.so").stat().st_mtime:
        shutil.rmtree(bundle, ignore_errors=True)
        shutil.copytree(built, bundle)
    return TestInstrument(lv2_path, BUILD / "bin" / "PGTestSine.vst3")


def lv2_env(instrument: TestInstrument) -> dict[str, str]:
    """An environment whose LV2_PATH finds the test instrument and the system's plugins."""
    return {**os.environ, "LV2_PATH": f"{instrument.lv2_path}:/usr/lib/lv2:/usr/local/lib/lv2"}
