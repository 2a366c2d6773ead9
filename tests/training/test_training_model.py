"""The PyTorch Piano Genie against the reference checkpoint, the losses on a hand-made batch, and the
export's byte identity with the reference TF.js shard."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from pianogenie.engine.constants import DECODER_TENSORS, SOS  # noqa: E402
from pianogenie.training.model import (  # noqa: E402
    IntegerQuantizer, PianoGenie, compute_losses, load_model, load_state_dict, shift_keys,
)

UPSTREAM = Path(__file__).resolve().parents[2].parent / "shared" / "upstream"
needs_upstream = pytest.mark.skipif(not (UPSTREAM / "model.pt").exists(),
                                    reason=f"reference files not found in {UPSTREAM}")


@pytest.fixture(scope="module")
def reference():
    return load_model(UPSTREAM / "model.pt")


@pytest.fixture(scope="module")
def fixture():
    return json.loads((UPSTREAM / "test.json").read_text())


@needs_upstream
def test_reference_state_dict_loads_strictly_with_matching_names_and_shapes(reference):
    state = torch.load(UPSTREAM / "model.pt", map_location="cpu", weights_only=True)
    ours = PianoGenie().state_dict()
    assert list(state) == list(ours)
    assert {k: tuple(v.shape) for k, v in state.items()} == {k: tuple(v.shape) for k, v in ours.items()}
    for name, shape in DECODER_TENSORS.items():
        assert tuple(state[name].shape) == shape


@needs_upstream
def test_reference_decoder_reproduces_fixture_logits(reference, fixture):
    k_prev = torch.tensor(fixture["input_keys"])[None]
    t = torch.tensor(fixture["input_dts"], dtype=torch.float32)[None]
    b = reference.quant.to_real(torch.tensor(fixture["input_buttons"]))[None]
    with torch.no_grad():
        logits, _ = reference.dec(k_prev, t, b)
    expected = torch.tensor(fixture["output_logits"])
    assert (logits[0] - expected).abs().sum().item() <= 0.015
    assert torch.equal(logits[0].argmax(-1), expected.argmax(-1))


@needs_upstream
def test_reference_encoder_reproduces_fixture_buttons(reference, fixture):
    k_prev = fixture["input_keys"]
    assert k_prev[0] == SOS
    # The fixture holds keys 0..126 (shifted by one); the last key is unknown, so try a plausible one.
    keys = torch.tensor(k_prev[1:] + [k_prev[-1]])[None]
    t = torch.tensor(fixture["input_dts"], dtype=torch.float32)[None]
    with torch.no_grad():
        buttons = reference.buttons(keys, t)[0]
        # The full forward pass feeds the decoder exactly the teacher-forced inputs of the fixture.
        assert torch.equal(shift_keys(keys)[0], torch.tensor(k_prev))
    matches = int((buttons == torch.tensor(fixture["input_buttons"])).sum())
    assert matches >= 126, f"encoder buttons match on {matches}/128 steps"


def test_quantizer_bins_and_straight_through_gradient():
    q = IntegerQuantizer(8)
    x = torch.tensor([-3.0, -1.0, -0.93, 0.0, 0.2, 0.99, 1.0, 5.0], requires_grad=True)
    assert q.to_discrete(x).tolist() == [0, 0, 0, 4, 4, 7, 7, 7]  # round(clamp((x+1)/2) * 7); 0 -> 3.5 -> 4
    assert torch.allclose(q.to_real(torch.arange(8)), torch.tensor([2 * d / 7 - 1 for d in range(8)]))
    y = q(x)
    assert torch.allclose(y, q.to_real(q.to_discrete(x)))
    y.sum().backward()
    assert torch.equal(x.grad, torch.ones_like(x))  # identity gradient


def test_losses_exact_on_hand_made_batch():
    # Two sequences of three notes; logits chosen so the cross-entropy is easy to compute by hand.
    k = torch.tensor([[10, 12, 11], [5, 5, 7]])
    logits = torch.zeros(2, 3, 88)
    logits[0, 0, 10] = 2.0  # the target gets 2, the rest 0
    logits[1, 2, 0] = 1.0  # a wrong key gets 1
    e = torch.tensor([[0.5, 1.5, -2.0], [0.0, 0.25, 1.0]])
    out = compute_losses(logits, e, k)

    def ce(target_logit, others):
        return -(target_logit - math.log(math.exp(target_logit) + sum(math.exp(o) for o in others)))

    recons = (ce(2.0, [0.0] * 87) + 4 * ce(0.0, [0.0] * 87) + ce(0.0, [1.0] + [0.0] * 86)) / 6
    margin = (0.5 ** 2 + 1.0 ** 2) / 6  # |1.5|-1 and |-2|-1
    # dk*de: row 0: 2*1.0=2 -> 0; (-1)*(-3.5)=3.5 -> 0.  row 1: 0*0.25=0 -> 1; 2*0.75=1.5 -> 0.
    contour = (0 + 0 + 1 + 0) / 4
    assert out["recons"].item() == pytest.approx(recons, abs=1e-6)
    assert out["margin"].item() == pytest.approx(margin, abs=1e-7)
    assert out["contour"].item() == pytest.approx(contour, abs=1e-7)
    assert out["loss"].item() == pytest.approx(recons + margin + contour, abs=1e-6)
    # A contour that moves against the keys costs (1 - dk*de)^2.
    bad = compute_losses(logits, torch.tensor([[0.0, -0.5, 0.0], [0.0, 0.0, 0.0]]), k)["contour"].item()
    assert bad == pytest.approx(((1 + 1.0) ** 2 + (1 + 0.5) ** 2 + 1 + 1) / 4, abs=1e-6)


def test_load_state_dict_rejects_foreign_objects(tmp_path):
    path = tmp_path / "bad.pt"
    torch.save({"model": {"w": torch.zeros(2)}}, path)
    with pytest.raises(ValueError, match="do not fit"):
        load_model(path)
    torch.save([1, 2, 3], path)
    with pytest.raises(ValueError, match="not a Piano Genie"):
        load_state_dict(path)
    torch.save({"model": PianoGenie().state_dict(), "extra": np.float64(1.0)}, path)  # needs a numpy global
    with pytest.raises(ValueError, match="refusing to unpickle"):
        load_state_dict(path)


@needs_upstream
def test_export_of_reference_checkpoint_is_byte_identical(tmp_path):
    from pianogenie.engine.model_format import read_decoder
    from pianogenie.training.export import export

    out = export(UPSTREAM / "model.pt", tmp_path / "model")
    assert (out / "group1-shard1of1.bin").read_bytes() == (UPSTREAM / "group1-shard1of1.bin").read_bytes()
    assert json.loads((out / "weights_manifest.json").read_text()) == json.loads((UPSTREAM / "weights_manifest.json").read_text())
    assert (out / "weights_manifest.json").read_bytes() == (UPSTREAM / "weights_manifest.json").read_bytes()
    cfg = json.loads((out / "cfg.json").read_text())
    upstream_cfg = json.loads((UPSTREAM / "cfg.json").read_text())
    assert {k: cfg[k] for k in cfg if k in upstream_cfg} == {k: upstream_cfg[k] for k in cfg if k in upstream_cfg}
    weights, _ = read_decoder(out)  # the engine's loader accepts it
    assert set(weights) == set(DECODER_TENSORS)


@needs_upstream
def test_export_fixture_matches_the_engine_contract(tmp_path):
    from pianogenie.training.data.notes import make_piece
    from pianogenie.training.export import check_fixture, export

    rng = np.random.default_rng(3)
    piece = make_piece("held-out", [(0.3 * i + rng.uniform(0, 0.1), int(40 + (i * 7) % 30), 70, 0.2) for i in range(200)])
    out = export(UPSTREAM / "model.pt", tmp_path / "model", piece)
    fx = json.loads((out / "test.json").read_text())
    assert set(fx) >= {"input_dts", "input_keys", "input_buttons", "output_logits"}
    assert len(fx["input_keys"]) == 128 and fx["input_keys"][0] == SOS
    assert np.array(fx["output_logits"]).shape == (128, 88)
    assert fx["input_dts"][0] == 1.0 and all(0 <= d <= 1 for d in fx["input_dts"])
    assert check_fixture(out) <= 1e-3


DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "engine" / "models" / "default"


@pytest.mark.skipif(not (DEFAULT_MODEL / "weights_manifest.json").exists(), reason="no embedded default model exported yet")
def test_embedded_default_model_loads_and_reproduces_its_fixture():
    from pianogenie.engine import PianoGenie as EngineGenie
    from pianogenie.engine.model_format import read_decoder
    from pianogenie.training.export import check_fixture

    weights, cfg = read_decoder(DEFAULT_MODEL)
    assert set(weights) == set(DECODER_TENSORS) and cfg["trained_steps"] > 0
    assert check_fixture(DEFAULT_MODEL) <= 0.015
    # The engine finds it with no arguments and its argmax follows the fixture.
    fx = json.loads((DEFAULT_MODEL / "test.json").read_text())
    session = EngineGenie.load().session(seed=0)
    keys = []
    for i, (dt, button) in enumerate(zip(fx["input_dts"], fx["input_buttons"])):
        if i:  # teacher forcing through the public API: the true previous key and the recorded dt
            session.override_last_key(fx["input_keys"][i])
            session.override_delta_time(dt)
        keys.append(session.press(button, time=float(i), temperature=0.0))
    assert keys == np.argmax(np.array(fx["output_logits"]), axis=1).tolist()


# ---------------------------------------------------------------------------------------------------------------
# Decoder.generate: the free-running loop that training.live, training.evaluate and `pianogenie bench engine`
# each used to write out, checked against those loops as they were, bit for bit.

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "engine" / "models" / "default"


@pytest.fixture(scope="module")
def decoder():
    from pianogenie.training.model import load_for_evaluation

    return load_for_evaluation(DEFAULT_MODEL)[0].dec


def _live_loop_before(dec, buttons: np.ndarray, dts: np.ndarray, temperature: float, seed: int) -> np.ndarray:
    """training.live.play before Decoder.generate."""
    gen = torch.Generator().manual_seed(seed)
    b = IntegerQuantizer(8).to_real(torch.from_numpy(buttons))
    t = torch.from_numpy(dts)
    n, steps = buttons.shape
    prev, state = torch.full((n, 1), SOS, dtype=torch.long), None
    keys = np.empty((n, steps), dtype=np.int64)
    with torch.no_grad():
        for i in range(steps):
            logits, state = dec(prev, t[:, i:i + 1], b[:, i:i + 1], state)
            logits = logits[:, -1]
            if temperature <= 0:
                k = logits.argmax(-1)
            else:
                k = torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=gen)[:, 0]
            keys[:, i] = k.numpy()
            prev = k[:, None]
    return keys


def _melody_loop_before(dec, buttons: np.ndarray, dts: torch.Tensor) -> np.ndarray:
    """training.evaluate.melody_metrics' free-running argmax before Decoder.generate."""
    prev, state, played = SOS, None, []
    b_real = IntegerQuantizer(8).to_real(torch.from_numpy(buttons))
    with torch.no_grad():
        for i in range(len(buttons)):
            step_logits, state = dec(torch.tensor([[prev]]), dts[:, i:i + 1], b_real[i].reshape(1, 1), state)
            prev = int(step_logits[0, -1].argmax())
            played.append(prev)
    return np.array(played)


