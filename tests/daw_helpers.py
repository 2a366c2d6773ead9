"""Building the DAW plugin (maxpatch/plugin/) and hosting its LV2 build with the small lilv host beside it."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import REPO

PLUGIN_DIR = REPO / "maxpatch" / "plugin"
BIN = PLUGIN_DIR / "bin"
HOST = PLUGIN_DIR / "build" / "pg-lv2host"
URI = "urn:pianogenie:plugin"
VST3 = BIN / "PianoGenie.vst3"
CLAP = BIN / "PianoGenie.clap"
LV2 = BIN / "PianoGenie.lv2"


def build_problem() -> str | None:
    """Why the plugin cannot be built here (a missing Debian package), or None."""
    if not Path("/usr/share/dpf/Makefile.plugins.mk").is_file():
        return "dpf-source is not installed (make system-test installs it)"
    if shutil.which("pkg-config") is None or subprocess.run(["pkg-config", "--exists", "lilv-0"]).returncode:
        return "liblilv-dev is not installed (make system-test installs it)"
    return None


def build() -> None:
    """`make plugin`'s build, plus the test host; make skips what is up to date."""
    result = subprocess.run(["make", "-C", str(PLUGIN_DIR), "-j1", "all", "host"], capture_output=True, text=True)
    assert result.returncode == 0, f"the plugin did not build:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"


@dataclass
class Run:
    """What the host printed: every MIDI event out, output controls, and per-instance stats."""

    out: list[tuple[int, int, bytes]] = field(default_factory=list)      # (instance, frame, bytes)
    controls: list[tuple[int, int, str, float]] = field(default_factory=list)  # (instance, frame, symbol, value)
    stats: dict[int, dict[str, float]] = field(default_factory=dict)
    stderr: str = ""

    def notes(self, instance: int = 0) -> list[tuple[int, bytes]]:
        return [(frame, data) for i, frame, data in self.out if i == instance]

    def control(self, symbol: str, instance: int = 0) -> list[tuple[int, float]]:
        return [(frame, value) for i, frame, s, value in self.controls if i == instance and s == symbol]


def script(events: list[tuple[int, int, str]]) -> str:
    """(instance, frame, 'midi 90 3c 64' | 'param SYMBOL VALUE') -> the host's stdin."""
    return "".join(f"{i} {frame} {what}\n" for i, frame, what in sorted(events, key=lambda e: e[1]))


def start_host(events: list[tuple[int, int, str]], *, seconds: float, block: int = 128, rate: int = 48000,
               instances: int = 1, server: str | None = None, freewheel: bool = False,
               extra_state: list[str] = ()) -> subprocess.Popen:
    command = [str(HOST), "--bundle", str(LV2), "--block", str(block), "--rate", str(rate), "--seconds", str(seconds),
               "--instances", str(instances)]
    if server:
        command += ["--state", f"server={server}"]
    for state in extra_state:
        command += ["--state", state]
    if freewheel:
        command.append("--freewheel")
    proc = subprocess.Popen([*command, URI], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stdin is not None
    proc.stdin.write(script(events))
    proc.stdin.close()
    proc.stdin = None  # written and closed: communicate() must not flush it again
    return proc


def parse(stdout: str, stderr: str = "") -> Run:
    run = Run(stderr=stderr)
    for line in stdout.splitlines():
        words = line.split()
        if words[:1] == ["out"]:
            run.out.append((int(words[1]), int(words[2]), bytes(int(w, 16) for w in words[3:])))
        elif words[:1] == ["ctl"]:
            run.controls.append((int(words[1]), int(words[2]), words[3], float(words[4])))
        elif words[:1] == ["stats"]:
            run.stats[int(words[1])] = {words[k]: float(words[k + 1]) for k in range(2, len(words), 2)}
    return run


def host(events: list[tuple[int, int, str]], *, seconds: float, timeout: float | None = None, **kwargs) -> Run:
    """Run the host to the end and parse what it printed."""
    proc = start_host(events, seconds=seconds, **kwargs)
    stdout, stderr = proc.communicate(timeout=timeout or seconds + 30)
    assert proc.returncode == 0, f"pg-lv2host failed ({proc.returncode}):\n{stderr}"
    return parse(stdout, stderr)
