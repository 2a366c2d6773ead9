"""`pianogenie render` writes its WAV block by block (issue 23): the bytes are those of the whole-buffer render, and
peak memory does not grow with the take's length, a long pause included."""

from __future__ import annotations

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
from pianogenie.engine.takes import Take
from tests.conftest import REPO


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


PEAK = textwrap.dedent("""
    import resource, subprocess, sys
    subprocess.run([sys.executable, "-m", "pianogenie", "render", sys.argv[1], sys.argv[2], "--sample-rate", "8000",
                    *sys.argv[3:]], check=True)
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
""")


def peak_kib(tmp_path, minutes: float, pause_minutes: float, *flags: str) -> int:
    take = tmp_path / f"take{minutes}.json"
    Take.from_document(long_take(minutes, pause_minutes, notes_per_minute=20)).save(take)
    out = subprocess.run([sys.executable, "-c", PEAK, str(take), str(tmp_path / f"out{minutes}.wav"), *flags],
                         cwd=REPO, capture_output=True, text=True, timeout=600, check=True)
    return int(out.stdout.split()[-1])


@pytest.mark.parametrize("synth", ["fm", "piano"])
def test_render_memory_does_not_grow_with_the_take(tmp_path, synth):
    if synth == "piano":
        pytest.importorskip("fluidsynth")
    short, long = peak_kib(tmp_path, 5, 2, "--synth", synth), peak_kib(tmp_path, 30, 20, "--synth", synth)
    # Whole-buffer, 25 more minutes at 8 kHz is 12 M float64 samples, ~100 MB more; streamed, a block's worth.
    assert long - short < 20 * 1024, (short, long)
    assert long < 300 * 1024
