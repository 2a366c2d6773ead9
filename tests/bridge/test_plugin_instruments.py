"""Both plugin hosts (LV2 through lilv, VST3 through pedalboard) with one real instrument built from source in the
test set-up with Debian's DPF (tests/instrument/TestSine.cpp): DPF's LV2 wrapper needs options:options, so this
also checks what the host provides. Audio is rendered and analysed; the two formats of one instrument must render
the same samples."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

from tests.plugin_helpers import URI, build_problem, build_test_instrument, lv2_env
from tests.sound_metrics import dominant_hz

RATE = 48000
pytestmark = pytest.mark.skipif(build_problem() is not None, reason=str(build_problem()))


@pytest.fixture(scope="module")
def instrument():
    built = build_test_instrument()
    saved = os.environ.get("LV2_PATH")
    os.environ["LV2_PATH"] = lv2_env(built)["LV2_PATH"]  # lilv reads it when a world loads
    yield built
    if saved is None:
        os.environ.pop("LV2_PATH", None)
    else:
        os.environ["LV2_PATH"] = saved


HOSTS = ["lv2", pytest.param("vst3", marks=pytest.mark.skipif(importlib.util.find_spec("pedalboard") is None,
                                                                reason="VST3 needs pedalboard (the test extra)"))]


def open_host(kind: str, instrument, **kwargs):
    if kind == "lv2":
        from pianogenie.bridge.sound.lv2 import Lv2Instrument

        return Lv2Instrument(URI, RATE, **kwargs)
    from pianogenie.bridge.sound.vst3 import Vst3Instrument

    return Vst3Instrument(instrument.vst3, RATE, **kwargs)


def phrase(synth) -> np.ndarray:
    """Two blocks: notes at odd frames, one released in the second block, then silence."""
    synth.note_on((0, 69), 69, 100, offset=37)
    synth.note_on((0, 76), 76, 64, offset=1001)
    first = synth.render(4800)
    synth.note_off((0, 69), 69, offset=5)
    return np.concatenate([first, synth.render(RATE)])


@pytest.mark.parametrize("kind", HOSTS)
def test_a_note_starts_at_its_frame_at_its_pitch_in_stereo(kind, instrument) -> None:
    with open_host(kind, instrument) as synth:
        audio = phrase(synth)
    assert audio.shape == (4800 + RATE, 2) and audio.dtype == np.float32
    assert np.all(audio[:37] == 0.0) and audio[38, 0] != 0.0, "the first note is not at frame 37"
    assert np.allclose(audio[:, 1], 0.5 * audio[:, 0], atol=1e-7), "the right channel is not the left at half level"
    assert abs(dominant_hz(audio[40:1000, 0], RATE, 300, 600) / 440.0 - 1) < 0.01
    tail = audio[-RATE // 10:]
    assert np.abs(tail).max() > 0.01, "the held note stopped"  # 76 is still held
    assert abs(dominant_hz(tail[:, 0], RATE, 600, 800) / 659.26 - 1) < 0.01, "a note-off ended the wrong note"


def test_lv2_and_vst3_builds_of_one_instrument_render_the_same_samples(instrument) -> None:
    if importlib.util.find_spec("pedalboard") is None:
        pytest.skip("VST3 needs pedalboard (the test extra)")
    with open_host("lv2", instrument) as lv2, open_host("vst3", instrument) as vst3:
        a, b = phrase(lv2), phrase(vst3)
    assert np.abs(a - b).max() < 1e-6


@pytest.mark.parametrize("kind", HOSTS)
def test_parameters_and_the_pedal(kind, instrument) -> None:
    with open_host(kind, instrument, params={"gain": 0.25}) as synth:
        assert synth.get_param("gain") == pytest.approx(0.25, abs=1e-3)
        synth.pedal(True)
        synth.note_on((0, 60), 60, 100)
        synth.render(4800)
        synth.note_off((0, 60), 60)
        held = synth.render(4800)
        synth.pedal(False)
        synth.render(4800)
        released = synth.render(4800)
        with pytest.raises(ValueError, match="no parameter 'volume'"):
            synth.set_param("volume", 1.0)
    assert np.abs(held).max() == pytest.approx(0.25 * 0.2 * 100 / 127, rel=0.02)  # gain x the voice's level
    assert np.abs(released).max() < 1e-4


def test_a_vst3_that_is_not_there_is_refused_in_one_line(tmp_path) -> None:
    from pianogenie.bridge.sound.instrument import PluginError
    from pianogenie.bridge.sound.vst3 import Vst3Instrument

    with pytest.raises(PluginError, match="no such file") as error:
        Vst3Instrument(tmp_path / "Nothing.vst3")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("kind", HOSTS)
def test_a_plugin_reports_its_parameters_with_range_default_and_value(kind, instrument) -> None:
    """What the synth child tells serve (/genie/plugin/param's names and ranges, the OSCQuery tree): the test
    instrument's one parameter, VST3's MIDI CC stand-ins left out."""
    with open_host(kind, instrument, params={"gain": 0.25}) as synth:
        (spec,) = synth.param_specs()
        synth.set_param("gain", 0.75)
        (after,) = synth.param_specs()
    assert (spec.name, spec.label, spec.minimum, spec.maximum) == ("gain", "Gain", 0.0, 1.0)
    assert spec.default == pytest.approx(0.5, abs=1e-3) and spec.value == pytest.approx(0.25, abs=1e-3)
    assert after.value == pytest.approx(0.75, abs=1e-3)
