"""MIDI file export (bridge/midi.py write_midi), read back with mido as a DAW would: a tempo track, one track and
channel per performer with a piano program, the pedal as CC64, and a note-off for every note-on."""

from __future__ import annotations

import pytest

mido = pytest.importorskip("mido")

from pianogenie.bridge.midi import FILE_CHANNELS, PedalChange, write_midi  # noqa: E402
from pianogenie.engine.takes import Note  # noqa: E402


def events(track) -> list[tuple[int, object]]:
    """(absolute tick, message) of a track's channel messages."""
    tick, found = 0, []
    for message in track:
        tick += message.time
        if not message.is_meta:
            found.append((tick, message))
    return found


def test_each_performer_gets_a_track_a_channel_and_a_piano(tmp_path) -> None:
    notes = [Note(60, 1.0, 1.5, performer=0), Note(64, 1.25, 1.5, velocity=70, performer=3),
             Note(67, 1.5, 2.0, performer=12)]
    write_midi(notes, tmp_path / "t.mid", bpm=120.0)
    midi = mido.MidiFile(tmp_path / "t.mid")
    assert midi.type == 1 and len(midi.tracks) == 4
    assert any(m.type == "set_tempo" and m.tempo == 500_000 for m in midi.tracks[0])
    for track, performer, channel, (pitch, onset_tick) in zip(midi.tracks[1:], (0, 3, 12), (0, 1, 2),
                                                               ((60, 0), (64, 240), (67, 480))):
        assert track.name == f"performer {performer}"
        found = events(track)
        assert found[0][1].type == "program_change" and found[0][1].program == 0
        assert {m.channel for _t, m in found} == {channel}
        ons = [(t, m.note) for t, m in found if m.type == "note_on"]
        assert ons == [(onset_tick, pitch)]  # ticks count from the first note, at 480 a beat and 120 BPM
    assert 9 not in FILE_CHANNELS  # GM drums


def test_the_pedal_is_cc64_in_its_performers_track_before_notes_at_the_same_time(tmp_path) -> None:
    notes = [Note(60, 0.0, 0.5, performer=2), Note(62, 1.0, 1.5, performer=2)]
    pedal = [PedalChange(0.25, 2, True), PedalChange(1.0, 2, False)]
    write_midi(notes, tmp_path / "p.mid", pedal=pedal)
    (track,) = mido.MidiFile(tmp_path / "p.mid").tracks[1:]
    found = [(t, m.type, getattr(m, "value", getattr(m, "note", None))) for t, m in events(track)
             if m.type != "program_change"]
    assert found == [(0, "note_on", 60), (240, "control_change", 127), (480, "note_off", 60),
                     (960, "control_change", 0), (960, "note_on", 62), (1440, "note_off", 62)]


def test_a_restruck_note_is_cut_where_it_starts_again_so_each_on_has_one_off(tmp_path) -> None:
    notes = [Note(60, 0.0, 2.0), Note(60, 0.5, 1.0), Note(60, 1.5, 3.0), Note(60, 0.5, 0.7, performer=1)]
    write_midi(notes, tmp_path / "r.mid")
    midi = mido.MidiFile(tmp_path / "r.mid")
    mine = [(t, m.type) for t, m in events(midi.tracks[1]) if m.type.startswith("note")]
    assert mine == [(0, "note_on"), (480, "note_off"), (480, "note_on"), (960, "note_off"), (1440, "note_on"),
                    (2880, "note_off")]
    other = [(t, m.type) for t, m in events(midi.tracks[2]) if m.type.startswith("note")]
    assert other == [(480, "note_on"), (672, "note_off")]  # another performer's same pitch is its own note


def test_past_fifteen_performers_tracks_share_channels(tmp_path) -> None:
    notes = [Note(60, 0.0, 0.5, performer=n) for n in range(len(FILE_CHANNELS) + 2)]
    write_midi(notes, tmp_path / "x.mid")
    tracks = mido.MidiFile(tmp_path / "x.mid").tracks[1:]
    channels = [{m.channel for _t, m in events(track)} for track in tracks]
    assert len(tracks) == 17 and channels[:15] == [{c} for c in FILE_CHANNELS] and channels[15:] == [{0}, {1}]


