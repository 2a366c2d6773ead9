"""The SoundFont piano (`--synth piano`), tested by analysis of real audio from FluidSynth and TimGM6mb: onsets
where the notes are, each note's f0 on its pitch, note-offs that end the sound, the pedal, stolen voices, byte-
identical re-renders; live through FluidSynth's JACK driver on a JACK dummy server, both channels, press -> sound
measured; and every way it cannot play is one line and exit 2."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from pianogenie.bridge.sound.voices import SynthParams
from pianogenie.bridge.sound.wav import read_wav
from tests.conftest import REPO, jack_dummy
from tests.bridge.test_bridge_audio import cents, fundamental, onsets

PIANOGENIE = [sys.executable, "-m", "pianogenie"]
SOUNDFONT = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")  # Debian timgm6mb-soundfont (Makefile APT_TEST)
SR = 48000


def _need_piano() -> None:
    from pianogenie.bridge.sound.soundfont import SoundFontError, load_fluidsynth

    try:
        load_fluidsynth()
    except SoundFontError as exc:
        pytest.skip(str(exc))
    if not SOUNDFONT.is_file():
        pytest.skip("timgm6mb-soundfont is not installed")


# Sustained notes across the piano's middle, each released well before the next (a piano's release is longer
# than the FM synth's).
PITCHES = [45, 52, 57, 60, 64, 69, 76, 84]
NOTES = [{"pitch": p, "onset": round(1.0 * i, 3), "offset": round(1.0 * i + 0.45, 3), "velocity": 100} for i, p in enumerate(PITCHES)]


def _render(tmp_path: Path, name: str, *extra: str) -> subprocess.CompletedProcess:
    take = tmp_path / "take.json"
    take.write_text(json.dumps({"events": [], "notes": NOTES}))
    return subprocess.run([*PIANOGENIE, "render", "--synth", "piano", "--soundfont", str(SOUNDFONT), *extra, str(take),
                           str(tmp_path / name)], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_piano_render_plays_each_note_on_pitch_ends_it_and_is_byte_identical(tmp_path):
    _need_piano()
    for name in ("a.wav", "b.wav"):
        proc = _render(tmp_path, name)
        assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes(), "FluidSynth renders deterministically"
    audio, sr = read_wav(tmp_path / "a.wav")
    assert sr == SR
    # The first note starts at sample 0 (before the detector's first window); the others where they are played,
    # within FluidSynth's 64-sample event granularity and one period of the note.
    assert np.abs(audio[:int(0.01 * sr)]).max() > 0.01
    found = onsets(audio, sr)
    assert len(found) == len(NOTES) - 1, found
    for note, t in zip(NOTES[1:], found):
        assert abs(t - note["onset"]) <= 0.005 + 64 / sr + 1.0 / (440 * 2 ** ((note["pitch"] - 69) / 12)), (note, t)
    padded = np.concatenate([audio, np.zeros(sr)])  # the render may end sooner: it stops at silence
    for note in NOTES:
        start = int((note["onset"] + 0.05) * sr)
        f0 = fundamental(audio[start:start + int(0.2 * sr)], sr)
        assert abs(cents(f0, note["pitch"])) < 15, (note["pitch"], f0)
        # The note-off ends the note: 0.5 s after it, the level is 50 dB under the note's peak (measured: a note
        # still held is 14..34 dB under it then).
        peak = np.abs(audio[int(note["onset"] * sr):int(note["offset"] * sr)]).max()
        after = np.abs(padded[int((note["offset"] + 0.5) * sr):int((note["offset"] + 0.55) * sr)]).max()
        assert after < 0.003 * peak, (note["pitch"], peak, after)
    # The render ends once the last release has faded, not seconds later, and ends in silence.
    assert len(audio) / sr < NOTES[-1]["offset"] + 1.5
    assert np.abs(audio[-int(0.01 * sr):]).max() < 2e-4


def test_velocity_sets_the_loudness():
    _need_piano()
    from pianogenie.bridge.sound.piano import render_piano
    from pianogenie.engine.takes import Note

    soft, loud = (render_piano([Note(60, 0.0, 0.5, velocity=v)], SOUNDFONT) for v in (30, 120))
    assert np.abs(loud).max() > 2 * np.abs(soft).max() > 0


def _level(bank, seconds: float) -> float:
    return float(np.abs(bank.render(int(seconds * SR))).max())


def test_pedal_holds_released_notes_until_it_is_lifted():
    _need_piano()
    from pianogenie.bridge.sound.piano import PianoBank

    bank = PianoBank(SOUNDFONT, SynthParams(voices=8), SR)
    try:
        bank.pedal(True)
        for pitch in (60, 64, 67):
            bank.note_on((0, pitch), pitch, 100)
        bank.render(SR // 10)
        for pitch in (60, 64, 67):
            bank.note_off((0, pitch), pitch)
        bank.render(SR // 2)
        assert _level(bank, 0.1) > 0.005, "the pedal keeps the released notes sounding"
        bank.pedal(False)
        bank.render(SR)
        assert _level(bank, 0.1) < 2e-4, "pedal-up ends them"
    finally:
        bank.close()


def test_all_off_silences_held_and_pedalled_notes():
    """What serve and play do on exit: nothing may hang, whether held by a key or by the pedal."""
    _need_piano()
    from pianogenie.bridge.sound.piano import PianoBank

    bank = PianoBank(SOUNDFONT, SynthParams(voices=16), SR)
    try:
        for pitch in range(48, 56):
            bank.note_on((0, pitch), pitch, 110)
        bank.pedal(True)
        for pitch in range(56, 60):
            bank.note_on((1, pitch), pitch, 110)
            bank.note_off((1, pitch), pitch)
        bank.render(SR // 5)
        assert _level(bank, 0.05) > 0.01
        bank.all_off()
        bank.render(SR)
        assert _level(bank, 0.1) < 2e-4
        assert bank.fs.get_active_voice_count() == 0
    finally:
        bank.close()


def test_voices_beyond_the_limit_steal_the_oldest_note():
    """--voices counts notes for the piano as for the FM synth: the oldest held notes stop."""
    _need_piano()
    from pianogenie.bridge.sound.piano import PianoBank

    def held(pitches: list[int | None], voices: int) -> tuple[int, np.ndarray]:
        """Notes struck 20 ms apart (None: a rest) and held; then the count of FluidSynth voices and the audio."""
        bank = PianoBank(SOUNDFONT, SynthParams(voices=voices), SR)
        try:
            for pitch in pitches:
                if pitch is not None:
                    bank.note_on((0, pitch), pitch, 100)
                bank.render(SR // 50)
            bank.render(2 * SR)  # the stolen notes' releases fade (about 1 s in TimGM6mb)
            return bank.fs.get_active_voice_count(), bank.render(SR // 5).mean(axis=1)
        finally:
            bank.close()

    stolen_count, stolen_audio = held([48, 52, 55, 60, 64, 67], voices=2)
    kept_count, kept_audio = held([None, None, None, None, 64, 67], voices=2)
    assert stolen_count == kept_count > 0
    assert np.allclose(stolen_audio, kept_audio, atol=1e-3), "only the two newest notes still sound"


def _one_line_exit_2(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr


def test_bad_soundfonts_are_one_line_and_exit_2(tmp_path, random_model_dir):
    _need_piano()
    truncated = tmp_path / "cut.sf2"
    truncated.write_bytes(SOUNDFONT.read_bytes()[:4096])  # a real header, no samples
    text = tmp_path / "notes.sf2"
    text.write_text("not a soundfont")
    cases = [(tmp_path / "missing.sf2", "cannot read"), (tmp_path, "directory"), (text, "not a SoundFont"),
             (truncated, "cannot load")]
    take = tmp_path / "take.json"
    take.write_text(json.dumps({"events": [], "notes": NOTES[:2]}))
    for path, words in cases:
        proc = subprocess.run([*PIANOGENIE, "render", "--synth", "piano", "--soundfont", str(path), str(take), str(tmp_path / "x.wav")],
                              cwd=REPO, capture_output=True, text=True, timeout=120)
        _one_line_exit_2(proc, words, str(path))
        proc = subprocess.run([*PIANOGENIE, "serve", "--port", "0", "--midi-out", "none", "--model", str(random_model_dir),
                               "--synth", "piano", "--soundfont", str(path)], cwd=REPO, capture_output=True, text=True, timeout=120)
        _one_line_exit_2(proc, words)
        assert "ready" not in proc.stdout


def test_missing_fluidsynth_or_soundfont_is_one_line_and_exit_2(tmp_path, random_model_dir):
    take = tmp_path / "take.json"
    take.write_text(json.dumps({"events": [], "notes": NOTES[:2]}))
    # The library missing: pyfluidsynth's import fails as it does without libfluidsynth.
    blocked = "import sys, runpy; sys.modules['fluidsynth'] = None; sys.argv = ['pianogenie'] + sys.argv[1:]; runpy.run_module('pianogenie', run_name='__main__')"
    for command in (["render", "--synth", "piano", str(take), str(tmp_path / "x.wav")],
                    ["serve", "--port", "0", "--midi-out", "none", "--model", str(random_model_dir), "--synth", "piano"]):
        proc = subprocess.run([sys.executable, "-c", blocked, *command], cwd=REPO, capture_output=True, text=True, timeout=120)
        _one_line_exit_2(proc, "needs FluidSynth", "pianogenie-bridge[piano]")
    # No SoundFont installed.
    from pianogenie.bridge.sound import soundfont

    original = soundfont.DEFAULT_SOUNDFONTS
    soundfont.DEFAULT_SOUNDFONTS = ((str(tmp_path / "none.sf2"), "timgm6mb-soundfont"),)
    try:
        with pytest.raises(soundfont.SoundFontError, match=r"no General MIDI SoundFont installed \(apt install timgm6mb-soundfont"):
            soundfont.find_soundfont()
    finally:
        soundfont.DEFAULT_SOUNDFONTS = original


def test_serve_plays_the_piano_live_on_jack_in_both_ears_promptly(tmp_path, random_model_dir):
    """End to end on a JACK dummy server (64 frames): OSC presses into `pianogenie serve --synth piano`; an onset
    meter on JACK hears every press on both channels, and times press -> sound; SIGTERM ends every note."""
    _need_piano()
    pytest.importorskip("pyo")  # the meter is a pyo JACK client
    from pianogenie.bridge.osc.client import OscClient
    from tests.jack_helpers import connect, connections, jack_onset_meter

    period, presses = 64, 8
    with jack_dummy(period) as env:
        with jack_onset_meter(env, period) as (inputs, heard):
            serve = subprocess.Popen([*PIANOGENIE, "serve", "--port", "0", "--reply-to", "none", "--model", str(random_model_dir),
                                      "--midi-out", "none", "--synth", "piano", "--soundfont", str(SOUNDFONT)],
                                     cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            try:
                text = ""
                for line in serve.stdout:
                    text += line
                    if "ready" in line:
                        break
                assert "piano TimGM6mb.sf2 (FluidSynth jack)" in text, text
                table = connections(env)
                assert table.get("pianogenie:left") == {"system:playback_1"}, table
                assert table.get("pianogenie:right") == {"system:playback_2"}, table
                port = int(re.search(r"osc udp [\d.]+:(\d+)", text).group(1))
                client = OscClient(("127.0.0.1", port))
                sent: dict[str, list[float]] = {"left": [], "right": []}
                for side, source, meter_in in (("left", "pianogenie:left", inputs[0]), ("right", "pianogenie:right", inputs[1])):
                    connect(env, source, meter_in)
                    for i in range(presses // 2):
                        sent[side].append(time.monotonic())
                        client.send("/genie/press", i % 8)
                        time.sleep(0.15)
                        client.send("/genie/release", i % 8)
                        time.sleep(1.3)  # the release fades 20 dB under the meter's threshold (it takes about 1 s)
                    subprocess.run(["jack_disconnect", source, meter_in], check=True, timeout=30, env=env)
                client.send("/genie/press", 5)  # held when the bridge stops: shutdown must end it
                time.sleep(0.3)
                client.close()
                serve.send_signal(signal.SIGTERM)
                assert serve.wait(60) == 0
                assert "1 at shutdown" in serve.stdout.read()
            finally:
                if serve.poll() is None:
                    serve.kill()
    latencies = []
    for t in sent["left"] + sent["right"]:
        after = [h - t for h in heard if h > t]
        assert after and min(after) < 0.1, (t, heard)
        latencies.append(min(after))
    assert len(heard) == presses, (heard, sent)  # each press heard once, on the channel the meter listened to
    latencies.sort()
    print(f"piano on JACK dummy, {period} frames: press -> sound p50 {1000 * latencies[len(latencies) // 2]:.2f} ms, "
          f"max {1000 * latencies[-1]:.2f} ms over {len(latencies)} presses")
    assert latencies[len(latencies) // 2] < 0.02
