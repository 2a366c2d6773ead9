"""The one sound-output interface (bridge/sound/sink.py): every output derives from Sink, and `with` closes it."""

from __future__ import annotations

import pytest

from pianogenie.bridge.sound.sink import Sink


class Notes(Sink):
    description = "a list"

    def __init__(self) -> None:
        self.sounding: set[tuple[int, int]] = set()
        self.closed = False

    def note_on(self, performer, pitch, velocity, button, time, sender=None):
        self.sounding.add((performer, pitch))

    def note_off(self, performer, pitch, button, time, sender=None):
        self.sounding.discard((performer, pitch))

    def all_off(self):
        self.sounding.clear()

    def close(self):
        super().close()
        self.closed = True


def test_with_closes_the_output_and_silences_it_even_when_the_block_raises():
    with pytest.raises(RuntimeError):
        with Notes() as out:
            out.note_on(0, 60, 100, 0, 0.0)
            raise RuntimeError("the run failed")
    assert out.closed and not out.sounding


def test_an_output_that_plays_nothing_says_so():
    with pytest.raises(NotImplementedError, match="Sink plays no notes"):
        Sink().note_on(0, 60, 100, 0, 0.0)


@pytest.mark.parametrize("where,name", [
    ("pianogenie.bridge.midi", "MidiOut"),
    ("pianogenie.bridge.sound.synth_process", "SynthProcess"),
    ("pianogenie.bridge.sound.sounddevice_synth", "SoundDeviceSynth"),
    ("pianogenie.bridge.sound.piano", "LivePiano"),
    ("pianogenie.bridge.cli.play", "Printer"),
])
def test_every_output_is_a_sink(where, name):
    import importlib

    assert issubclass(getattr(importlib.import_module(where), name), Sink)


def test_the_pyo_synth_is_a_sink():
    pytest.importorskip("pyo")
    from pianogenie.bridge.sound.pyo_synth import PyoSynth

    assert issubclass(PyoSynth, Sink)
