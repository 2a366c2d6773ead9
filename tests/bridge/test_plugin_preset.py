"""`--plugin-preset FILE` (issue 19): a preset's bad inputs are one line naming the file and the problem, and exit
2 from the real command line; `pianogenie plugins --params NAME --json` prints a preset that loads back; a
bridge with no plugin refuses /genie/plugin/param with /genie/error."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from pianogenie.bridge.core import Bridge
from pianogenie.bridge import protocol as p
from pianogenie.bridge.protocol import ProtocolError
from pianogenie.bridge.sound.preset import PresetError, load_preset
from pianogenie.engine import PianoGenie
from tests.conftest import REPO

PIANO = "http://drobilla.net/plugins/mda/Piano"
SYNTH = f"lv2:{PIANO}"


@pytest.mark.parametrize("text, problem", [
    ("{", "not JSON (Expecting property name enclosed in double quotes at line 1, column 2)"),
    ("[1, 2]", 'expected a JSON object {"uri": ..., "params": {...}}, got list'),
    (json.dumps({"uri": PIANO, "params": {}, "volume": 1}), "unknown key 'volume' (a preset has uri, params)"),
    (json.dumps({"params": {"env_decay": 0.5}}), f"\"uri\" must name the plugin it is for, e.g. {PIANO!r}"),
    (json.dumps({"uri": "http://drobilla.net/plugins/mda/EPiano", "params": {}}),
     f"it is for http://drobilla.net/plugins/mda/EPiano, and --synth plays {SYNTH}"),
    (json.dumps({"uri": PIANO, "params": [0.5]}), '"params" must be an object of name: number'),
    (json.dumps({"uri": PIANO, "params": {"env_decay": "long"}}), "parameter 'env_decay' must be a finite number, got 'long'"),
    (json.dumps({"uri": PIANO, "params": {"env_decay": True}}), "parameter 'env_decay' must be a finite number, got True"),
    ('{"uri": "%s", "params": {"env_decay": NaN}}' % PIANO, "parameter 'env_decay' must be a finite number, got nan"),
    ('{"uri": "%s", "params": {"env_decay": Infinity}}' % PIANO, "parameter 'env_decay' must be a finite number, got inf"),
])
def test_a_bad_preset_says_the_file_and_the_problem(tmp_path, text, problem) -> None:
    path = tmp_path / "preset.json"
    path.write_text(text)
    with pytest.raises(PresetError) as raised:
        load_preset(path, SYNTH)
    assert str(raised.value) == f"--plugin-preset {path}: {problem}"


def test_a_preset_that_cannot_be_read_or_is_not_for_a_plugin(tmp_path) -> None:
    missing = tmp_path / "none.json"
    with pytest.raises(PresetError, match=rf"^--plugin-preset {missing}: cannot read it \(No such file or directory\)$"):
        load_preset(missing, SYNTH)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe{}")
    with pytest.raises(PresetError, match="not UTF-8 text$"):
        load_preset(binary, SYNTH)
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"uri": PIANO, "params": {"env_decay": 1}}))
    with pytest.raises(PresetError, match=r"a preset is for an instrument plugin, and --synth is fm"):
        load_preset(good, "fm")
    assert load_preset(good, SYNTH) == {"env_decay": 1.0}
    good.write_text(json.dumps({"uri": SYNTH, "params": {"env_decay": 0.25}}))  # as --synth names it
    assert load_preset(good, SYNTH) == {"env_decay": 0.25}


def _pianogenie(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pianogenie", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


def test_serve_with_a_bad_preset_is_one_line_and_exit_2(tmp_path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"uri": PIANO, "params": {"env_decay": "x"}}))
    proc = _pianogenie("serve", "--port", "0", "--audio", "none", "--oscquery-port", "none", "--no-zeroconf",
                       "--synth", SYNTH, "--plugin-preset", str(path))
    assert proc.returncode == 2, proc
    assert proc.stderr.strip() == (f"pianogenie serve: --plugin-preset {path}: parameter 'env_decay' must be a "
                                   "finite number, got 'x'"), proc.stderr


def test_plugins_params_prints_a_preset_that_loads_back(tmp_path) -> None:
    lv2 = pytest.importorskip("pianogenie.bridge.sound.lv2")
    if PIANO not in {info.uri for info in lv2.list_plugins()}:
        pytest.skip("mda-lv2 is not installed")
    listing = _pianogenie("plugins", "--params", SYNTH)
    assert listing.returncode == 0, listing.stderr
    assert "env_decay" in listing.stdout and "0..1, default 0.5  (Envelope Decay)" in listing.stdout
    printed = _pianogenie("plugins", "--params", SYNTH, "--json")
    path = tmp_path / "defaults.json"
    path.write_text(printed.stdout)
    values = load_preset(path, SYNTH)
    assert len(values) == 12 and values["env_decay"] == 0.5 and values["muffling_filter"] == pytest.approx(0.803)
    refused = _pianogenie("plugins", "--json")
    assert refused.returncode == 2 and refused.stderr.strip().endswith("give --params NAME too"), refused


def test_without_a_plugin_the_parameter_route_is_refused(random_model_dir) -> None:
    bridge = Bridge(PianoGenie.load(random_model_dir), seed=0)
    with pytest.raises(ProtocolError) as raised:
        bridge.dispatch(p.IN_PLUGIN_PARAM, ["env_decay", 0.5], time=0.0)
    assert str(raised.value) == ("/genie/plugin/param: no instrument plugin is loaded (serve --synth lv2:URI or "
                                 "vst3:PATH)")
    assert bridge.handle(p.IN_PLUGIN_PARAM, ["env_decay", 0.5]) is False and bridge.counters.errors == 1
    assert not bridge.handle(f"{p.PLUGIN_PARAMS}/env_decay", [0.5]), "no plugin: no parameter addresses"


def test_plugins_params_reads_a_vst3_too() -> None:
    from tests.plugin_helpers import build_problem, build_test_instrument

    if build_problem() is not None or importlib.util.find_spec("pedalboard") is None:
        pytest.skip(str(build_problem() or "VST3 needs pedalboard"))
    listing = _pianogenie("plugins", "--params", f"vst3:{build_test_instrument().vst3}")
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.splitlines()[1:] == ["  gain  0..1, default 0.5  (Gain)"], listing.stdout


def test_a_listing_read_only_in_part_ends_quietly() -> None:
    """`pianogenie plugins --params NAME | head -0`: a reader that closes the pipe before the listing is written
    (here at once, while the interpreter still starts); the listing stops with no traceback (exit 141, a shell's
    code for SIGPIPE)."""
    lv2 = pytest.importorskip("pianogenie.bridge.sound.lv2")
    if PIANO not in {info.uri for info in lv2.list_plugins()}:
        pytest.skip("mda-lv2 is not installed")
    proc = subprocess.Popen([sys.executable, "-m", "pianogenie.cli", "plugins", "--params", SYNTH], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 141 and b"Traceback" not in err and b"BrokenPipe" not in err, err.decode()
