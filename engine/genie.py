"""The public runtime: a loaded model (`PianoGenie`), one performer's state (`Session`) and batched performers
(`Ensemble`). The API follows @magenta/music's PianoGenie: press a button, get a key."""

from __future__ import annotations

import math
import os
import time as _time
from numbers import Integral, Real
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from . import decoder as d
from .constants import DEFAULT_TEMPERATURE, DT_MAX, MANIFEST_NAME, NUM_BUTTONS, NUM_KEYS, SOS
from .kernels import Kernel, best_kernel
from .model_format import ModelError, read_decoder

# A custom sampler sees the raw logits, the press's temperature and the session's random generator.
Sampler = Callable[[np.ndarray, float, np.random.Generator], int]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "default"
_IMMUTABLE_KEY_SETS = (tuple, frozenset, range)


def default_model_dir() -> Path:
    """The embedded default model, installed with the package."""
    return DEFAULT_MODEL_DIR


# Each check tries the exact built-in type first: isinstance against the numbers ABCs costs about 1 µs, a tenth of
# a whole press.


def _check_button(button: object) -> int:
    if type(button) is int and 0 <= button < NUM_BUTTONS:
        return button
    if isinstance(button, bool) or not isinstance(button, Integral):
        raise ValueError(f"button must be an integer 0..{NUM_BUTTONS - 1}, got {button!r}")
    if not 0 <= button < NUM_BUTTONS:
        raise ValueError(f"button must be 0..{NUM_BUTTONS - 1}, got {button}")
    return int(button)


def _check_temperature(temperature: object) -> float:
    if type(temperature) is float and 0.0 <= temperature <= 1.0:
        return temperature
    if isinstance(temperature, bool) or not isinstance(temperature, Real) or not 0.0 <= temperature <= 1.0:
        raise ValueError(f"temperature must be a number in [0, 1], got {temperature!r}")
    return float(temperature)


def _check_time(value: object, what: str) -> float:
    if type(value) is float and math.isfinite(value):
        return value
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number of seconds, got {value!r}")
    return float(value)


def _check_key(key: object, allow_sos: bool = False) -> int:
    top = SOS if allow_sos else NUM_KEYS - 1
    if isinstance(key, bool) or not isinstance(key, Integral) or not 0 <= key <= top:
        raise ValueError(f"key must be an integer 0..{top}, got {key!r}")
    return int(key)


def key_mask(keys: Iterable[int] | None) -> np.ndarray:
    """0 for allowed keys and -inf for the rest; None allows all 88."""
    mask = np.zeros(NUM_KEYS, dtype=np.float32)
    if keys is None:
        return mask
    allowed = [_check_key(k) for k in keys]
    if not allowed:
        raise ValueError("the key set is empty: allow at least one key (0..87), or pass None for all")
    mask[:] = -np.inf
    mask[allowed] = 0.0
    return mask


def _clip_dt(dt: float) -> float:
    # A clock that runs backwards gives 0, a long pause saturates at DT_MAX.
    return min(max(dt, 0.0), DT_MAX)


class PianoGenie:
    """A loaded decoder. Immutable: any number of sessions and ensembles share it."""

    def __init__(self, weights: d.DecoderWeights, cfg: dict, model_dir: Path, kernel: Kernel | None = None):
        self.weights = weights
        self.cfg = cfg
        self.model_dir = model_dir
        self.kernel = kernel or best_kernel(weights)

    @classmethod
    def load(cls, model_dir: str | os.PathLike | None = None) -> "PianoGenie":
        """Load and validate a model directory (None: the embedded default), then warm it up so the first
        press is as fast as the rest."""
        if model_dir is None:
            model_dir = DEFAULT_MODEL_DIR
            if not (model_dir / MANIFEST_NAME).exists():
                raise ModelError(
                    f"{model_dir}: the embedded default model is not installed; pass a model directory "
                    "(pianogenie export writes one)"
                )
        model_dir = Path(model_dir)
        tensors, cfg = read_decoder(model_dir)
        genie = cls(d.DecoderWeights.from_tensors(tensors), cfg, model_dir)
        genie._warm_up()
        return genie

    def _warm_up(self) -> None:
        # Compiles the kernel (or loads it from numba's cache) and touches every weight once.
        session = self.session(seed=0)
        for step in range(4):
            session.press(step % NUM_BUTTONS, time=step * 0.1, temperature=0.5 * (step % 2))
            session.prepare()

    def session(self, seed: int | None = None) -> "Session":
        """One performer's independent state."""
        return Session(self, seed)

    def ensemble(self, n: int, seed: int | None = None) -> "Ensemble":
        """n performers stepped together in one call."""
        return Ensemble(self, n, seed)


