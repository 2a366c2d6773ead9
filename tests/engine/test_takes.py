"""The take schema (engine/takes.py): version 2 written and read, version 1 loaded through its migration, newer
versions and bad fields refused in one line; and exact replay: random sessions of presses, releases and every
state change, played through a real Bridge with a Recorder, replay to the recorded notes bit for bit."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from pianogenie.bridge import protocol as p
from pianogenie.bridge.core import Bridge
from pianogenie.bridge.recorder import Recorder
from pianogenie.engine import PianoGenie
from pianogenie.engine.model_format import write_model
from pianogenie.engine.takes import (PLAIN_VERSION, TAKE_VERSION, Take, TakeError, journal_path, notes_document, replay,
                                     replay_take)
from tests.conftest import CONFIG, REPO, random_tensors

PIANOGENIE = [sys.executable, "-m", "pianogenie"]

# A take as version 1 (before the format had a version) wrote it: times rounded, no changes, no order.
V1_TAKE = {
    "events": [{"time": 0.5, "button": 3, "release": 0.7, "velocity": 100},
               {"time": 0.9, "button": 4, "release": 1.4, "velocity": 80},
               {"time": 1.6, "button": 1, "release": 1.7, "velocity": 100}],
    "notes": [{"pitch": 60, "onset": 0.5, "offset": 0.7, "button": 3, "velocity": 100},
              {"pitch": 62, "onset": 0.9, "offset": 1.4, "button": 4, "velocity": 80},
              {"pitch": 57, "onset": 1.6, "offset": 1.7, "button": 1, "velocity": 100}],
    "performers": {"2": {"events": [{"time": 1.0, "button": 6, "release": 1.2, "velocity": 100}],
                         "notes": [{"pitch": 70, "onset": 1.0, "offset": 1.2, "button": 6, "velocity": 100}]}},
    "temperature": 0.5,
    "seed": 11,
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*PIANOGENIE, *args], cwd=REPO, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("take_models")
    for name, seed in (("alpha", 1), ("beta", 2)):
        write_model(root / name, random_tensors(seed), CONFIG)
    return root / "alpha", root / "beta"


# --- the schema ---------------------------------------------------------------------------------------------

def test_a_version_1_take_loads_through_the_migration_and_replays_as_before(models, tmp_path):
    alpha, beta = models
    document = {**V1_TAKE, "model": str(alpha), "model_changes": [{"time": 1.5, "name": "beta", "model": str(beta)}]}
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(document))
    take = Take.load(path)
    assert take.version == 1 and take.model == str(alpha) and take.temperature == 0.5 and take.seed == 11
    assert [e.button for e in take.events] == [3, 4, 1] and take.tracks[0].changes == []
    assert [n.pitch for n in take.notes()] == [60, 62, 57, 70] and take.notes()[-1].performer == 2
    assert [(c.time, c.name, c.model) for c in take.model_changes] == [(1.5, "beta", str(beta))]
    # Version 1's replay: performer 0's events, each model stretch from a fresh start, each press its own note.
    genies = {str(alpha): PianoGenie.load(alpha), str(beta): PianoGenie.load(beta)}
    expected = (replay(genies[str(alpha)], take.events[:2], 0.5, 11) + replay(genies[str(beta)], take.events[2:], 0.5, 11))
    assert replay_take(take, genies.__getitem__) == expected
    # Saved again, it is a version-2 file with the same content.
    take.save(tmp_path / "v2.json")
    saved = json.loads((tmp_path / "v2.json").read_text())
    assert saved["version"] == PLAIN_VERSION and saved["notes"] == V1_TAKE["notes"]
    assert saved["performers"]["2"]["events"] == V1_TAKE["performers"]["2"]["events"]
    assert Take.load(tmp_path / "v2.json").notes() == take.notes()


def test_save_is_whole_or_nothing(tmp_path, monkeypatch):
    path = tmp_path / "take.json"
    Take.from_document(V1_TAKE).save(path)
    before = path.read_bytes()
    import pianogenie.engine.takes as takes

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(takes.os, "replace", full_disk)
    with pytest.raises(OSError):
        Take.from_document({**V1_TAKE, "seed": 12}).save(path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["take.json"]


@pytest.mark.parametrize("text, words", [
    ('{"version": 4, "events": []}', "version 4"),
    ('{"version": "2", "events": []}', "version must be an integer"),
    ('{"version": 2, "events": [], "temperature": "0.5"}', "temperature"),
    ('{"version": 2, "events": [], "temperature": [1]}', "temperature"),
    ('{"events": [], "seed": 1.5}', "seed"),
    ('{"events": [], "seed": [1, 2]}', "seed"),
    ('{"events": [], "seed": 1e400}', "seed"),
    ('{"events": [], "seed": -1}', "seed"),
    ('{"events": [{"time": Infinity, "button": 1}]}', "time"),
    ('{"events": [{"time": NaN, "button": 1}]}', "time"),
    ('{"events": [{"time": 0, "button": 1e400}]}', "button"),
    ('{"events": [{"time": 0, "button": 1, "release": 1e9}]}', "release"),
    ('{"version": 2, "events": [{"time": 0, "button": 1, "dt": 3}]}', "dt"),
    ('{"version": 2, "events": [], "changes": [{"time": 0, "change": "louder"}]}', "change"),
    ('{"version": 2, "events": [], "changes": [{"time": 0, "change": "keys", "value": []}]}', "keys"),
    ('{"version": 2, "events": [], "changes": [{"time": 0, "change": "sustain", "value": 1}]}', "sustain"),
    ('{"version": 2, "events": [], "changes": [{"time": 0, "change": "temperature", "value": 2}]}', "temperature"),
    ('{"events": [], "model_changes": [{"time": 1, "model": 3}]}', "model change 0"),
    ('{"notes": [{"pitch": 60, "onset": 0, "offset": Infinity}]}', "offset"),
    ('{"notes": [{"pitch": 60, "onset": 0, "offset": 1e9}]}', "offset"),
    ('{"notes": [{"pitch": "60", "onset": 0, "offset": 1}]}', "pitch"),
])
def test_a_bad_take_is_refused_in_one_line_naming_the_field(text, words, tmp_path, random_model_dir):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(TakeError, match=words):
        Take.load(path)
    for command in (["replay", "--events", str(path), "--model", str(random_model_dir)],
                    ["render", str(path), str(tmp_path / "out.mid")]):
        result = run(*command)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        line = result.stderr.strip()
        assert "\n" not in line and words in line and "bad.json" in line and "Traceback" not in line, line


def test_replay_refuses_a_take_whose_model_is_gone_unless_given_one(tmp_path, random_model_dir):
    path = tmp_path / "take.json"
    path.write_text(json.dumps({**V1_TAKE, "version": 2, "model": str(tmp_path / "gone")}))
    result = run("replay", "--events", str(path))
    assert result.returncode == 2 and result.stdout == ""
    assert "gone is not there" in result.stderr and "--model" in result.stderr and "\n" not in result.stderr.strip()
    result = run("replay", "--events", str(path), "--model", str(random_model_dir))
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["notes"]) == 3 and len(json.loads(result.stdout)["performers"]["2"]["notes"]) == 1


# --- exact replay: random sessions through a real Bridge --------------------------------------------------------

class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _play_random_session(rng: random.Random, bridge: Bridge, clock: Clock, genies: list[PianoGenie]) -> None:
    """Presses, releases and every state change, for two performers, with bundles (one arrival time for several
    messages), a clock that sometimes runs backwards, idle timeouts and model swaps."""
    for _ in range(rng.randrange(20, 80)):
        step = rng.random()
        if step < 0.1:
            clock.now -= rng.uniform(0.0, 0.05)   # two clocks mixed in an arrival stamp
        elif step < 0.3:
            pass                                 # a bundle: the same arrival time
        else:
            clock.now += rng.choice([rng.uniform(0.0, 0.2), rng.uniform(0.2, 1.5)])
        prefix = rng.choice(["/genie", "/genie", "/genie/3"])
        verb = rng.choices(["press", "release", "pedal", "reset", "temperature", "keys", "range", "panic", "idle",
                            "swap"], [30, 25, 8, 4, 5, 4, 4, 2, 2, 2])[0]
        if verb == "press":
            args = [rng.randrange(8)] + ([rng.randrange(1, 128)] if rng.random() < 0.5 else [])
        elif verb == "release":
            args = [rng.randrange(8)]
        elif verb == "pedal":
            args = [rng.randrange(2)]
        elif verb == "temperature":
            args = [rng.choice([0.0, 1.0, rng.random()])]
        elif verb == "keys":
            args = [] if rng.random() < 0.3 else rng.sample(range(21, 109), rng.randrange(1, 12))
        elif verb == "range":
            low = rng.randrange(21, 100)
            args = [low, rng.randrange(low, 109)]
        elif verb == "idle":
            clock.now += bridge.idle_timeout + 0.1
            bridge.sweep_idle()
            continue
        elif verb == "swap":
            bridge.swap(rng.choice(genies))
            continue
        else:
            args = []
        address = f"{prefix}/{verb}"
        assert bridge.handle(address, args, None, clock.now), address


@pytest.mark.parametrize("seed", range(12))
def test_random_sessions_replay_to_the_recorded_notes_bit_for_bit(seed, models, tmp_path):
    genies = [PianoGenie.load(m) for m in models]
    by_dir = {str(g.model_dir): g for g in genies}
    rng = random.Random(seed)
    clock = Clock(1000.0 + rng.random())
    bridge = Bridge(genies[0], temperature=rng.choice([0.0, 0.25, 1.0]), seed=seed, idle_timeout=1.0, clock=clock)
    path = tmp_path / "take.json"
    bridge.recorder = Recorder(path, bridge.started, {"model": str(genies[0].model_dir),
                                                      "temperature": bridge.temperature, "seed": seed})
    bridge.sinks.append(bridge.recorder)
    _play_random_session(rng, bridge, clock, genies)
    # While it records, the journal beside the take is the take so far.
    assert Take.load(path).notes() == bridge.recorder.builder.take().notes()
    bridge.shutdown()
    clock.now += 0.5
    bridge.recorder.save(clock())
    assert not journal_path(path).exists()
    take = Take.load(path)
    played = take.notes()
    assert played and bridge.counters.notes_on == len(played) == bridge.counters.notes_off
    # The clock clamped: no time decreases, no note ends before it starts.
    for track in take.tracks.values():
        times = [e.time for e in track.events]
        assert times == sorted(times) and all(e.release >= e.time for e in track.events)
    assert all(n.offset >= n.onset for n in played)
    assert replay_take(take, by_dir.__getitem__) == played


def test_replay_command_gives_the_recorded_document(models, tmp_path):
    """The command's output is the take's own notes document, every performer included."""
    genie = PianoGenie.load(models[0])
    clock = Clock(50.0)
    bridge = Bridge(genie, seed=3, clock=clock)
    path = tmp_path / "take.json"
    bridge.recorder = Recorder(path, bridge.started, {"model": str(genie.model_dir), "temperature": 0.25, "seed": 3})
    bridge.sinks.append(bridge.recorder)
    _play_random_session(random.Random(99), bridge, clock, [genie])
    bridge.shutdown()
    bridge.recorder.save(clock())
    result = run("replay", "--events", str(path))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(json.dumps(notes_document(Take.load(path).notes())))


# --- the recorder's clock and journal ----------------------------------------------------------------------------

def test_a_clock_that_runs_backwards_is_clamped_and_the_take_still_replays(models, tmp_path):
    """Issue 23.6: zero-length notes from a sequencer, stamped by a clock that steps back; no time decreases,
    no release comes before its press, and the presses keep the gaps the decoder saw."""
    genie = PianoGenie.load(models[0])
    clock = Clock(10.0)
    bridge = Bridge(genie, seed=1, clock=clock)
    path = tmp_path / "take.json"
    bridge.recorder = Recorder(path, bridge.started, {"model": str(genie.model_dir), "temperature": 0.25, "seed": 1})
    bridge.sinks.append(bridge.recorder)
    stamps = [10.5, 10.5, 10.4999, 10.62, 10.61, 10.6, 10.9, 10.9001]
    for i, stamp in enumerate(stamps):
        button = i % 8
        assert bridge.handle(p.IN_PRESS, [button], None, stamp)
        assert bridge.handle(p.IN_RELEASE, [button], None, stamp - 0.001)  # the release stamped earlier
    bridge.recorder.save(11.0)
    take = Take.load(path)
    times = [t for e in take.events for t in (e.time, e.release)]
    assert times == sorted(times) and times[0] == 0.5
    # Where the clamp changed a gap (10.4999 -> 10.62 was 0.1201 s, the take says 0.12), the press keeps it.
    kept = [e.dt is not None for e in take.events]
    assert kept[:3] == [False, False, False] and kept[3] and kept[6] and take.events[3].dt == 10.62 - 10.4999
    assert all(n.offset >= n.onset for n in take.notes())



def test_play_from_a_pipe_replays_bit_for_bit(random_model_dir, tmp_path):
    """`play` with sustain (space) and reset (0) between the presses."""
    take = tmp_path / "take.json"
    result = subprocess.run([*PIANOGENIE, "play", "--audio", "none", "--midi-out", "none", "--gate", "0.05", "--model",
                             str(random_model_dir), "--record", str(take)],
                            input="as df 0jk l; 1 234 0 5678", cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    document = json.loads(take.read_text())
    assert {c["change"] for c in document["changes"]} >= {"sustain", "reset"} and len(document["notes"]) == 16
    replayed = run("replay", "--events", str(take))
    assert replayed.returncode == 0, replayed.stderr
    assert json.loads(replayed.stdout) == {"notes": document["notes"]}


def test_a_take_played_from_midi_in_replays_bit_for_bit(models, tmp_path):
    """MidiIn's callback path (only rtmidi's thread replaced): notes, velocities and the sustain pedal (CC 64),
    stamped by the real clock."""
    mido = pytest.importorskip("mido")
    from pianogenie.bridge.midi import ButtonMap, MidiIn

    class FakeInput:
        name = "controller"
        callback = None

    genie = PianoGenie.load(models[1])
    bridge = Bridge(genie, seed=4)
    path = tmp_path / "take.json"
    bridge.recorder = Recorder(path, bridge.started, {"model": str(genie.model_dir), "temperature": 0.25, "seed": 4})
    bridge.sinks.append(bridge.recorder)
    port = FakeInput()
    MidiIn(port, ButtonMap("base", base=60), bridge.handle)
    rng = random.Random(4)
    for _ in range(120):
        note = 60 + rng.randrange(8)
        kind = rng.choices(["on", "off", "pedal"], [5, 4, 1])[0]
        if kind == "on":
            port.callback(mido.Message("note_on", note=note, velocity=rng.randrange(1, 128)))
        elif kind == "off":
            port.callback(mido.Message("note_off", note=note) if rng.random() < 0.5 else
                          mido.Message("note_on", note=note, velocity=0))
        else:
            port.callback(mido.Message("control_change", control=64, value=rng.choice([0, 127])))
    bridge.shutdown()
    bridge.recorder.save(bridge.clock())
    take = Take.load(path)
    assert len(take.notes()) == bridge.counters.presses > 30 and take.tracks[0].changes
    assert replay_take(take, lambda directory: genie) == take.notes()


def test_link_beats_and_tempo_map_round_trip_as_version_3_and_plain_takes_stay_version_2(tmp_path) -> None:
    from pianogenie.engine.takes import PressEvent, TempoPoint, Track, beat_at

    plain = Take(tracks={0: Track(events=[PressEvent(1.0, 3, 1.2)])})
    assert plain.document()["version"] == PLAIN_VERSION == 2
    assert "beat" not in plain.document()["events"][0] and "tempo" not in plain.document()
    tempo = [TempoPoint(1.0, 8.0, 120.0), TempoPoint(2.0, 10.0, 60.0)]
    linked = Take(tracks={0: Track(events=[PressEvent(1.0, 3, 1.2, beat=8.0), PressEvent(3.0, 4, beat=11.0)])},
                  tempo=tempo)
    linked.save(tmp_path / "link.json")
    saved = json.loads((tmp_path / "link.json").read_text())
    assert saved["version"] == TAKE_VERSION == 3 and saved["events"][1]["beat"] == 11.0
    loaded = Take.load(tmp_path / "link.json")
    assert loaded.tempo == tempo and [e.beat for e in loaded.events] == [8.0, 11.0]
    assert beat_at(tempo, 1.5) == 9.0 and beat_at(tempo, 3.0) == 11.0 and beat_at(tempo, 0.5) == 7.0


@pytest.mark.parametrize("tempo, words", [
    ([{"time": 1.0, "beat": 0.0, "bpm": 0}], "bpm"),
    ([{"time": 1.0, "beat": "x", "bpm": 120}], "beat"),
    ([{"time": 2.0, "beat": 0.0, "bpm": 120}, {"time": 1.0, "beat": 1.0, "bpm": 120}], "time order"),
])
def test_a_bad_tempo_map_is_refused_in_one_line(tempo, words) -> None:
    with pytest.raises(TakeError, match=words):
        Take.from_document({"version": 3, "events": [], "tempo": tempo}, "t.json")


class _FakeLink:
    """The LinkClock surface the recorder reads: beat_at(time), time_at_beat(beat), tempo and quantum (a session at
    `bpm`, beat 0 at 100 s)."""

    def __init__(self, bpm: float, quantum: float = 4.0):
        self.tempo, self.quantum = bpm, quantum

    def beat_at(self, t: float) -> float:
        return (t - 100.0) * self.tempo / 60.0

    def time_at_beat(self, beat: float) -> float:
        return 100.0 + beat * 60.0 / self.tempo


def test_a_recording_with_link_keeps_each_press_beat_and_the_tempo_changes(tmp_path) -> None:
    clock = _FakeLink(120.0)
    recorder = Recorder(tmp_path / "take.json", 100.0, link=clock)
    recorder.press(0, 1, 90, 101.0)
    recorder.press(0, 2, 90, 101.5)
    clock.tempo = 60.0
    recorder.press(0, 3, 90, 104.0)
    recorder.save(104.5)
    take = Take.load(tmp_path / "take.json")
    assert take.version == 3 and [e.beat for e in take.events] == [2.0, 3.0, 4.0]
    assert [(p.time, p.beat, p.bpm) for p in take.tempo] == [(1.0, 2.0, 120.0), (4.0, 4.0, 60.0)]
    plain = Recorder(tmp_path / "plain.json", 100.0)
    plain.press(0, 1, 90, 101.0)
    plain.save(102.0)
    saved = json.loads((tmp_path / "plain.json").read_text())
    assert saved["version"] == 2 and "tempo" not in saved and "beat" not in saved["events"][0]


def test_a_real_link_session_gives_the_recorded_beats(tmp_path) -> None:
    """Link alone on this host (no peers) still keeps a timeline: the beats recorded follow its tempo."""
    pytest.importorskip("link")
    import time

    from pianogenie.bridge.link import LinkClock

    clock = LinkClock(90.0, 4.0, enable_after_s=0.0)
    clock.start()
    try:
        now = time.monotonic()
        recorder = Recorder(tmp_path / "take.json", now, link=clock)
        recorder.press(0, 1, 90, now)
        recorder.press(0, 2, 90, now + 2.0)
        recorder.save(now + 2.5)
    finally:
        clock.close()
    take = Take.load(tmp_path / "take.json")
    first, second = (e.beat for e in take.events)
    assert second - first == pytest.approx(3.0, abs=1e-3)  # 2 s at 90 BPM
    assert take.tempo[0].bpm == pytest.approx(90.0)


def test_a_link_take_starts_on_the_bar_of_its_first_event_and_keeps_its_quantum(tmp_path) -> None:
    """Recording from 100 s, the first press at 103.3 s (beat 6.6 at 120 BPM, bars of 3): the take's time 0 is the
    bar at beat 6 (103.0 s), so every bar line of the take falls on a multiple of 1.5 s; the journal of a run that
    died keeps the same."""
    recorder = Recorder(tmp_path / "take.json", 100.0, link=_FakeLink(120.0, quantum=3.0))
    recorder.press(0, 1, 90, 103.3)
    recorder.release(0, 1, 103.55)
    recorder.press(0, 2, 90, 104.5)
    died = Take.load(tmp_path / "take.json")  # the journal, as a run killed here would leave it
    recorder.save(105.0)
    for take in (died, Take.load(tmp_path / "take.json")):
        assert take.version == 3 and take.quantum == 3.0
        assert [round(e.time, 9) for e in take.events] == [0.3, 1.5]
        assert [e.beat for e in take.events] == pytest.approx([6.6, 9.0])


def test_a_take_started_on_a_boundary_leaves_out_what_came_before_and_counts_beats_from_it(tmp_path) -> None:
    """/genie/record/start under Link: the take opens at the bar of beat 8 (104.0 s at 120 BPM); a press before it,
    and the release and note-off after it of a note held across it, are not the take's; a press at 104.3 s is at
    time 0.3 and beat 0.6."""
    link = _FakeLink(120.0)
    recorder = Recorder(tmp_path / "take.json", 104.0, link=link, origin_beat=8.0)
    assert recorder.waiting(103.9) and not recorder.waiting(104.0)
    assert not Recorder(tmp_path / "plain.json", 104.0, link=link, journal=False).waiting(103.9)
    recorder.press(0, 1, 90, 103.6)
    recorder.note_on(0, 60, 90, 1, 103.6)
    recorder.release(0, 1, 104.1)
    recorder.note_off(0, 60, 1, 104.1)
    recorder.press(0, 2, 90, 104.3)
    recorder.note_on(0, 62, 90, 2, 104.3)
    recorder.save(105.0)
    take = Take.load(tmp_path / "take.json")
    assert [(round(e.time, 9), e.button) for e in take.events] == [(0.3, 2)]
    assert [e.beat for e in take.events] == pytest.approx([0.6]) and take.quantum == 4.0
    assert [(n.pitch, round(n.onset, 9)) for n in take.notes()] == [(62, 0.3)]
    assert take.tempo[0].beat == pytest.approx(0.6) and take.end == pytest.approx(1.0)


def test_a_press_snapped_onto_a_take_boundary_is_the_take_s_at_time_0_beat_0(tmp_path) -> None:
    """With --snap 1/4:100ms a press 50 ms before the boundary sounds on it: the take has it at time 0, beat 0; one
    150 ms before the boundary sounded then, and is not the take's."""
    recorder = Recorder(tmp_path / "take.json", 104.0, link=_FakeLink(120.0), origin_beat=8.0, lead_in=0.1)
    recorder.press(0, 1, 90, 103.85)
    recorder.note_on(0, 60, 90, 1, 103.85)
    recorder.press(0, 2, 90, 103.95)
    recorder.note_on(0, 62, 90, 2, 103.95)
    recorder.press(0, 3, 90, 104.5)
    recorder.save(105.0)
    take = Take.load(tmp_path / "take.json")
    assert [(e.button, round(e.time, 9), e.beat) for e in take.events] == [(2, 0.0, 0.0), (3, 0.5, 1.0)]
    assert [(n.pitch, n.onset) for n in take.notes()] == [(62, 0.0)]


@pytest.mark.parametrize("quantum", [0, -4, 65, "4", True, float("nan")])
def test_a_bad_quantum_is_refused_in_one_line(quantum) -> None:
    with pytest.raises(TakeError, match="quantum"):
        Take.from_document({"version": 3, "events": [], "quantum": quantum})
