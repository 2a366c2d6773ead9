"""The decoder contract and the session API: fixture parity, sampling, overrides, batching and bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from pianogenie.engine import NUM_KEYS, SOS, PianoGenie
from pianogenie.engine.genie import Session
from pianogenie.engine.kernels import numpy_kernel
from tests.conftest import random_tensors


@pytest.fixture(scope="module")
def genie(random_model_dir) -> PianoGenie:
    return PianoGenie.load(random_model_dir)


@pytest.fixture(scope="module")
def numpy_genie(genie) -> PianoGenie:
    return PianoGenie(genie.weights, genie.cfg, genie.model_dir, numpy_kernel(genie.weights))


def reference_logits(tensors: dict, keys, dts, buttons) -> np.ndarray:
    """The decoder contract written out step by step in float64, unfolded, as the issue states it."""
    t = {k: v.astype(np.float64) for k, v in tensors.items()}
    sigmoid = lambda x: 1.0 / (1.0 + np.exp(-x))  # noqa: E731
    h, c = [np.zeros(128), np.zeros(128)], [np.zeros(128), np.zeros(128)]
    out = []
    for k, dt, b in zip(keys, dts, buttons):
        x = np.zeros(91)
        x[k], x[89], x[90] = 1.0, dt, 2 * b / 7 - 1
        layer_in = t["dec.input.weight"] @ x + t["dec.input.bias"]
        for l in range(2):
            z = (t[f"dec.lstm.weight_ih_l{l}"] @ layer_in + t[f"dec.lstm.bias_ih_l{l}"]
                 + t[f"dec.lstm.weight_hh_l{l}"] @ h[l] + t[f"dec.lstm.bias_hh_l{l}"])
            i, f, g, o = np.split(z, 4)
            c[l] = sigmoid(f) * c[l] + sigmoid(i) * np.tanh(g)
            h[l] = sigmoid(o) * np.tanh(c[l])
            layer_in = h[l]
        out.append(t["dec.output.weight"] @ layer_in + t["dec.output.bias"])
    return np.array(out)


def run_fixture(genie: PianoGenie, keys, dts, buttons) -> np.ndarray:
    session = genie.session()
    out = []
    for k, dt, b in zip(keys, dts, buttons):
        session.override_last_key(k)
        session.override_delta_time(dt)
        session.press(b, temperature=0.0)
        out.append(session.logits)
    return np.array(out)


@pytest.mark.parametrize("kernel", ["best", "numpy"])
def test_upstream_fixture(upstream_dir, kernel):
    fixture = json.loads((upstream_dir / "test.json").read_text())
    genie = PianoGenie.load(upstream_dir)
    if kernel == "numpy":
        genie = PianoGenie(genie.weights, genie.cfg, genie.model_dir, numpy_kernel(genie.weights))
    logits = run_fixture(genie, fixture["input_keys"], fixture["input_dts"], fixture["input_buttons"])
    expected = np.array(fixture["output_logits"])
    assert logits.shape == expected.shape == (128, NUM_KEYS)
    assert np.abs(logits - expected).sum() <= 0.015
    assert np.array_equal(logits.argmax(1), expected.argmax(1))


def test_free_running_session_matches_the_contract(genie):
    """Without overrides: the first press uses dt = 1 and the start token, later ones the clipped gaps and the
    sampled keys."""
    session = genie.session(seed=5)
    times = [10.0, 10.2, 10.2, 13.0, 12.5, 12.9]  # a repeat, a long gap, a clock running backwards
    buttons = [0, 7, 3, 3, 5, 1]
    keys, logits = [], []
    for t, b in zip(times, buttons):
        keys.append(session.press(b, time=t, temperature=0.0))
        logits.append(session.logits)
    dts = [1.0, 0.2, 0.0, 1.0, 0.0, 0.4]
    expected = reference_logits(random_tensors(), [SOS] + keys[:-1], dts, buttons)
    np.testing.assert_allclose(np.array(logits), expected, atol=2e-4)
    assert keys == list(expected.argmax(1))


def test_compiled_and_numpy_kernels_agree(genie, numpy_genie):
    a, b = genie.session(seed=11), numpy_genie.session(seed=11)
    for i in range(200):
        t = i * 0.13
        assert a.press(i % 8, time=t, temperature=0.6) == b.press(i % 8, time=t, temperature=0.6)
        np.testing.assert_allclose(a.logits, b.logits, atol=1e-3)


def test_seeded_sessions_are_reproducible_and_independent(genie):
    presses = [(i % 8, i * 0.11) for i in range(64)]
    one = [genie.session(seed=1).press(b, t, temperature=1.0) for b, t in presses[:1]]
    s1, s2, other = genie.session(seed=42), genie.session(seed=42), genie.session(seed=7)
    interleaved = []
    for b, t in presses:
        interleaved.append(other.press(7 - b, t, temperature=1.0))  # must not disturb s1/s2
        assert s1.press(b, t, temperature=1.0) == s2.press(b, t, temperature=1.0)
    assert one and len(set(interleaved)) > 1


def test_temperature_zero_is_argmax_and_sampling_follows_softmax(genie):
    session = genie.session(seed=3)
    for i in range(20):
        key = session.press(i % 8, time=i * 0.2, temperature=0.0)
        assert key == int(np.argmax(session.logits))
    # At temperature 1 the empirical distribution of the first press follows softmax(logits).
    counts = np.zeros(NUM_KEYS)
    session = genie.session(seed=0)
    for _ in range(3000):
        session.reset()
        counts[session.press(4, time=0.0, temperature=1.0)] += 1
    p = np.exp(session.logits - session.logits.max())
    p /= p.sum()
    top = np.argsort(p)[-3:]
    np.testing.assert_allclose(counts[top] / counts.sum(), p[top], atol=0.04)


def test_key_restriction(genie):
    session = genie.session(seed=9)
    allowed = (39, 41, 43, 44, 46, 48, 50)  # C major-ish around middle C
    for i in range(50):
        assert session.press(i % 8, time=i * 0.1, temperature=1.0, keys=allowed) in allowed
    assert session.press(0, time=9.0, temperature=0.0, keys=[87]) == 87
    assert session.press(0, time=9.1, temperature=0.0, keys=range(10, 12)) in (10, 11)


def test_custom_sampler_sees_raw_logits(genie):
    session = genie.session(seed=0)
    seen = []

    def lowest_allowed(logits, temperature, rng):
        seen.append((logits.copy(), temperature))
        return 5

    session.sample_with(lowest_allowed)
    assert session.press(2, time=0.0, temperature=0.3) == 5
    np.testing.assert_array_equal(seen[0][0], session.logits)
    assert seen[0][1] == 0.3
    assert session.last_key == 5
    session.sample_with(lambda logits, t, rng: 99)
    before = session.logits
    with pytest.raises(ValueError, match="key"):
        session.press(2, time=0.5)
    np.testing.assert_array_equal(session.logits, before)
    session.sample_with(None)
    assert 0 <= session.press(2, time=1.0) < NUM_KEYS


def test_overrides_apply_to_the_next_press_only(genie):
    a, b = genie.session(seed=0), genie.session(seed=0)
    a.press(1, time=0.0, temperature=0.0)
    b.press(1, time=0.0, temperature=0.0)
    b.override_last_key(60)
    b.override_delta_time(5.0)  # clipped to 1
    b.press(2, time=0.1, temperature=0.0)
    c = genie.session(seed=0)
    c.press(1, time=0.0, temperature=0.0)
    c.override_last_key(60)
    c.press(2, time=2.0, temperature=0.0)  # a real 2 s gap clips to 1 as well
    np.testing.assert_allclose(b.logits, c.logits, atol=1e-6)
    # The next press is back to measured time and the sampled key.
    assert b.press(3, time=0.3, temperature=0.0) == c.press(3, time=2.2, temperature=0.0)


def test_reset_restarts_the_performance(genie):
    session = genie.session(seed=0)
    first = [session.press(i % 8, time=i * 0.3, temperature=0.0) for i in range(10)]
    session.reset()
    again = [session.press(i % 8, time=100 + i * 0.3, temperature=0.0) for i in range(10)]
    assert first == again


@pytest.mark.parametrize(
    "kwargs",
    [
        {"button": 8},
        {"button": -1},
        {"button": 2.0},
        {"button": True},
        {"button": "3"},
        {"button": 1, "temperature": 1.5},
        {"button": 1, "temperature": -0.1},
        {"button": 1, "temperature": math.nan},
        {"button": 1, "time": math.nan},
        {"button": 1, "time": math.inf},
        {"button": 1, "time": "now"},
        {"button": 1, "keys": []},
        {"button": 1, "keys": [88]},
        {"button": 1, "keys": [-1, 5]},
        {"button": 1, "keys": [3.5]},
    ],
)
def test_bad_input_raises_and_leaves_state_unchanged(genie, kwargs):
    good, probe = genie.session(seed=4), genie.session(seed=4)
    for s in (good, probe):
        s.press(3, time=1.0, temperature=0.5)
    kwargs.setdefault("time", 1.5)
    with pytest.raises(ValueError):
        probe.press(**kwargs)
    np.testing.assert_array_equal(probe.logits, good.logits)
    assert probe.press(6, time=1.7, temperature=0.5) == good.press(6, time=1.7, temperature=0.5)
    np.testing.assert_array_equal(probe.logits, good.logits)


def test_bad_overrides_raise(genie):
    session = genie.session()
    for bad in (89, -1, 2.5, None):
        with pytest.raises(ValueError):
            session.override_last_key(bad)
    for bad in (math.nan, math.inf, "1"):
        with pytest.raises(ValueError):
            session.override_delta_time(bad)


def test_ensemble_matches_independent_sessions(genie):
    n = 5
    ensemble = genie.ensemble(n, seed=0)
    sessions = [genie.session() for _ in range(n)]
    rng = np.random.default_rng(0)
    for step in range(30):
        buttons = rng.integers(0, 8, n)
        times = step * 0.15 + rng.random(n) * 0.05
        keys = ensemble.press(buttons, times=times, temperature=0.0)
        expected = [s.press(int(b), time=float(t), temperature=0.0) for s, b, t in zip(sessions, buttons, times)]
        assert list(keys) == expected
        np.testing.assert_allclose(ensemble.logits, np.array([s.logits for s in sessions]), atol=1e-3)
    with pytest.raises(ValueError):
        ensemble.press([0] * (n - 1))
    with pytest.raises(ValueError):
        ensemble.press([0, 1, 2, 3, 8])
    with pytest.raises(ValueError):
        ensemble.press([0] * n, temperature=math.nan)


def test_many_sessions_share_one_model(genie):
    sessions = [genie.session(seed=i) for i in range(100)]
    assert all(isinstance(s, Session) and s.genie is genie for s in sessions)
    assert not genie.weights.press_pack.flags.writeable
