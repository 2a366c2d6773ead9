"""web/src/constants.js is the browser's copy of engine/constants.py (the two share model files and this contract,
never code): every constant it exports must equal the Python one of the same name, read from the module itself by
node, so a change on one side fails until the other follows."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from pianogenie.engine import constants
from tests.conftest import REPO

SCRIPT = """
import * as c from './src/constants.js';
const out = {};
for (const [name, value] of Object.entries(c)) {
  if (typeof value !== 'function') out[name] = value;
}
out.buttonValues = [...Array(c.NUM_BUTTONS).keys()].map(c.buttonValue);
out.pitchOfKey0 = c.keyToPitch(0);
console.log(JSON.stringify(out));
"""
BROWSER_ONLY = {"REQUIRED_CONFIG"}  # the cfg.json keys the port checks: tested against the model files elsewhere


@pytest.fixture(scope="module")
def exported() -> dict:
    if shutil.which("node") is None:
        pytest.skip("needs node (make web-deps)")
    out = subprocess.run(["node", "--input-type=module", "-e", SCRIPT], cwd=REPO / "web", capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_every_browser_constant_equals_the_python_one(exported) -> None:
    for name, value in exported.items():
        if name in BROWSER_ONLY or not name.isupper():
            continue
        assert hasattr(constants, name), f"web/src/constants.js exports {name}, which engine/constants.py lacks"
        python = getattr(constants, name)
        if isinstance(python, dict):
            python = {key: list(shape) for key, shape in python.items()}
        assert value == python, f"{name}: {value!r} in the browser, {python!r} in Python"


def test_the_functions_agree_too(exported) -> None:
    assert exported["buttonValues"] == pytest.approx([constants.button_value(b) for b in range(constants.NUM_BUTTONS)])
    assert exported["pitchOfKey0"] == constants.key_to_pitch(0)


def test_the_contract_is_all_there(exported) -> None:
    for name in ("NUM_BUTTONS", "NUM_KEYS", "LOWEST_PITCH", "SOS", "DT_MAX", "RNN_DIM", "RNN_LAYERS",
                 "DECODER_INPUT_DIM", "DEFAULT_TEMPERATURE", "DECODER_TENSORS", "MANIFEST_NAME", "CONFIG_NAME"):
        assert name in exported, f"web/src/constants.js no longer exports {name}"
