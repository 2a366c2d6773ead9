"""The DAW plugin (maxpatch/plugin/), built from Debian's dpf-source and hosted for real: its LV2 build in a small
lilv host (maxpatch/plugin/host/pg-lv2host.c) that runs blocks paced to the wall clock as a DAW does, its VST3 build
in pedalboard, each against a real `pianogenie serve` on loopback. Every network test sends only to 127.0.0.1, a
bounded number of packets, within a few seconds."""

from __future__ import annotations

import ctypes
import importlib.util
import json
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import pytest

from tests import daw_helpers as daw
from tests.conftest import REPO
from tests.serve_helpers import READY_LINE, free_udp_port, model_arguments, read_until, reader, running_serve

pytestmark = pytest.mark.skipif(daw.build_problem() is not None, reason=daw.build_problem() or "")
pythonosc = pytest.importorskip("pythonosc")
from pythonosc.osc_message import OscMessage  # noqa: E402
from pythonosc.osc_message_builder import OscMessageBuilder  # noqa: E402

RATE = 48000
BLOCK = 128


@pytest.fixture(scope="module", autouse=True)
def built() -> None:
    daw.build()


class Replies:
    """serve's --reply-to socket: every note serve sends, to anyone, in order, as (address, args)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.messages: list[tuple[str, list]] = []
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                data = self.sock.recv(65536)
            except (socket.timeout, OSError):
                continue
            message = OscMessage(data)
            self.messages.append((message.address, list(message.params)))

    def notes(self, verb: str = "noteon") -> list[tuple[str, list]]:
        return [(a, p) for a, p in self.messages if a.endswith("/" + verb)]

    def close(self) -> None:
        self._stop = True
        self._thread.join()
        self.sock.close()


@contextmanager
def serve(request, *extra: str) -> Iterator[tuple[int, subprocess.Popen, Replies]]:
    replies = Replies()
    try:
        with running_serve(["--oscquery-port", "none", *model_arguments(request), *extra], replies.port) as (port, proc):
            yield port, proc, replies
    finally:
        replies.close()


def status(port: int, performer: int = 0) -> dict:
    """serve's /genie/N/status, asked from a socket of our own (the reply-to socket also gets the plugin's)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(OscMessageBuilder(f"/genie/{performer}/status").build().dgram, ("127.0.0.1", port))
        while True:
            message = OscMessage(sock.recv(65536))
            if message.address == "/genie/status":
                return dict(zip(message.params[::2], message.params[1::2]))


def presses(count: int, *, start: int, every: int, hold: int, keys=range(60, 68), instance: int = 0):
    """`count` presses of the 8 base keys in turn, velocities 20..127, each held `hold` frames."""
    events, pressed = [], []
    for k in range(count):
        key, velocity, frame = list(keys)[k % len(keys)], 20 + (k * 37) % 108, start + k * every
        events.append((instance, frame, f"midi 90 {key:02x} {velocity:02x}"))
        events.append((instance, frame + hold, f"midi 80 {key:02x} 00"))
        pressed.append((frame, key, velocity))
    return events, pressed


def note_ons(run: daw.Run, instance: int = 0) -> list[tuple[int, int, int]]:
    return [(f, d[1], d[2]) for f, d in run.notes(instance) if d[0] & 0xF0 == 0x90 and d[2] > 0]


def note_offs(run: daw.Run, instance: int = 0) -> list[tuple[int, int]]:
    return [(f, d[1]) for f, d in run.notes(instance) if d[0] & 0xF0 == 0x80 or (d[0] & 0xF0 == 0x90 and d[2] == 0)]


def connected_at(run: daw.Run, instance: int = 0) -> int:
    """The frame from which the plugin said serve answers."""
    ups = [frame for frame, value in run.control("connected", instance) if value == 1]
    assert ups, f"the plugin never saw serve: {run.controls}\n{run.stderr}"
    return ups[0]


