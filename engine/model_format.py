"""The shared model format: a directory with a TensorFlow.js weights manifest, its shards, and cfg.json.

The same directory is loaded by the numpy engine and by @tensorflow/tfjs in the browser, so the reader
here checks everything the decoder relies on and the writer produces exactly what tfjs's converter
(`write_weights`) would for float32 arrays.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from .constants import (
    CONFIG_NAME,
    DECODER_TENSORS,
    DT_MAX,
    MANIFEST_NAME,
    NUM_BUTTONS,
    RNN_DIM,
    RNN_LAYERS,
)

# tfjs's converter splits a group into shards of at most this many bytes.
DEFAULT_SHARD_BYTES = 4 * 1024 * 1024
# Only little-endian float32 is read: that is what the decoder computes with and what the export writes.
_DTYPES = {"float32": np.dtype("<f4")}
# cfg.json keys the engine relies on, with the values this runtime implements.
_REQUIRED_CONFIG = {
    "num_buttons": NUM_BUTTONS,
    "model_rnn_dim": RNN_DIM,
    "model_rnn_num_layers": RNN_LAYERS,
}


# Bounds on what a model directory may make the loader do: the decoder's own files are a few KB of JSON and
# about 1 MB of weights.
MAX_JSON_BYTES = 1 << 20
MAX_JSON_DEPTH = 16
MAX_SHARD_BYTES = 256 << 20
# All the tensor bytes one model directory may make the loader read, whatever its manifest declares: a swap must
# not be able to take more memory than this (the decoder's own weights are 1.1 MB).
MAX_MODEL_BYTES = 64 << 20
# Trained decoder weights are of order 1; with every weight within this bound no logit can overflow float32
# (|logit| <= 128 * bound + bound), so a key mask of -inf always wins over a disallowed key.
MAX_ABS_WEIGHT = 1e4


class ModelError(ValueError):
    """A model directory that cannot be used. The message names the file and, where relevant, the tensor."""


def _fail(path: Path, what: str, tensor: str | None = None) -> ModelError:
    where = f"{path}" + (f" [tensor {tensor!r}]" if tensor else "")
    return ModelError(f"{where}: {what}")


def _open_checked(path: Path, model_dir: Path, limit: int, size: int | None = None) -> tuple[int, int]:
    """(descriptor, size) of a regular file that resolves inside the model directory, its size checked by fstat
    before a byte is read: no symlink out of the directory, no device (/dev/zero reads forever), no FIFO
    (opening one blocks)."""
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        raise _fail(path, "file is missing") from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        raise _fail(path, f"cannot be resolved ({exc})") from None
    if not resolved.is_relative_to(model_dir.resolve()):
        raise _fail(path, "resolves outside the model directory")
    try:
        fd = os.open(resolved, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _fail(path, "is not a regular file")
        if size is not None and info.st_size != size:
            raise _fail(path, f"holds {info.st_size} bytes but {MANIFEST_NAME} describes {size}")
        if info.st_size > limit:
            raise _fail(path, f"is {info.st_size} bytes, more than the {limit} a model file may have")
    except BaseException:
        os.close(fd)
        raise
    return fd, info.st_size


def _read_file(path: Path, model_dir: Path, limit: int, size: int | None = None) -> bytes:
    fd, size = _open_checked(path, model_dir, limit, size)
    with os.fdopen(fd, "rb") as file:
        data = file.read(size + 1)
    if len(data) != size:
        raise _fail(path, "changed size while it was read")
    return data


def _read_span(shards: list[tuple[Path, int, int]], start: int, length: int) -> bytes:
    """`length` bytes from `start` of the shards (path, descriptor, size) taken end to end, reading nothing else."""
    parts, base = [], 0
    for path, fd, size in shards:
        lo, hi = max(start, base), min(start + length, base + size)
        if lo < hi:
            chunk = os.pread(fd, hi - lo, lo - base)
            if len(chunk) != hi - lo:
                raise _fail(path, "changed size while it was read")
            parts.append(chunk)
        base += size
    return b"".join(parts)


def _depth(value: Any) -> int:
    """Nesting depth of decoded JSON, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _read_json(path: Path, model_dir: Path | None = None) -> Any:
    data = _read_file(path, path.parent if model_dir is None else model_dir, MAX_JSON_BYTES)
    try:
        value = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _fail(path, f"cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise _fail(path, f"is not valid JSON ({exc})") from None
    except RecursionError:
        raise _fail(path, f"nests deeper than {MAX_JSON_DEPTH} levels") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise _fail(path, f"nests deeper than {MAX_JSON_DEPTH} levels")
    return value


def read_config(model_dir: str | os.PathLike) -> dict:
    """Read and check cfg.json."""
    path = Path(model_dir) / CONFIG_NAME
    cfg = _read_json(path, Path(model_dir))
    if not isinstance(cfg, dict):
        raise _fail(path, "must hold a JSON object")
    for key, expected in _REQUIRED_CONFIG.items():
        if key not in cfg:
            raise _fail(path, f"missing key {key!r}")
        value = cfg[key]
        if isinstance(value, bool) or value != expected:
            raise _fail(path, f"{key} is {value!r}, but this runtime implements {expected}")
    dt_max = cfg.get("data_delta_time_max", DT_MAX)
    if isinstance(dt_max, bool) or not isinstance(dt_max, (int, float)) or not math.isfinite(dt_max) or dt_max != DT_MAX:
        raise _fail(path, f"data_delta_time_max is {dt_max!r}, but the decoder contract fixes it at {DT_MAX}")
    return cfg


def _shard_path(model_dir: Path, manifest_path: Path, name: Any) -> Path:
    if not isinstance(name, str) or not name or os.path.isabs(name) or ".." in Path(name).parts:
        raise _fail(manifest_path, f"shard path {name!r} must be a relative file name inside the model directory")
    return model_dir / name


def _group_specs(group: Any, g: int, manifest_path: Path, tensors: Mapping[str, Any]) -> list[tuple[str, tuple[int, ...], Any]]:
    """A manifest group's (name, shape, dtype) list, each entry checked."""
    if not isinstance(group, dict) or not isinstance(group.get("paths"), list) or not isinstance(group.get("weights"), list):
        raise _fail(manifest_path, f"group {g} must be an object with 'paths' and 'weights' lists")
    specs: list[tuple[str, tuple[int, ...], Any]] = []
    for entry in group["weights"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise _fail(manifest_path, f"group {g} has a weight entry without a name: {entry!r}")
        name = entry["name"]
        if "quantization" in entry:
            raise _fail(manifest_path, "quantized weights are not supported; export float32", name)
        dtype = _DTYPES.get(entry.get("dtype"))
        if dtype is None:
            raise _fail(manifest_path, f"dtype {entry.get('dtype')!r} is not supported (float32 only)", name)
        shape = entry.get("shape")
        if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            raise _fail(manifest_path, f"shape {shape!r} is not a list of non-negative integers", name)
        if name in tensors or any(name == s[0] for s in specs):
            raise _fail(manifest_path, "appears twice", name)
        specs.append((name, tuple(shape), dtype))
    return specs


def _group_shards(group: dict, g: int, model_dir: Path, manifest_path: Path, seen_shards: set[Path],
                  expected: int) -> tuple[list[Path], list[int]]:
    """The group's shard paths and sizes, by stat (a manifest may not make the loader read more than its tensors
    need): each listed once, a regular file, together exactly the group's bytes."""
    paths, sizes = [], []
    for shard in group["paths"]:
        path = _shard_path(model_dir, manifest_path, shard)
        key = path.resolve() if path.exists() else path
        if key in seen_shards:
            raise _fail(manifest_path, f"shard {shard!r} is listed twice")
        seen_shards.add(key)
        try:
            info = path.stat()
        except FileNotFoundError:
            raise _fail(path, f"shard listed in {MANIFEST_NAME} is missing") from None
        except OSError as exc:
            raise _fail(path, f"cannot be read ({exc.strerror or exc})") from None
        paths.append(path)
        sizes.append(info.st_size if stat.S_ISREG(info.st_mode) else -1)
    if sum(sizes) != expected or min(sizes, default=0) < 0:
        if min(sizes, default=0) < 0:
            raise _fail(paths[sizes.index(-1)], "is not a regular file")
        shards = ", ".join(group["paths"]) or "(no shards)"
        raise _fail(model_dir / shards, f"shards hold {sum(sizes)} bytes but {MANIFEST_NAME} group {g} describes {expected}")
    return paths, sizes


def _read_group(specs: list, paths: list[Path], sizes: list[int], model_dir: Path,
                wanted: Mapping[str, tuple[int, ...]] | None, tensors: dict[str, np.ndarray]) -> None:
    """The wanted tensors of one group (all, without `wanted`) into `tensors`, read span by span."""
    shards: list[tuple[Path, int, int]] = []
    try:
        for path, size in zip(paths, sizes):
            fd, _ = _open_checked(path, model_dir, MAX_SHARD_BYTES, size)
            shards.append((path, fd, size))
        offset = 0
        for name, shape, dtype in specs:
            size = math.prod(shape) * dtype.itemsize
            if wanted is None or name in wanted:
                data = _read_span(shards, offset, size)
                tensors[name] = np.frombuffer(data, dtype=dtype, count=math.prod(shape)).reshape(shape).astype(np.float32)
            offset += size
    finally:
        for _, fd, _ in shards:
            os.close(fd)


def read_weights(model_dir: str | os.PathLike, wanted: Mapping[str, tuple[int, ...]] | None = None) -> dict[str, np.ndarray]:
    """Read the tensors of a tfjs weights manifest, checking the manifest against its shards, at most
    MAX_MODEL_BYTES of them in all. With `wanted` (name -> shape) only those tensors are read, each shape checked
    before a byte of it is, and a group that names none of them is refused."""
    model_dir = Path(model_dir)
    manifest_path = model_dir / MANIFEST_NAME
    if not model_dir.is_dir():
        raise _fail(model_dir, "is not a model directory")
    manifest = _read_json(manifest_path, model_dir)
    if not isinstance(manifest, list) or not manifest:
        raise _fail(manifest_path, "must be a non-empty JSON list of weight groups")
    tensors: dict[str, np.ndarray] = {}
    seen_shards: set[Path] = set()
    budget = MAX_MODEL_BYTES
    for g, group in enumerate(manifest):
        specs = _group_specs(group, g, manifest_path, tensors)
        expected = sum(math.prod(shape) * dtype.itemsize for _, shape, dtype in specs)
        paths, sizes = _group_shards(group, g, model_dir, manifest_path, seen_shards, expected)
        picked = specs if wanted is None else [spec for spec in specs if spec[0] in wanted]
        if not picked:
            raise _fail(manifest_path, f"group {g} names none of the decoder's tensors (only "
                                       f"{', '.join(name for name, _, _ in specs[:3]) or 'none'}"
                                       f"{', ...' if len(specs) > 3 else ''}); a model holds the decoder only")
        for name, shape, _ in picked:
            if wanted is not None and shape != tuple(wanted[name]):
                raise _fail(manifest_path, f"shape {list(shape)} does not match the decoder's {list(wanted[name])}", name)
        need = sum(math.prod(shape) * dtype.itemsize for _, shape, dtype in picked)
        if need > budget:
            raise _fail(manifest_path, f"declares more than the {MAX_MODEL_BYTES} bytes of tensors a model may have")
        budget -= need
        _read_group(specs, paths, sizes, model_dir, wanted, tensors)
    return tensors


def read_decoder(model_dir: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict]:
    """Load and validate everything the decoder needs: its tensors and the config."""
    model_dir = Path(model_dir)
    tensors = read_weights(model_dir, DECODER_TENSORS)
    cfg = read_config(model_dir)
    manifest_path = model_dir / MANIFEST_NAME
    for name, shape in DECODER_TENSORS.items():
        if name not in tensors:
            raise _fail(manifest_path, "required decoder tensor is missing", name)
        if tensors[name].shape != shape:
            raise _fail(manifest_path, f"shape {list(tensors[name].shape)} does not match the decoder's {list(shape)}", name)
        if not np.all(np.isfinite(tensors[name])):
            raise _fail(manifest_path, "holds NaN or infinite values", name)
        if np.abs(tensors[name]).max(initial=0.0) > MAX_ABS_WEIGHT:
            raise _fail(manifest_path, f"holds weights beyond +-{MAX_ABS_WEIGHT:g}, which no trained decoder has "
                                       "(they would overflow the logits)", name)
    return {name: tensors[name] for name in DECODER_TENSORS}, cfg


def write_weights(
    out_dir: str | os.PathLike,
    tensors: Mapping[str, np.ndarray],
    shard_bytes: int = DEFAULT_SHARD_BYTES,
) -> list[dict]:
    """Write one weight group the way tfjs's `write_weights` does: float32 little-endian, in the given order,
    sharded into `group1-shardNofM.bin`, with a manifest serialised by `json.dumps` defaults."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    entries, blobs = [], []
    for name, array in tensors.items():
        array = np.asarray(array)
        if array.dtype.kind != "f":
            raise ValueError(f"tensor {name!r} has dtype {array.dtype}; only float tensors are exported")
        blobs.append(np.ascontiguousarray(array, dtype="<f4").tobytes())
        entries.append({"name": name, "shape": list(array.shape), "dtype": "float32"})
    data = b"".join(blobs)
    count = max(1, math.ceil(len(data) / shard_bytes))
    paths = [f"group1-shard{i + 1}of{count}.bin" for i in range(count)]
    for i, shard in enumerate(paths):
        (out_dir / shard).write_bytes(data[i * shard_bytes:(i + 1) * shard_bytes])
    manifest = [{"paths": paths, "weights": entries}]
    (out_dir / MANIFEST_NAME).write_bytes(json.dumps(manifest).encode("utf-8"))
    return manifest


def write_model(out_dir: str | os.PathLike, tensors: Mapping[str, np.ndarray], cfg: Mapping[str, Any]) -> Path:
    """Write a complete model directory: the decoder tensors in reference order and cfg.json."""
    missing = [name for name in DECODER_TENSORS if name not in tensors]
    if missing:
        raise ValueError(f"cannot write a model without decoder tensors {missing}")
    out_dir = Path(out_dir)
    write_weights(out_dir, {name: tensors[name] for name in DECODER_TENSORS})
    (out_dir / CONFIG_NAME).write_text(json.dumps(dict(cfg), indent=2) + "\n", encoding="utf-8")
    return out_dir