def test_render_of_a_take_puts_its_sustain_changes_on_cc64(tmp_path) -> None:
    from pianogenie.bridge.sound.render import render_file
    from pianogenie.engine.takes import Change, Take, Track

    take = Take(tracks={0: Track(notes=[Note(60, 2.0, 2.5)]),
                        4: Track(changes=[Change(2.25, "sustain", True), Change(3.0, "sustain", False)],
                                 notes=[Note(64, 2.5, 2.75, performer=4)])})
    take.save(tmp_path / "take.json")
    render_file(tmp_path / "take.json", tmp_path / "take.mid")
    tracks = mido.MidiFile(tmp_path / "take.mid").tracks
    pedal = [(t, m.value) for t, m in events(tracks[2]) if m.type == "control_change" and m.control == 64]
    assert pedal == [(240, 127), (960, 0)]  # from the first note (2.0 s), 480 ticks a beat at 120 BPM
    assert not [m for _t, m in events(tracks[1]) if m.type == "control_change"]


def _tempo_track(track) -> list[tuple[int, float]]:
    tick, found = 0, []
    for message in track:
        tick += message.time
        if message.type == "set_tempo":
            found.append((tick, round(mido.tempo2bpm(message.tempo), 3)))  # microseconds a beat
    return found


def test_a_link_take_exports_its_tempo_map_and_its_notes_on_the_bar_grid(tmp_path) -> None:
    """A Link take: the session was at beat 13.5 at 10.0 s, 120 BPM, and went to 90 BPM at beat 17.5 (12.0 s).
    Notes played on beats 14, 16, 18 and 20 must land on beat ticks counted from bar 12 (the bar holding the first
    note), so beats 16 and 20 (downbeats) sit on tick multiples of the bar, across the tempo change."""
    from pianogenie.bridge.sound.render import render_file
    from pianogenie.engine.takes import Take, TempoPoint, Track

    tempo = [TempoPoint(10.0, 13.5, 120.0), TempoPoint(12.0, 17.5, 90.0)]
    on_beat = {14: 10.25, 16: 11.25, 18: 12.0 + 0.5 * 60 / 90, 20: 12.0 + 2.5 * 60 / 90}
    take = Take(tracks={0: Track(notes=[Note(60 + b, t, t + 0.1) for b, t in on_beat.items()])}, tempo=tempo)
    take.save(tmp_path / "take.json")
    assert Take.load(tmp_path / "take.json").tempo == tempo
    render_file(tmp_path / "take.json", tmp_path / "take.mid")
    midi = mido.MidiFile(tmp_path / "take.mid")
    bar = 4 * midi.ticks_per_beat
    assert _tempo_track(midi.tracks[0]) == [(0, 120.0), (int(5.5 * midi.ticks_per_beat), 90.0)]
    ons = {m.note - 60: t for t, m in events(midi.tracks[1]) if m.type == "note_on"}
    assert ons == {b: (b - 12) * midi.ticks_per_beat for b in on_beat}
    assert ons[16] % bar == 0 and ons[20] % bar == 0 and ons[16] == bar


def test_a_take_without_link_exports_as_before_one_tempo_from_the_first_note(tmp_path) -> None:
    write_midi([Note(60, 3.0, 3.5), Note(62, 3.3, 3.5)], tmp_path / "t.mid", bpm=100.0)
    midi = mido.MidiFile(tmp_path / "t.mid")
    assert _tempo_track(midi.tracks[0]) == [(0, 100.0)]
    assert [t for t, m in events(midi.tracks[1]) if m.type == "note_on"] == [0, 240]  # 0.3 s at 100 BPM, 480/beat


def test_a_link_take_exports_bars_of_its_own_quantum(tmp_path) -> None:
    """A take of a session in bars of 3 (`--quantum 3`): the first note on beat 10 falls in the bar from beat 9,
    so ticks count from beat 9 and the downbeats 12 and 15 sit on tick multiples of a 3-beat bar."""
    from pianogenie.bridge.sound.render import render_file
    from pianogenie.engine.takes import Take, TempoPoint, Track

    on_beat = {10: 5.0, 12: 6.0, 15: 7.5}  # 120 BPM, beat 0 at 0 s
    take = Take(tracks={0: Track(notes=[Note(60 + b, t, t + 0.1) for b, t in on_beat.items()])},
                tempo=[TempoPoint(0.0, 0.0, 120.0)], quantum=3.0)
    take.save(tmp_path / "take.json")
    render_file(tmp_path / "take.json", tmp_path / "take.mid")
    midi = mido.MidiFile(tmp_path / "take.mid")
    ons = {m.note - 60: t for t, m in events(midi.tracks[1]) if m.type == "note_on"}
    assert ons == {b: (b - 9) * midi.ticks_per_beat for b in on_beat}
    assert ons[12] % (3 * midi.ticks_per_beat) == 0 and ons[15] % (3 * midi.ticks_per_beat) == 0