def _bench_step_before(dec):
    """pianogenie.bench_engine's PyTorch reference step before Decoder.generate."""
    from pianogenie.engine.constants import button_value

    state = {"hidden": None, "key": SOS}
    generator = torch.Generator().manual_seed(0)

    @torch.no_grad()
    def step(button: int, dt: float, temperature: float) -> int:
        logits, state["hidden"] = dec(torch.tensor([[state["key"]]]), torch.tensor([[dt]]),
                                      torch.tensor([[button_value(button)]]), state["hidden"])
        key = int(torch.multinomial(torch.softmax(logits[0, 0] / temperature, dim=-1), 1, generator=generator))
        state["key"] = key
        return key

    return step


@pytest.mark.parametrize("temperature", [0.0, 0.25, 1.0])
def test_generate_plays_what_the_live_loop_played(decoder, temperature):
    from pianogenie.training.live import Scenario, chords, play, random_walk

    rng = np.random.default_rng(5)
    for scenario in (random_walk(rng, n=8, t=64), chords(rng, n=8, t=63)):
        before = _live_loop_before(decoder, scenario.buttons, scenario.dts, temperature, seed=11)
        after = play(decoder, Scenario(scenario.buttons, scenario.dts), temperature, seed=11)
        assert after.dtype == before.dtype and np.array_equal(after, before)
    if temperature > 0:  # the seed matters: a sampled stream is not an argmax one in disguise
        assert not np.array_equal(after, play(decoder, scenario, temperature, seed=12))