def test_cpp_constants_equal_the_python_ones() -> None:
    from pianogenie.bridge import midi, protocol
    from pianogenie.engine import constants

    text = (daw.PLUGIN_DIR / "protocol.hpp").read_text()
    found = dict(re.findall(r"constexpr [\w\s*]+?\b(k\w+) = ([^;]+);", text))
    expected = {
        "kDefaultHost": f'"{protocol.DEFAULT_HOST}"', "kDefaultListenPort": str(protocol.DEFAULT_LISTEN_PORT),
        "kMaxPerformers": str(protocol.MAX_PERFORMERS), "kNumButtons": str(constants.NUM_BUTTONS),
        "kLowestPitch": str(constants.LOWEST_PITCH), "kHighestPitch": str(constants.HIGHEST_PITCH),
        "kDefaultTemperature": f"{constants.DEFAULT_TEMPERATURE}f", "kDefaultBaseNote": str(midi.DEFAULT_BASE_NOTE),
        "kSustainCC": str(midi.SUSTAIN_CC),
    }
    assert found == expected


def test_three_formats_build_and_export_their_entry_points(tmp_path) -> None:
    (tmp_path / daw.LV2.name).symlink_to(daw.LV2)  # LV2_PATH holds bundles: this one alone
    lv2 = subprocess.run(["lv2info", daw.URI], capture_output=True, text=True, env={"LV2_PATH": str(tmp_path)})
    if lv2.returncode == 127:
        pytest.skip("lv2info missing (lilv-utils)")
    assert lv2.returncode == 0, lv2.stderr
    for symbol in ("temperature", "performer", "mapping", "base_note", "range_low", "range_high", "connected"):
        assert f"Symbol:      {symbol}" in lv2.stdout
    assert "lv2_events_out" in lv2.stdout and lv2.stdout.count("AudioPort") == 4
    # The other two are shared objects exporting their formats' one entry point.
    assert hasattr(ctypes.CDLL(str(daw.VST3 / "Contents" / "x86_64-linux" / "PianoGenie.so")), "GetPluginFactory")
    assert hasattr(ctypes.CDLL(str(daw.CLAP)), "clap_entry")