class Session:
    """One performer: LSTM state, the previous key and press time, overrides, sampler and random stream."""

    def __init__(self, genie: PianoGenie, seed: int | None = None):
        self.genie = genie
        self._press_kernel = genie.kernel.press
        self._prepare_kernel = genie.kernel.prepare
        self._rng = np.random.default_rng(seed)
        self._state = d.initial_state()
        self._sampler: Sampler | None = None
        self._keys_source: object = None
        self.reset()

    @property
    def logits(self) -> np.ndarray:
        """The last press's 88 logits (a copy)."""
        return self._state[d.LOGITS:d.LOGITS + NUM_KEYS].copy()

    @property
    def last_key(self) -> int:
        """The key that the next press will see as the previous one (SOS after a reset)."""
        return self._last_key

    def reset(self) -> None:
        """Back to the start of a performance: zero state, start token, no previous press time."""
        self._state[:] = 0.0
        self._last_key = SOS
        self._last_time: float | None = None
        self._override_dt: float | None = None
        self._keys_source = None
        self._stale = True
        self._noise_fresh = False
        self.prepare()

    def override_last_key(self, key: int) -> None:
        """The next press sees `key` (0..87, or 88 for the start token) as the previous one."""
        self._last_key = _check_key(key, allow_sos=True)
        self._stale = True

    def override_delta_time(self, dt: float) -> None:
        """The next press uses `dt` seconds (clipped to [0, 1]) instead of the measured gap."""
        self._override_dt = _clip_dt(_check_time(dt, "dt"))

    def sample_with(self, sampler: Sampler | None) -> None:
        """Let `sampler(logits, temperature, rng) -> key` choose keys; None restores Gumbel-max sampling."""
        if sampler is not None and not callable(sampler):
            raise ValueError("sampler must be callable or None")
        self._sampler = sampler

    def prepare(self) -> None:
        """Do the work that does not depend on the next press. press() does it itself when it was not done,
        so calling this is only about moving time off the press -> key path."""
        if self._stale:
            self._prepare_kernel(self._state, self._last_key)
            self._stale = False
        if not self._noise_fresh:
            self._state[d.NOISE:d.NOISE + NUM_KEYS] = d.gumbel(self._rng, NUM_KEYS)
            self._noise_fresh = True

    def press(
        self,
        button: int,
        time: float | None = None,
        temperature: float = DEFAULT_TEMPERATURE,
        keys: Iterable[int] | None = None,
    ) -> int:
        """Press a button (0..7) and get a key (0..87). `time` is seconds on any clock (None: monotonic now).
        Temperature 0 is argmax. `keys` restricts the choice to those key indices. Bad input raises
        ValueError and changes nothing."""
        button = _check_button(button)
        temperature = _check_temperature(temperature)
        now = _time.monotonic() if time is None else _check_time(time, "time")
        # Rebuilding the mask costs more than a press, so an unchanged immutable key set is reused.
        if keys is self._keys_source and (keys is None or isinstance(keys, _IMMUTABLE_KEY_SETS)):
            mask = None
        else:
            mask = key_mask(keys)  # validated before any state changes
        if self._override_dt is not None:
            dt = self._override_dt
        elif self._last_time is None:
            dt = DT_MAX
        else:
            dt = _clip_dt(now - self._last_time)
        self.prepare()
        if mask is not None:
            self._state[d.MASK:d.MASK + NUM_KEYS] = mask
            self._keys_source = keys
        if self._sampler is None:
            key = self._press_kernel(self._state, button, dt, temperature)
        else:
            saved = self._state.copy()
            self._press_kernel(self._state, button, dt, temperature)
            try:
                key = self._custom_key(keys, temperature)
            except BaseException:
                self._state[:] = saved
                raise
        self._last_key = key
        self._last_time = now
        self._override_dt = None
        self._stale = True
        self._noise_fresh = False
        return key

    def _custom_key(self, keys: Iterable[int] | None, temperature: float) -> int:
        key = self._sampler(self.logits, temperature, self._rng)
        key = _check_key(key)
        if self._state[d.MASK + key] != 0.0:
            raise ValueError(f"sampler returned key {key}, which is outside the allowed key set")
        return key


