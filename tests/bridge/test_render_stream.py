"""`pianogenie render` writes its WAV block by block (issue 23): the bytes are those of the whole-buffer render, and
peak memory does not grow with the take's length, a long pause included."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from pianogenie.bridge.sound.blocks import play_notes
from pianogenie.bridge.sound.fm import FmVoiceBank
from pianogenie.bridge.sound.render import RenderConfig, from_first_note, render_file
from pianogenie.bridge.sound.voices import SynthParams
from pianogenie.bridge.sound.wav import write_wav
from pianogenie.engine.takes import NOTE_ON, Take, timeline
from tests.conftest import REPO

MDA_PIANO = "http://drobilla.net/plugins/mda/Piano"
PLUGIN = f"lv2:{MDA_PIANO}"


def long_take(minutes: float, pause_minutes: float, notes_per_minute: int = 60) -> dict:
    """A take's document: notes through `minutes`, with a silent `pause_minutes` in its middle."""
    notes, time, pause_at = [], 0.0, (minutes - pause_minutes) / 2 * 60
    while time < minutes * 60:
        if pause_at <= time < pause_at + pause_minutes * 60:
            time = pause_at + pause_minutes * 60
        notes.append({"pitch": 48 + len(notes) % 36, "onset": time, "offset": time + 0.4})
        time += 60 / notes_per_minute
    return {"notes": notes}


def test_streamed_wav_is_the_whole_buffer_wav_byte_for_byte(tmp_path):
    take = Take.from_document(long_take(1.0, 0.4, notes_per_minute=120))
    take.save(tmp_path / "take.json")
    config = RenderConfig(sample_rate=22050)
    render_file(tmp_path / "take.json", tmp_path / "streamed.wav", config)
    # Yesterday's path: every gap rendered as one block, the whole take concatenated, then written at once.
    params = SynthParams()
    bank = FmVoiceBank(params, config.sample_rate)
    blocks, _ = play_notes(bank, from_first_note(take.notes()), config.sample_rate)
    blocks.append(bank.render(int(params.release_tail * config.sample_rate) + 1))
    whole = np.clip(np.concatenate(blocks), -1.0, 1.0).astype(np.float32)
    write_wav(tmp_path / "whole.wav", whole, config.sample_rate)
    streamed, reference = (tmp_path / "streamed.wav").read_bytes(), (tmp_path / "whole.wav").read_bytes()
    assert len(streamed) > 44 + 2 * 22050 * 50 and streamed == reference


def needs_mda_piano() -> None:
    lv2 = pytest.importorskip("pianogenie.bridge.sound.lv2")
    try:
        uris = {info.uri for info in lv2.list_plugins()}
    except lv2.lilv.LilvMissing as exc:  # pragma: no cover - make system-test installs it
        pytest.skip(str(exc))
    if MDA_PIANO not in uris:  # pragma: no cover
        pytest.skip("mda-lv2 is not installed (make system-test installs it)")


def whole_buffer_plugin_wav(notes, path, sample_rate: int, gain: float, block: int = 256) -> None:
    """Yesterday's plugin render, kept here as the reference: every block collected, concatenated, then written."""
    from pianogenie.bridge.sound.lv2 import Lv2Instrument

    events = timeline(notes, at=lambda seconds: round(seconds * sample_rate), shortest=1)
    blocks, done, i, end = [], 0, 0, events[-1][0] + 1
    with Lv2Instrument(MDA_PIANO, sample_rate, block) as synth:
        while done < end:
            n = min(block, end - done)
            while i < len(events) and events[i][0] < done + n:
                frame, kind, note = events[i]
                if kind == NOTE_ON:
                    synth.note_on((note.performer, note.pitch), note.pitch, note.velocity, offset=frame - done)
                else:
                    synth.note_off((note.performer, note.pitch), note.pitch, offset=frame - done)
                i += 1
            blocks.append(synth.render(n))
            done += n
        synth.all_off()
        for _ in range(int(10.0 * sample_rate / block) + 1):
            blocks.append(synth.render(block))
            if np.abs(blocks[-1]).max() < 10 ** (-80 / 20):
                break
    write_wav(path, np.concatenate(blocks) * gain, sample_rate)


def test_streamed_plugin_wav_is_the_whole_buffer_wav_byte_for_byte(tmp_path):
    needs_mda_piano()
    from pianogenie.bridge.sound.gain import db_to_linear

    take = Take.from_document(long_take(0.5, 0.2, notes_per_minute=240))
    take.save(tmp_path / "take.json")
    config = RenderConfig(sample_rate=22050, synth=PLUGIN, gain_db=-3.0)
    _, seconds = render_file(tmp_path / "take.json", tmp_path / "streamed.wav", config)
    whole_buffer_plugin_wav(from_first_note(take.notes()), tmp_path / "whole.wav", 22050, db_to_linear(-3.0))
    streamed, reference = (tmp_path / "streamed.wav").read_bytes(), (tmp_path / "whole.wav").read_bytes()
    assert len(streamed) == 44 + 4 * round(seconds * 22050)
    assert len(streamed) > 44 + 4 * 22050 * 20 and streamed == reference
    pcm = np.frombuffer(streamed[44:], "<i2").reshape(-1, 2)
    assert np.abs(pcm).max() > 3000 and not np.array_equal(pcm[:, 0], pcm[:, 1])  # the piano sounds, in stereo


PEAK = textwrap.dedent("""
    import resource, subprocess, sys
    subprocess.run([sys.executable, "-m", "pianogenie", "render", *sys.argv[1:]], check=True,
                   stdout=subprocess.DEVNULL)
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
""")


def peak_kib(tmp_path, minutes: float, pause_minutes: float, rate: int, *flags: str) -> int:
    take = tmp_path / f"take{minutes}.json"
    Take.from_document(long_take(minutes, pause_minutes, notes_per_minute=20)).save(take)
    out = subprocess.run([sys.executable, "-c", PEAK, str(take), str(tmp_path / f"out{minutes}.wav"),
                          "--sample-rate", str(rate), *flags],
                         cwd=REPO, capture_output=True, text=True, timeout=600, check=True)
    return int(out.stdout.split()[-1])


# MDA Piano runs at 16 kHz: at 8 kHz its filters are unstable (NaN, and it prints each bad sample).
@pytest.mark.parametrize("synth, rate", [("fm", 8000), ("piano", 8000), (PLUGIN, 16000), ("pyo", 8000)])
def test_render_memory_does_not_grow_with_the_take(tmp_path, synth, rate):
    if synth == "piano":
        pytest.importorskip("fluidsynth")
    elif synth == PLUGIN:
        needs_mda_piano()
    elif synth == "pyo" and importlib.util.find_spec("pyo") is None:  # not imported here: pyo boots a GUI check
        pytest.skip("pyo is not installed")
    short = peak_kib(tmp_path, 5, 2, rate, "--synth", synth)
    long = peak_kib(tmp_path, 30, 20, rate, "--synth", synth)
    # Whole-buffer, 25 more minutes at 8 kHz is 12 M samples a channel, ~100 MB more per copy held; streamed
    # (pyo records to the file itself), a block's worth.
    assert long - short < 20 * 1024, (short, long)
    assert long < 300 * 1024
