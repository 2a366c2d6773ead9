"""The package as a user gets it. The sdist is built with setuptools' PEP 517 hook (what `python -m build` calls),
the wheel is built from that sdist alone (so the sdist must be complete), and the wheel is installed into a fresh
venv in a temporary directory. Everything then runs from that venv, outside the checkout: `serve` answers a press
from a real OSC client, `web` serves a page that plays in Chromium with the network off, `replay` and `render`
write WAV and MIDI.

Nothing is downloaded: the wheel goes in with --no-index --no-deps, and the venv sees the project's own
dependencies through a .pth line naming this environment's site-packages (a path added that way is not scanned
for .pth files, so the checkout's editable install stays invisible); `pip check` then verifies that the wheel's
declared requirements are met.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import tarfile
import time
import urllib.error
import urllib.request
import wave
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from tests.serve_helpers import interrupt, read_until, reader

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
NODE = shutil.which("node")
CHROMIUM = Path("/usr/bin/chromium")
PAGE = "pianogenie/bridge/web/page/"
PATCHES = "pianogenie/bridge/patches/"
PATCH_FILES = {line.strip() for line in (REPO / "maxpatch" / "shipped.txt").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
MODEL_FILES = {"weights_manifest.json", "cfg.json", "group1-shard1of1.bin"}
# Shipped but not requested by a browser with WebAssembly SIMD: the plain wasm fallback and the licences.
NOT_REQUESTED = {
    "node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm",
    "node_modules/tone/LICENSE.md",
    "node_modules/tone/build/Tone.js.LICENSE.txt",
    "node_modules/spessasynth_lib/LICENSE",
    "node_modules/spessasynth_core/LICENSE",
    "node_modules/stb-vorbis/LICENSE",
}


def _run(command: list, cwd: Path, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                            env=env)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}",
                    pytrace=False)
    return result


def vendor_files() -> set[str]:
    lines = (WEB / "vendor.txt").read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    if not (WEB / "node_modules" / "tone").is_dir():
        pytest.fail("web/node_modules is missing: run `make web-deps`")
    out = tmp_path_factory.mktemp("dist")
    code = "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"
    sdist = out / _run([sys.executable, "-c", code, out], cwd=REPO).stdout.strip().splitlines()[-1]
    # The wheel from the sdist, in a directory away from the checkout: the sdist alone must be enough.
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", out, sdist], cwd=out)
    (wheel,) = out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel}


def _fresh_venv(wheel: Path, root: Path) -> tuple[Path, Path]:
    """A venv without pip under root, with only the wheel installed; -> (venv, its site-packages)."""
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=root)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-index", "--no-deps", wheel], cwd=root)
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root).stdout.strip()
    return venv, Path(site)


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; returns its bin/ directory."""
    venv, site = _fresh_venv(dist["wheel"], tmp_path_factory.mktemp("fresh"))
    (site / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


@pytest.fixture(scope="module")
def base_venv(dist, tmp_path_factory) -> Path:
    """`pip install pianogenie-bridge` with no extras: the wheel and numpy, nothing else."""
    venv, site = _fresh_venv(dist["wheel"], tmp_path_factory.mktemp("base"))
    ours = Path(sysconfig.get_paths()["purelib"])
    for entry in ours.iterdir():
        if entry.name.startswith("numpy"):  # the package, its .libs and its .dist-info
            (site / entry.name).symlink_to(entry)
    _run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "check"], cwd=venv.parent)
    return venv / "bin"


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "PYTHONUNBUFFERED": "1"}


