"""The synth registry (bridge/sound/synths.py): a synth registered here, as a plugin would be (its module and one
`register` line), is found by the same name live and offline, and the synth child process hosts it."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest

from pianogenie.bridge.sound import synths
from pianogenie.bridge.sound.block_synth import BlockSynth
from pianogenie.bridge.sound.voices import SynthConfig, SynthParams, midi_to_hz
from tests.conftest import jack_dummy

SR = 48000


class Sine:
    """A real (if plain) block renderer: one sine per held note, gated, at the velocity's level."""

    def __init__(self, params: SynthParams, sample_rate: int):
        self.sr = sample_rate
        self.now = 0
        self.held: dict[object, tuple[float, float, int]] = {}  # note -> (hz, amplitude, start sample)

    def note_on(self, note, pitch, velocity):
        self.held[note] = (midi_to_hz(pitch), 0.2 * velocity / 127, self.now)

    def note_off(self, note, pitch):
        self.held.pop(note, None)

    def all_off(self):
        self.held.clear()

    def render(self, frames):
        samples = np.arange(self.now, self.now + frames)
        out = np.zeros(frames)
        for hz, amplitude, start in self.held.values():
            out += amplitude * np.sin(2 * math.pi * hz * (samples - start) / self.sr)
        self.now += frames
        return out


SYNTH = BlockSynth(f"{__name__}:Sine", tail=0.2)


@pytest.fixture
def sine_registered():
    synths.register("sine", __name__, "a test sine")
    yield "sine"
    synths.SYNTHS.pop("sine")


def _peak_hz(audio: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
    return float(np.fft.rfftfreq(len(audio), 1 / SR)[spectrum.argmax()])


def test_a_registered_synth_renders_offline_by_name(sine_registered, tmp_path):
    from pianogenie.bridge.sound.render import RenderConfig, render_file
    from pianogenie.bridge.sound.wav import read_wav

    take = tmp_path / "take.json"
    take.write_text(json.dumps({"notes": [{"pitch": 69, "onset": 0.5, "offset": 1.0, "button": 0, "velocity": 127}]}))
    count, seconds = render_file(take, tmp_path / "out.wav", RenderConfig(synth=sine_registered))
    audio, sr = read_wav(tmp_path / "out.wav")
    assert (count, sr) == (1, SR) and seconds == pytest.approx(0.5 + 0.2, abs=1e-3)  # from the first note, + tail
    assert abs(_peak_hz(audio[: SR // 2]) - 440.0) < 3.0
    assert np.abs(audio[: SR // 2]).max() == pytest.approx(0.2, abs=0.01)
    assert np.abs(audio[SR // 2 + 1:]).max() == 0.0  # the gate closed exactly at the note-off


def test_an_unknown_synth_is_one_line():
    with pytest.raises(ValueError, match="--synth nope: unknown synth"):
        synths.lookup("nope")


def test_the_old_render_spellings_name_the_fm_synth_and_its_engine():
    assert synths.lookup("numpy") == (synths.lookup("fm")[0], "numpy")
    assert synths.lookup("pyo") == (synths.lookup("fm")[0], "pyo")


def test_a_registered_synth_plays_live_by_name_in_the_synth_child(sine_registered, tmp_path, monkeypatch):
    """open_synth, as serve and play call it: the child process hosts the test's renderer on a JACK dummy server
    through PortAudio, and its onset log shows every note-on became sound within a few buffers."""
    from pianogenie.bridge.sound.choose import open_synth

    with jack_dummy(64) as env:
        for name in ("JACK_NO_START_SERVER", "JACK_DEFAULT_SERVER"):
            monkeypatch.setenv(name, env[name])
        log = tmp_path / "onsets.txt"
        choice = open_synth(SynthConfig(buffer_size=64, synth=sine_registered, onset_log=str(log)))
        assert choice.synth is not None, choice.description
        assert choice.description.startswith("sounddevice") and "64 frames" in choice.description
        with choice.synth as synth:
            for pitch in (60, 64, 67, 72):
                synth.note_on(0, pitch, 100, 0, time.monotonic())
                time.sleep(0.1)
                synth.note_off(0, pitch, 0, time.monotonic())
                time.sleep(0.05)
    onsets = [float(x) for x in log.read_text().split()]
    print(f"\nsine in the synth child: arrival -> sound {[round(x * 1e3, 2) for x in onsets]} ms")
    assert len(onsets) == 4, onsets
    assert max(onsets) < 0.05, onsets  # a few 1.3 ms buffers plus PortAudio's own, not a lost note