def test_generate_plays_what_the_melody_loop_played(decoder):
    from pianogenie.training.data.examples import delta_times
    from pianogenie.training.melodies import MELODIES

    for melody in MELODIES:
        buttons = np.array(melody.buttons)
        t = torch.from_numpy(delta_times(np.array(melody.onsets())))[None]
        before = _melody_loop_before(decoder, buttons, t)
        after, _ = decoder.generate(IntegerQuantizer(8).to_real(torch.from_numpy(buttons))[None], t, temperature=0)
        assert np.array_equal(after[0].numpy(), before)


def test_generate_a_press_at_a_time_is_the_bench_step_and_one_long_call():
    from pianogenie.bench_engine import torch_reference
    from pianogenie.engine.constants import button_value
    from pianogenie.training.model import Decoder, ModelConfig, load_for_evaluation

    dec = load_for_evaluation(DEFAULT_MODEL)[0].dec
    presses = [(i * 5 % 8, 0.05 + 0.01 * (i % 7)) for i in range(300)]
    before, after = _bench_step_before(dec), torch_reference(DEFAULT_MODEL)
    keys_before = [before(b, dt, 0.25) for b, dt in presses]
    assert [after(b, dt, 0.25) for b, dt in presses] == keys_before
    # One call over the whole stream: the same keys as 300 calls carrying (prev, state) forward.
    b = torch.tensor([[button_value(b) for b, _ in presses]])
    t = torch.tensor([[dt for _, dt in presses]])
    keys, _ = dec.generate(b, t, 0.25, torch.Generator().manual_seed(0))
    assert keys[0].tolist() == keys_before
    assert isinstance(dec, Decoder) and Decoder(ModelConfig()).generate(b[:, :0], t[:, :0])[0].shape == (1, 0)