def test_200_presses_all_come_back_with_their_velocity_within_a_block(request) -> None:
    with serve(request) as (port, _proc, replies):
        events, pressed = presses(200, start=RATE // 4, every=RATE // 50, hold=RATE // 100)
        seconds = (pressed[-1][0] + RATE // 4) / RATE
        run = daw.host(events, seconds=seconds, block=BLOCK, server=f"127.0.0.1:{port}")
    assert connected_at(run) < pressed[0][0]
    ons = note_ons(run)
    sent = [params for _a, params in replies.notes("noteon")]
    assert len(ons) == len(sent) == 200, (len(ons), len(sent))
    # Right pitch (what serve decoded) and right velocity (what was pressed), in order.
    assert [(pitch, velocity) for _f, pitch, velocity in ons] == [(p[0], p[1]) for p in sent]
    assert [velocity for _f, _k, velocity in pressed] == [velocity for _f, _p, velocity in ons]
    # Out in the press's block or the next: at most one block plus the round trip after the press.
    # On this shared 2-core machine serve's reply takes longer than a block for about 1 press in 200
    # (docs/benchmarks.md), and a clean-clone CI run under load saw 5 in 200 (3.5-6 ms after the press); such a
    # note comes at the start of the block after. At most 1 in 20 may, and none may be later than 20 ms.
    delays = [f_out - f_in for (f_in, _k, _v), (f_out, _p, _vv) in zip(pressed, ons)]
    late = [d for (f_in, _k, _v), d in zip(pressed, delays) if (f_in + d) // BLOCK > f_in // BLOCK + 1]
    assert len(late) <= 10, f"{len(late)} of 200 notes came more than one block late (frames after the press: {late})"
    assert max(delays) < RATE // 50, f"a note came {max(delays)} frames after its press"
    # Every note that went on went off again, on the plugin's output.
    assert sorted(p for _f, p in note_offs(run)) == sorted(p for _f, p, _v in ons)
    assert run.stats[0]["audio_mismatches"] == 0


def test_without_serve_midi_passes_through_unchanged() -> None:
    events, pressed = presses(20, start=1000, every=2400, hold=1200)
    events.append((0, 30000, "midi b0 40 7f"))  # the pedal too
    run = daw.host(events, seconds=1.0, block=BLOCK, server=f"127.0.0.1:{free_udp_port()}")
    assert [value for _f, value in run.control("connected")] == [0]
    sent = sorted((frame, bytes.fromhex(what[5:])) for _i, frame, what in events)
    assert sorted(run.notes()) == sent


def test_a_silent_serve_costs_the_audio_thread_nothing() -> None:
    """A socket that takes every packet and never answers: nothing may wait on it, and notes pass through."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # full at once: sends would block if they could
        events, _pressed = presses(100, start=500, every=480, hold=240)
        run = daw.host(events, seconds=1.5, block=64, server=f"127.0.0.1:{silent.getsockname()[1]}")
    assert [value for _f, value in run.control("connected")] == [0]
    assert len(note_ons(run)) == 100
    # 64 frames at 48 kHz is 1333 us; a run() that waited on the network would take that or more on every press.
    # (Its maximum can include being preempted on a busy machine, so the bound on it is looser.)
    assert run.stats[0]["p99_run_us"] < 300 and run.stats[0]["max_run_us"] < 10_000, run.stats


def test_killed_serve_turns_its_notes_off_and_passes_through_after(request) -> None:
    held = [(0, RATE // 2 + 100 * k, f"midi 90 {60 + k:02x} 64") for k in range(3)]
    after = [(0, 3 * RATE, "midi 90 30 50"), (0, 3 * RATE + 500, "midi 80 30 00")]
    port = free_udp_port()
    command = [sys.executable, "-m", "pianogenie", "serve", "--port", str(port), "--reply-to", "none", "--audio",
               "none", "--midi-out", "none", "--no-zeroconf", "--oscquery-port", "none", *model_arguments(request)]
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        read_until(reader(proc), proc, lambda line: line.strip() == READY_LINE, 60, "serve")
        host = daw.start_host(held + after, seconds=3.5, block=BLOCK, server=f"127.0.0.1:{port}")
        time.sleep(1.5)
        proc.kill()  # SIGKILL: serve gets no chance to send its note-offs
        stdout, stderr = host.communicate(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    run = daw.parse(stdout, stderr)
    ons = note_ons(run)
    assert len([n for n in ons if n[0] < RATE]) == 3, ons
    offs = note_offs(run)
    assert sorted(p for _f, p in offs if _f < 3 * RATE) == sorted(p for f, p, _v in ons if f < RATE)
    down = [frame for frame, value in run.control("connected") if value == 0 and frame > 0]
    assert down and RATE < down[0] < 3 * RATE, run.controls
    # From then on the plugin is a plain MIDI thru.
    assert (3 * RATE, bytes.fromhex("903050")) in run.notes() and (3 * RATE + 500, bytes.fromhex("803000")) in run.notes()


def test_a_second_instance_is_a_second_performer(request) -> None:
    with serve(request) as (port, _proc, replies):
        events = [(0, RATE // 2, "midi 90 3c 64"), (0, RATE // 2 + 2400, "midi 80 3c 00"),
                  (1, RATE // 2 + 4800, "midi 90 3d 50"), (1, RATE // 2 + 7200, "midi 80 3d 00")]
        run = daw.host(events, seconds=1.0, block=BLOCK, instances=2, server=f"127.0.0.1:{port}")
    assert run.control("performer_used", 0)[-1][1] == 0 and run.control("performer_used", 1)[-1][1] == 1
    addresses = [address for address, _p in replies.notes("noteon")]
    assert addresses == ["/genie/noteon", "/genie/1/noteon"]
    (on0,), (on1,) = note_ons(run, 0), note_ons(run, 1)
    assert on0[2] == 100 and on1[2] == 80
    assert [p[0] for _a, p in replies.notes("noteon")] == [on0[1], on1[1]]


def test_automated_parameters_reach_serve(request) -> None:
    """Range low = high pins every note to one pitch; temperature and an explicit performer number show in serve's
    status for that performer."""
    with serve(request) as (port, _proc, _replies):
        events = [(0, 0, "param performer 5"), (0, 0, "param temperature 0.75"), (0, 0, "param range_low 64"),
                  (0, 0, "param range_high 64")]
        press_events, _pressed = presses(8, start=RATE // 2, every=2400, hold=1200)
        run = daw.host(events + press_events, seconds=1.0, block=BLOCK, server=f"127.0.0.1:{port}")
        state = status(port, 5)
    assert {pitch for _f, pitch, _v in note_ons(run)} == {64}
    assert state["temperature"] == pytest.approx(0.75) and state["sounding"] == 0
    assert run.control("performer_used")[-1][1] == 5


@pytest.mark.parametrize("mapping, keys, state, buttons", [
    (1, [21, 32, 64, 108], None, [0, 1, 3, 7]),                 # 8 zones over 21..108
    (2, [36, 61, 74, 83], None, [0, 0, 1, 7]),                  # pitch class, any octave
    (3, [50, 40, 45, 60], "keys=40 41 42 43 44 45 46 50", [7, 0, 5, None]),  # key list; 60 is no button
])
def test_key_mappings(request, mapping: int, keys: list[int], state: str | None, buttons: list) -> None:
    with serve(request) as (port, _proc, replies):
        events = [(0, 0, f"param mapping {mapping}")]
        for k, key in enumerate(keys):
            events += [(0, RATE // 2 + 2400 * k, f"midi 90 {key:02x} 64"), (0, RATE // 2 + 2400 * k + 1200,
                                                                            f"midi 80 {key:02x} 00")]
        command = dict(seconds=1.0, block=BLOCK, server=f"127.0.0.1:{port}")
        proc = daw.start_host(events, **command, extra_state=[state] if state else [])
        stdout, stderr = proc.communicate(timeout=30)
    run = daw.parse(stdout, stderr)
    assert [params[2] for _a, params in replies.notes("noteon")] == [b for b in buttons if b is not None]
    passed = [key for key, b in zip(keys, buttons) if b is None]
    assert [d[1] for _f, d in run.notes() if d[0] == 0x90 and d[1] in passed] == passed


def test_a_bad_key_list_is_refused_with_a_reason() -> None:
    proc = daw.start_host([], seconds=0.1, server=f"127.0.0.1:{free_udp_port()}", extra_state=["keys=60 61 999"])
    _stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert 'key list must be 8 distinct MIDI notes 0..127, got "60 61 999"' in stderr


@pytest.mark.skipif(importlib.util.find_spec("pedalboard") is None, reason="needs pedalboard (the test extra)")
def test_vst3_in_pedalboard_passes_audio_and_sets_serve(request) -> None:
    with serve(request) as (port, _proc, _replies):
        probe = subprocess.run(
            [sys.executable, str(REPO / "tests" / "daw_vst3_probe.py"), str(daw.VST3), "1.0", "0.6", "48"],
            capture_output=True, text=True, timeout=240, cwd=REPO,
            env={"PIANOGENIE_SERVER": f"127.0.0.1:{port}", "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"})
        assert probe.returncode == 0, probe.stderr[-3000:]
        state = status(port, 0)
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    assert result["name"] == "Piano Genie" and result["is_effect"]
    assert {"temperature", "performer", "key_mapping", "base_note", "range_low", "range_high"} <= set(
        result["parameters"])
    assert result["audio_max_difference"] == 0.0
    assert state["temperature"] == pytest.approx(0.6) and state["performers"] >= 1


def test_install_copies_the_three_formats(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "pianogenie", "plugin", "install", "--home", str(tmp_path)],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".lv2" / "PianoGenie.lv2" / "manifest.ttl").is_file()
    assert (tmp_path / ".vst3" / "PianoGenie.vst3" / "Contents" / "x86_64-linux" / "PianoGenie.so").is_file()
    assert (tmp_path / ".clap" / "PianoGenie.clap").is_file()
    again = subprocess.run([sys.executable, "-m", "pianogenie", "plugin", "install", "--home", str(tmp_path)],
                           capture_output=True, text=True, cwd=REPO)
    assert again.returncode == 1 and "--force" in again.stderr


def test_out_of_range_automation_is_held_to_the_declared_ranges() -> None:
    events = [(0, 0, "param performer 99"), (0, 12800, "param performer -7")]
    run = daw.host(events, seconds=0.5, server=f"127.0.0.1:{free_udp_port()}")
    assert [value for _f, value in run.control("performer_used")] == [63, 0]  # 99 -> 63; -7 -> Auto, the first slot


def test_install_without_a_build_says_to_run_make_plugin(tmp_path) -> None:
    from pianogenie.bridge.cli import plugin

    with pytest.raises(ValueError, match="run `make plugin`"):
        plugin.install(tmp_path / "nothing-built", tmp_path / "home", force=False)
    assert not (tmp_path / "home").exists()