def pianogenie(bin_dir: Path, *args, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return _run([bin_dir / "pianogenie", *args], cwd=cwd, timeout=timeout, env=_env())


@contextmanager
def running(bin_dir: Path, *args, cwd: Path, ready: str, timeout: float = 60) -> Iterator[tuple[str, subprocess.Popen]]:
    """Starts the installed `pianogenie ARGS`; yields (its output up to the first line matching `ready`, process)."""
    proc = subprocess.Popen([str(bin_dir / "pianogenie"), *args], cwd=cwd, env=_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        seen = read_until(reader(proc), proc, lambda line: re.search(ready, line) is not None, timeout,
                          f"pianogenie {args[0]}")
        yield "".join(seen), proc
    finally:
        interrupt(proc)


# ------------------------------------------------------------------------------------------- the README's set-up


def test_make_serve_also_sets_up_the_web_page() -> None:
    """After the README's first command, `pianogenie web` works in the checkout: its npm files are installed."""
    out = _run(["make", "-n", "serve"], cwd=REPO).stdout
    assert "npm ci" in out, out
    assert out.index("npm ci") < out.index("pianogenie serve")


# What README's Play section names -> the extra that makes it work.
PLAY_FEATURES = {"OSC": "osc", "MIDI": "midi", "FM synth": "audio", "--synth piano": "piano", "Zeroconf": "discovery",
                 "--https": "web", "live view": "tui"}


def test_make_serve_installs_what_the_play_section_uses() -> None:
    """Issue 22.6: the README sends OSCQuery users to the Zeroconf list, but `make serve` left zeroconf out."""
    readme = (REPO / "README.md").read_text()
    play = readme[readme.index("## Play"):readme.index("## Train")]
    out = _run(["make", "-n", "-B", ".venv/.serve-installed"], cwd=REPO).stdout
    installed = set(re.search(r"pip install -q -e '\.\[([\w,]+)\]'", out).group(1).split(","))
    used = {extra for feature, extra in PLAY_FEATURES.items() if feature in play}
    assert used == set(PLAY_FEATURES.values()), used  # the table still names what the README says
    assert used <= installed, f"make serve installs {sorted(installed)}; the Play section also needs {sorted(used - installed)}"


def test_readme_says_how_to_reach_the_tools_in_the_venv() -> None:
    readme = (REPO / "README.md").read_text()
    setup = readme[readme.index("## Set up"):readme.index("## Play")]
    assert setup.index("make serve") < setup.index("make test") < setup.index(".venv/bin/pianogenie")
    assert ". .venv/bin/activate" in setup
    # What it says works: activated, `pianogenie` is the venv's.
    result = subprocess.run(["bash", "-c", ". .venv/bin/activate && command -v pianogenie && pianogenie --help"],
                            cwd=REPO, capture_output=True, text=True, timeout=60, env=_env())
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.splitlines()[0]) == REPO / ".venv" / "bin" / "pianogenie"


def test_readme_extras_table_matches_setup_cfg() -> None:
    import configparser

    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    extras = {name: {re.split(r"[<>=\[ ]", line.strip())[0] for line in value.splitlines() if line.strip()}
              for name, value in config["options.extras_require"].items()}
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", (REPO / "README.md").read_text(), flags=re.M)
    assert {name for name, _ in rows} >= {"osc", "midi", "audio", "fast", "train", "all"}
    for name, installs in rows:
        if name == "all":
            assert extras["all"] == set().union(*(extras[n] for n, _ in rows if n != "all"))
            continue
        listed = {re.split(r"[ ]", item.strip())[0] for item in installs.split(",")}
        assert listed == extras[name], f"README's {name} row lists {listed}, setup.cfg {extras[name]}"


# ------------------------------------------------------------------------------------------------ the files


def test_wheel_holds_the_model_the_page_and_the_patches(dist) -> None:
    names = set(zipfile.ZipFile(dist["wheel"]).namelist())
    assert {f"pianogenie/engine/models/default/{name}" for name in MODEL_FILES} <= names
    assert {name[len(PATCHES):] for name in names if name.startswith(PATCHES)} == PATCH_FILES | {"shipped.txt"}
    page = {name[len(PAGE):] for name in names if name.startswith(PAGE)}
    assert {"index.html", "style.css", "src/app.js", "src/genie.js", "src/ui/piano.js"} <= page
    # Exactly the npm files of web/vendor.txt; no benchmark, test or tool code.
    assert {name for name in page if name.startswith("node_modules/")} == vendor_files()
    assert not [name for name in page if re.search(r"bench|naive|test|tools/", name)]
    assert not [name for name in names if name.startswith(("tests/", "web/", "maxpatch/", "runs/"))]
    # Only pianogenie at the top: no `engine`, `bridge` or `training` of ours to clash with another distribution's.
    assert {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")} == {"pianogenie"}


def test_sdist_builds_a_complete_wheel_on_its_own(dist) -> None:
    with tarfile.open(dist["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {f"web/{name}" for name in vendor_files()} <= names
    assert {"setup.py", "web/index.html", "web/vendor.txt", "maxpatch/pianogenie.pd"} <= names
    assert not [name for name in names if name.startswith("web/node_modules/") and name[4:] not in vendor_files()
                and not name.endswith("/") and name.count("/") > 2 and "." in name.rsplit("/", 1)[-1]]


def test_the_build_prints_no_setuptools_warnings(dist, tmp_path) -> None:
    """A warning at every build is soon read past, and then a real one is missed: the model folder (data without
    an __init__) is declared, so setuptools has nothing to say about it. The backend is called directly, with
    Python's warnings shown (pip hides them)."""
    with tarfile.open(dist["sdist"]) as sdist:
        sdist.extractall(tmp_path, filter="data")
    (source,) = [path for path in tmp_path.iterdir() if path.is_dir()]
    code = "import sys; from setuptools import build_meta; print(build_meta.build_wheel(sys.argv[1]))"
    built = _run([sys.executable, "-W", "default", "-c", code, tmp_path / "out"], cwd=source)
    log = built.stdout + built.stderr
    assert list((tmp_path / "out").glob("*.whl")), log[-2000:]
    for warning in ("Package would be ignored", "SetuptoolsDeprecationWarning", "is absent from setuptools"):
        assert warning not in log, f"the build warns: {warning}"


def test_wheel_from_the_checkout_matches_the_one_from_the_sdist(dist, tmp_path) -> None:
    """`pip wheel .` in the checkout gives the same files as the sdist route."""
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", tmp_path, REPO],
         cwd=tmp_path)
    (wheel,) = tmp_path.glob("*.whl")
    assert set(zipfile.ZipFile(wheel).namelist()) == set(zipfile.ZipFile(dist["wheel"]).namelist())


# ------------------------------------------------------------------------------------ running the installed package


def test_the_installed_package_runs_from_its_venv(venv, tmp_path) -> None:
    code = "import pianogenie.engine as e, pianogenie.bridge as b; print(e.__file__); print(b.__file__)"
    for path in _run([venv / "python", "-c", code], cwd=tmp_path, env=_env()).stdout.split():
        assert Path(path).is_relative_to(venv.parent), f"imported from {path}, not from the fresh venv"
    _run([sys.executable, "-m", "pip", "--python", venv / "python", "check"], cwd=tmp_path)
    assert "serve" in pianogenie(venv, "--help", cwd=tmp_path).stdout
    version = re.search(r"^version = (\S+)$", (REPO / "setup.cfg").read_text(), flags=re.M).group(1)
    assert pianogenie(venv, "--version", cwd=tmp_path).stdout.strip() == f"pianogenie {version}"
    # The browser benchmark needs web/'s npm dev tools: an install says so in one line instead of a node traceback.
    bench = subprocess.run([str(venv / "pianogenie"), "bench", "web", "--presses", "1"], cwd=tmp_path,
                           capture_output=True, text=True, env=_env(), timeout=60)
    assert bench.returncode == 2 and bench.stderr.strip().count("\n") == 0 and "source checkout" in bench.stderr


SHADOWS = ("engine.py", "bridge.py", "training.py")


def _shadowing_folder(tmp_path: Path) -> Path:
    """A folder holding a user's own engine.py, bridge.py and training.py, each of which fails loudly if imported."""
    folder = tmp_path / "my-project"
    folder.mkdir()
    for name in SHADOWS:
        (folder / name).write_text(f"raise SystemExit('the user\\'s {name} was imported')\n")
    return folder


@pytest.mark.parametrize("how", ["installed", "python -m"])
def test_a_users_engine_bridge_and_training_modules_shadow_nothing(venv, tmp_path, how) -> None:
    folder = _shadowing_folder(tmp_path)
    command = [venv / "pianogenie"] if how == "installed" else [venv / "python", "-m", "pianogenie"]
    for args in (["train", "--help"], ["serve", "--help"], ["evaluate", "--help"]):
        assert "usage:" in _run(command + args, cwd=folder, env=_env()).stdout


def test_the_editable_checkout_shadows_nothing_either(tmp_path) -> None:
    """The checkout's own install (make test's): `python -m pianogenie` from a folder with those three files."""
    folder = _shadowing_folder(tmp_path)
    for args in (["train", "--help"], ["serve", "--help"]):
        assert "usage:" in _run([sys.executable, "-m", "pianogenie", *args], cwd=folder, env=_env()).stdout


def test_installed_patches_command_copies_the_patches(venv, dist, tmp_path) -> None:
    out = pianogenie(venv, "patches", tmp_path / "mine", cwd=tmp_path).stdout.split()
    assert {Path(line).name for line in out} == PATCH_FILES
    wheel = zipfile.ZipFile(dist["wheel"])
    for name in PATCH_FILES:
        assert (tmp_path / "mine" / name).read_bytes() == wheel.read(PATCHES + name)
        assert (tmp_path / "mine" / name).read_bytes() == (REPO / "maxpatch" / name).read_bytes()
    # A second copy would overwrite the user's edits: it refuses unless told.
    again = subprocess.run([str(venv / "pianogenie"), "patches", str(tmp_path / "mine")], cwd=tmp_path,
                           capture_output=True, text=True, env=_env())
    assert again.returncode == 2 and "--force" in again.stderr and "Traceback" not in again.stderr
    pianogenie(venv, "patches", tmp_path / "mine", "--force", cwd=tmp_path)
    # A file where the folder should be, or a typo in its parent: one line, exit 2, nothing made.
    (tmp_path / "some-file.json").write_text("{}")
    for target in (tmp_path / "some-file.json", tmp_path / "typo" / "mine"):
        bad = subprocess.run([str(venv / "pianogenie"), "patches", str(target)], cwd=tmp_path,
                             capture_output=True, text=True, env=_env())
        assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
        assert str(target.parent if "typo" in str(target) else target) in bad.stderr
    assert not (tmp_path / "typo").exists()
    # bench web needs a checkout's web/tools: from the wheel, one line and exit 2.
    bench = subprocess.run([str(venv / "pianogenie"), "bench", "web"], cwd=tmp_path, capture_output=True, text=True,
                           env=_env())
    assert bench.returncode == 2 and len(bench.stderr.strip().splitlines()) == 1, bench.stderr


def test_installed_serve_answers_a_press_from_an_osc_client(venv, tmp_path) -> None:
    from pythonosc.osc_message import OscMessage
    from pythonosc.udp_client import SimpleUDPClient

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.settimeout(10)
        reply_port = listener.getsockname()[1]
        args = ["serve", "--port", "0", "--reply-to", f"127.0.0.1:{reply_port}", "--audio", "none", "--midi-out", "none"]
        with running(venv, *args, cwd=tmp_path, ready=r"pianogenie serve: ready") as (banner, _):
            port = int(re.findall(r"udp [\w.:-]+:(\d+)", banner)[0])
            SimpleUDPClient("127.0.0.1", port).send_message("/genie/press", 3)
            message = OscMessage(listener.recvfrom(65536)[0])
    assert message.address == "/genie/noteon"
    pitch, velocity, button = message.params
    assert 21 <= pitch <= 108 and 1 <= velocity <= 127 and button == 3


def test_a_recorded_take_replays_and_renders_as_it_was_played(venv, tmp_path) -> None:
    """serve --record keeps the notes as played with the seed; replay gives the same notes; render .mid writes them."""
    from pythonosc.udp_client import SimpleUDPClient

    take = tmp_path / "take.json"
    args = ["serve", "--port", "0", "--reply-to", "127.0.0.1:9", "--audio", "none", "--midi-out", "none",
            "--record", str(take)]
    with running(venv, *args, cwd=tmp_path, ready=r"pianogenie serve: ready") as (banner, proc):
        client = SimpleUDPClient("127.0.0.1", int(re.findall(r"udp [\w.:-]+:(\d+)", banner)[0]))
        time.sleep(1.0)  # the recording's clock runs from the start: the render must not keep this gap
        for button in [3, 4, 5, 5, 4, 3, 2, 7, 0, 6, 1, 3]:
            client.send_message("/genie/press", button)
            time.sleep(0.06)
            client.send_message("/genie/release", button)
            time.sleep(0.04)
        time.sleep(0.3)
    recorded = json.loads(take.read_text())
    played = [note["pitch"] for note in recorded["notes"]]
    assert len(played) == 12 and isinstance(recorded["seed"], int), recorded
    assert recorded["events"][0]["time"] >= 1.0
    replayed = json.loads(pianogenie(venv, "replay", "--events", take, cwd=tmp_path).stdout)
    assert [note["pitch"] for note in replayed["notes"]] == played

    import mido

    pianogenie(venv, "render", take, tmp_path / "take.mid", cwd=tmp_path)
    midi = mido.MidiFile(tmp_path / "take.mid")
    ons = [(message.note, message.time) for message in midi.tracks[1] if message.type == "note_on"]  # 0: tempo
    assert [pitch for pitch, _ in ons] == played
    assert ons[0][1] == 0, "the MIDI file starts with a gap before the first note"


def test_a_base_install_says_which_extra_a_command_needs(base_venv, tmp_path) -> None:
    """No tracebacks: one line naming what to install, and exit status 2."""
    take = _take(tmp_path / "take.json")
    for args, extra in [(["train", "--data", str(tmp_path), "--out", str(tmp_path / "run")], "train"),
                        (["render", str(take), str(tmp_path / "take.mid")], "midi"),
                        (["replay", "--events", str(take), "--midi", str(tmp_path / "replay.mid")], "midi")]:
        result = subprocess.run([str(base_venv / "pianogenie"), *args], cwd=tmp_path, capture_output=True, text=True,
                                env=_env(), timeout=120)
        complaint = [line for line in result.stderr.splitlines() if line.strip()]
        assert result.returncode == 2, (args, result.stderr)
        assert len(complaint) == 1 and f"pip install 'pianogenie-bridge[{extra}]'" in complaint[0], (args, result.stderr)
    # What needs no extra works: the bridge itself, and a render to WAV.
    pianogenie(base_venv, "render", take, tmp_path / "take.wav", cwd=tmp_path)
    args = ["serve", "--port", "0", "--reply-to", "127.0.0.1:9", "--audio", "none", "--midi-out", "none"]
    with running(base_venv, *args, cwd=tmp_path, ready=r"pianogenie serve: ready"):
        pass


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_installed_web_serves_a_page_that_plays_offline(venv, dist, tmp_path) -> None:
    if NODE is None:
        pytest.fail("node is not installed (make test installs nodejs)")
    with running(venv, "web", "--port", "0", cwd=tmp_path, ready=r"http://127\.0\.0\.1:\d+/") as (banner, _):
        url = re.search(r"(http://127\.0\.0\.1:\d+/)", banner).group(1)
        # Served from the installed package, not the checkout: npm files outside vendor.txt are not there.
        assert _get(url + "node_modules/@tensorflow/tfjs/dist/tf.min.js")[0] == 404
        assert _get(url + "index.html") == (200, zipfile.ZipFile(dist["wheel"]).read(PAGE + "index.html"))
        result = _run([NODE, "tools/page-requests.mjs", url], cwd=WEB, timeout=180)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ready"] and report["backend"] == "wasm", report
    assert len(report["played"]) == 1 and 21 <= report["played"][0] <= 108
    # With a SoundFont installed, the page's piano loads from the installed server and plays a note.
    from pianogenie.bridge.sound.soundfont import DEFAULT_SOUNDFONTS

    assert report["piano"] or not any(Path(path).is_file() for path, _ in DEFAULT_SOUNDFONTS), report
    assert report["external"] == [] and report["errors"] == [], report
    bad = [r for r in report["requests"] if r["status"] != 200]
    assert bad == [], bad
    requested = {r["path"].lstrip("/") for r in report["requests"]}
    shipped = {name[len(PAGE):] for name in zipfile.ZipFile(dist["wheel"]).namelist() if name.startswith(PAGE)}
    # The model and the SoundFont are the server's routes, not page files.
    page_requests = {path or "index.html" for path in requested
                     if not path.startswith("model/") and path not in {"soundfont.json", "soundfont.sf2", "bridge.json"}}
    # The page needs everything shipped (but the fallback and licences), and nothing else.
    assert page_requests <= shipped, page_requests - shipped
    assert shipped - page_requests == NOT_REQUESTED - page_requests


def _take(path: Path, start: float = 0.5) -> Path:
    events = [{"time": start + 0.25 * i, "button": b, "release": start + 0.25 * i + 0.2}
              for i, b in enumerate([0, 2, 4, 7, 5, 3, 1, 0])]
    path.write_text(json.dumps({"events": events}))
    return path


def test_installed_replay_and_render_write_wav_and_midi(venv, tmp_path) -> None:
    take = _take(tmp_path / "take.json", start=11.6)
    pianogenie(venv, "render", take, tmp_path / "take.wav", cwd=tmp_path)
    with wave.open(str(tmp_path / "take.wav")) as wav:
        rate = wav.getframerate()
        samples = wav.readframes(wav.getnframes())
        seconds = wav.getnframes() / rate
    # 8 notes over 1.95 s and the release tail: the 11.6 s before the first press are not rendered.
    assert 1.9 < seconds < 6, f"{seconds:.2f} s of audio"
    first_sound = next(i for i in range(0, len(samples), 2) if samples[i:i + 2] != b"\0\0") / 2 / rate
    assert first_sound < 0.01, f"the render starts with {first_sound:.3f} s of silence"
    pianogenie(venv, "render", take, tmp_path / "take.mid", cwd=tmp_path)
    assert (tmp_path / "take.mid").read_bytes()[:4] == b"MThd", "render to .mid did not write a MIDI file"
    unknown = subprocess.run([str(venv / "pianogenie"), "render", str(take), str(tmp_path / "take.mp3")],
                             cwd=tmp_path, capture_output=True, text=True, env=_env())
    assert unknown.returncode == 2 and "unknown output format .mp3" in unknown.stderr, unknown.stderr
    assert not (tmp_path / "take.mp3").exists()
    out = pianogenie(venv, "replay", "--events", take, "--seed", "0", "--midi", tmp_path / "replay.mid", cwd=tmp_path)
    assert (tmp_path / "replay.mid").read_bytes()[:4] == b"MThd"
    assert out.stdout.strip()