class Ensemble:
    """n performers advanced together: one batched step (numpy matrix products) for all of them."""

    def __init__(self, genie: PianoGenie, n: int, seed: int | None = None):
        if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
            raise ValueError(f"an ensemble needs at least one performer, got {n!r}")
        self.genie = genie
        self.n = int(n)
        self._rng = np.random.default_rng(seed)
        self._states = d.initial_state(self.n)
        self.reset()

    @property
    def logits(self) -> np.ndarray:
        return self._states[:, d.LOGITS:d.LOGITS + NUM_KEYS].copy()

    def reset(self) -> None:
        self._states[:] = 0.0
        self._last_keys = np.full(self.n, SOS, dtype=np.int64)
        self._last_times = np.full(self.n, np.nan)
        self._prepared = False

    def prepare(self) -> None:
        if not self._prepared:
            d.prepare_batch(self._states, self.genie.weights, self._last_keys)
            self._states[:, d.NOISE:d.NOISE + NUM_KEYS] = d.gumbel(self._rng, (self.n, NUM_KEYS))
            self._prepared = True

    def press(
        self,
        buttons: Sequence[int] | np.ndarray,
        times: Sequence[float] | np.ndarray | None = None,
        temperature: float | Sequence[float] = DEFAULT_TEMPERATURE,
        keys: Iterable[int] | None = None,
    ) -> np.ndarray:
        """Every performer presses one button; returns their keys. Same rules as Session.press."""
        buttons = np.asarray(buttons)
        if buttons.shape != (self.n,) or buttons.dtype.kind not in "iu" or buttons.min() < 0 or buttons.max() >= NUM_BUTTONS:
            raise ValueError(f"buttons must be {self.n} integers 0..{NUM_BUTTONS - 1}, got {buttons!r}")
        temps = np.broadcast_to(np.asarray(temperature, dtype=np.float64), (self.n,))
        if not np.all((temps >= 0.0) & (temps <= 1.0)):  # NaN fails both comparisons
            raise ValueError(f"temperatures must be in [0, 1], got {temperature!r}")
        now = np.full(self.n, _time.monotonic()) if times is None else np.asarray(times, dtype=np.float64)
        if now.shape != (self.n,) or not np.all(np.isfinite(now)):
            raise ValueError(f"times must be {self.n} finite numbers of seconds")
        mask = key_mask(keys)
        dts = np.where(np.isnan(self._last_times), DT_MAX, np.clip(now - self._last_times, 0.0, DT_MAX))
        self.prepare()
        self._states[:, d.MASK:d.MASK + NUM_KEYS] = mask
        keys_out = d.press_batch(self._states, self.genie.weights, buttons, dts, temps.astype(np.float32))
        self._last_keys = keys_out
        self._last_times = now
        self._prepared = False
        return keys_out
