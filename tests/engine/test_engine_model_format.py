"""The shared model format: byte-exact writing and a loader that refuses every kind of broken directory."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from pianogenie.engine import ModelError, PianoGenie
from pianogenie.engine.model_format import read_decoder, read_weights, write_model, write_weights
from tests.conftest import CONFIG, random_tensors


def test_writer_reproduces_upstream_shard_and_manifest(upstream_dir, tmp_path):
    tensors, cfg = read_decoder(upstream_dir)
    write_model(tmp_path, tensors, cfg)
    assert (tmp_path / "group1-shard1of1.bin").read_bytes() == (upstream_dir / "group1-shard1of1.bin").read_bytes()
    assert (tmp_path / "weights_manifest.json").read_bytes() == (upstream_dir / "weights_manifest.json").read_bytes()


def test_roundtrip_is_exact(tmp_path):
    tensors = random_tensors(3)
    write_model(tmp_path, tensors, CONFIG)
    loaded, cfg = read_decoder(tmp_path)
    assert list(loaded) == list(tensors)
    for name in tensors:
        np.testing.assert_array_equal(loaded[name], tensors[name])
    assert cfg["model_rnn_dim"] == 128


def test_large_groups_are_sharded_like_tfjs(tmp_path):
    manifest = write_weights(tmp_path, {"a": np.arange(3000, dtype=np.float32)}, shard_bytes=4096)
    assert manifest[0]["paths"] == ["group1-shard1of3.bin", "group1-shard2of3.bin", "group1-shard3of3.bin"]
    assert [(tmp_path / p).stat().st_size for p in manifest[0]["paths"]] == [4096, 4096, 12000 - 8192]
    np.testing.assert_array_equal(read_weights(tmp_path)["a"], np.arange(3000, dtype=np.float32))


@pytest.fixture()
def model_copy(random_model_dir, tmp_path) -> Path:
    out = tmp_path / "model"
    shutil.copytree(random_model_dir, out)
    return out


def _manifest(model: Path) -> list:
    return json.loads((model / "weights_manifest.json").read_text())


def _set_manifest(model: Path, manifest: list) -> None:
    (model / "weights_manifest.json").write_text(json.dumps(manifest))


def _weight(manifest: list, name: str) -> dict:
    return next(w for w in manifest[0]["weights"] if w["name"] == name)


def _break(model: Path, how: str) -> None:
    shard = model / "group1-shard1of1.bin"
    if how == "missing manifest":
        (model / "weights_manifest.json").unlink()
    elif how == "corrupt manifest":
        (model / "weights_manifest.json").write_text('[{"paths": ["group1-shard1of1.bin"], "weights": [')
    elif how == "manifest not a list":
        (model / "weights_manifest.json").write_text('{"paths": []}')
    elif how == "missing shard":
        shard.unlink()
    elif how == "truncated shard":
        shard.write_bytes(shard.read_bytes()[:-4])
    elif how == "oversized shard":
        shard.write_bytes(shard.read_bytes() + b"\0\0\0\0")
    elif how == "missing tensor":
        m = _manifest(model)
        m[0]["weights"] = [w for w in m[0]["weights"] if w["name"] != "dec.output.bias"]
        shard.write_bytes(shard.read_bytes()[:-88 * 4])
        _set_manifest(model, m)
    elif how == "wrong shape":
        m = _manifest(model)
        _weight(m, "dec.input.weight")["shape"] = [91, 128]
        _set_manifest(model, m)
    elif how == "wrong dtype":
        m = _manifest(model)
        _weight(m, "dec.lstm.weight_ih_l0")["dtype"] = "int32"
        _set_manifest(model, m)
    elif how == "quantized":
        m = _manifest(model)
        _weight(m, "dec.lstm.weight_ih_l0")["quantization"] = {"dtype": "uint8", "scale": 1, "min": 0}
        _set_manifest(model, m)
    elif how == "duplicate tensor":
        m = _manifest(model)
        m[0]["weights"].append(dict(_weight(m, "dec.output.bias")))
        shard.write_bytes(shard.read_bytes() + shard.read_bytes()[-88 * 4:])
        _set_manifest(model, m)
    elif how == "escaping shard path":
        m = _manifest(model)
        m[0]["paths"] = ["../group1-shard1of1.bin"]
        _set_manifest(model, m)
    elif how == "nan weights":
        data = bytearray(shard.read_bytes())
        data[0:4] = np.array([np.nan], dtype="<f4").tobytes()
        shard.write_bytes(bytes(data))
    elif how == "missing config":
        (model / "cfg.json").unlink()
    elif how == "corrupt config":
        (model / "cfg.json").write_text("{not json")
    elif how == "wrong rnn size":
        (model / "cfg.json").write_text(json.dumps(dict(CONFIG, model_rnn_dim=256)))
    elif how == "wrong button count":
        (model / "cfg.json").write_text(json.dumps(dict(CONFIG, num_buttons=4)))
    else:
        raise AssertionError(how)


CASES = {
    "missing manifest": ("weights_manifest.json", "missing"),
    "corrupt manifest": ("weights_manifest.json", "not valid JSON"),
    "manifest not a list": ("weights_manifest.json", "list"),
    "missing shard": ("group1-shard1of1.bin", "missing"),
    "truncated shard": ("group1-shard1of1.bin", "bytes"),
    "oversized shard": ("group1-shard1of1.bin", "bytes"),
    "missing tensor": ("dec.output.bias", "missing"),
    "wrong shape": ("dec.input.weight", "shape"),
    "wrong dtype": ("dec.lstm.weight_ih_l0", "dtype"),
    "quantized": ("dec.lstm.weight_ih_l0", "quantized"),
    "duplicate tensor": ("dec.output.bias", "twice"),
    "escaping shard path": ("weights_manifest.json", "inside the model directory"),
    "nan weights": ("dec.input.weight", "NaN"),
    "missing config": ("cfg.json", "missing"),
    "corrupt config": ("cfg.json", "not valid JSON"),
    "wrong rnn size": ("cfg.json", "model_rnn_dim"),
    "wrong button count": ("cfg.json", "num_buttons"),
}


@pytest.mark.parametrize("how", list(CASES))
def test_broken_model_directories_raise_one_clear_error(model_copy, how):
    _break(model_copy, how)
    names, words = CASES[how]
    with pytest.raises(ModelError) as info:
        PianoGenie.load(model_copy)
    message = str(info.value)
    assert names in message, message
    assert words in message, message
    assert isinstance(info.value, ValueError)


def test_not_a_directory(tmp_path):
    with pytest.raises(ModelError, match="not a model directory"):
        PianoGenie.load(tmp_path / "nowhere")
