"""Ableton Link (bridge/link.py). Unit tests run with Link joined by nobody else (a disabled or lone session uses
no peer); the two-peer test joins two processes in two network namespaces made by the test and linked by a veth
pair, the only network it touches."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from pianogenie.bridge import protocol as p
from tests.conftest import REPO, jack_dummy

pytest.importorskip("link", reason="Link needs the [link] extra (LinkPython-extern)")
from pianogenie.bridge.link import LinkClock  # noqa: E402


@pytest.fixture
def lone():
    clock = LinkClock(tempo=100.0, quantum=4.0, enable_after_s=0)
    yield clock
    clock.close()


def test_beats_follow_the_tempo_and_times_map_back(lone) -> None:
    t = time.monotonic()
    assert lone.tempo == pytest.approx(100.0)
    assert lone.beat_at(t + 0.6) - lone.beat_at(t) == pytest.approx(1.0, abs=1e-4)  # 100 BPM: 0.6 s a beat
    assert lone.time_at_beat(lone.beat_at(t + 1.0)) == pytest.approx(t + 1.0, abs=1e-5)
    assert 0.0 <= lone.phase_at(t) < 4.0


def test_the_next_boundary_and_the_snap_window(lone) -> None:
    t = time.monotonic()
    bar = lone.next_boundary(t)
    assert t <= bar <= t + 2.4 + 1e-6 and lone.phase_at(bar) == pytest.approx(0.0, abs=1e-4) or \
        lone.phase_at(bar) == pytest.approx(4.0, abs=1e-4)
    sixteenth = 0.25 * 0.6
    grid = lone.next_boundary(t, 0.25)
    assert 0.0 <= grid - t <= sixteenth + 1e-6
    # Within 25 ms before a grid point: on it. Farther: at once. Never earlier.
    assert lone.snap(grid - 0.020, 0.25, 0.025) == pytest.approx(grid, abs=1e-5)
    assert lone.snap(grid - 0.040, 0.25, 0.025) == grid - 0.040


def test_output_latency_is_added_to_the_times_given_to_link() -> None:
    plain = LinkClock(tempo=120.0, enable_after_s=0)
    late = LinkClock(tempo=120.0, output_latency_s=0.010, enable_after_s=0)
    try:
        t = time.monotonic()
        # Two separate sessions have their own beat origins; a beat's length and the offset of 10 ms are what
        # can be compared: 10 ms at 120 BPM is 0.02 beat.
        a = late.beat_at(t) - late.beat_at(t - 0.010)
        assert a == pytest.approx(0.02, abs=1e-4)
        assert late.time_at_beat(late.beat_at(t)) == pytest.approx(t, abs=1e-5)
    finally:
        plain.close()
        late.close()


def test_bad_tempo_and_quantum_are_refused() -> None:
    with pytest.raises(ValueError, match="--tempo"):
        LinkClock(tempo=5000)
    with pytest.raises(ValueError, match="--quantum"):
        LinkClock(quantum=0)


def _netns(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True)


def test_two_peers_in_two_namespaces_share_tempo_and_phase() -> None:
    if shutil.which("ip") is None or os.geteuid() != 0:
        pytest.skip("needs ip (iproute2) and root for network namespaces")
    a, b = f"pgla{os.getpid()}", f"pglb{os.getpid()}"
    if _netns("netns", "add", a).returncode != 0:
        pytest.skip("cannot create a network namespace here")
    try:
        assert _netns("netns", "add", b).returncode == 0
        va, vb = f"va{os.getpid() % 100000}", f"vb{os.getpid() % 100000}"
        steps = [["link", "add", va, "type", "veth", "peer", "name", vb],
                 ["link", "set", va, "netns", a], ["link", "set", vb, "netns", b]]
        for ns, dev, addr in ((a, va, "10.77.0.1/24"), (b, vb, "10.77.0.2/24")):
            steps += [["-n", ns, "link", "set", "lo", "up"], ["-n", ns, "addr", "add", addr, "dev", dev],
                      ["-n", ns, "link", "set", dev, "up"], ["-n", ns, "route", "add", "224.0.0.0/4", "dev", dev]]
        for step in steps:
            done = _netns(*step)
            assert done.returncode == 0, (step, done.stderr)
        t0 = time.monotonic()
        procs = [subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "tests/link_probe.py", role, str(t0)],
                                  cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for ns, role in ((a, "leader"), (b, "follower"))]
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err[-2000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        _netns("netns", "del", a)
        _netns("netns", "del", b)
    leader, follower = results
    assert leader["peers"] == 1 and follower["peers"] == 1, results
    assert leader["tempo"] == pytest.approx(133.0) and follower["tempo"] == pytest.approx(133.0), results
    worst = max(abs(((x - y + 2.0) % 4.0) - 2.0) for x, y in zip(leader["phases"], follower["phases"]))
    print(f"\nLink: two peers at {follower['tempo']:.1f} BPM, phase difference at most {worst:.5f} beat")
    assert worst < 0.01, results


def _in_namespace(probe: str, env: dict[str, str] | None = None, timeout: float = 120) -> dict:
    """A probe's JSON line, run in a network namespace of the test's own (loopback only, multicast routed on it)."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("needs unshare and ip")
    setup = ("ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && "
             f"exec {sys.executable} {probe}")
    proc = subprocess.run(["unshare", "-n", "sh", "-c", setup], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=env)
    if proc.returncode != 0 and "unshare" in proc.stderr and not proc.stdout:
        pytest.skip(f"cannot make a network namespace here ({proc.stderr.strip()[:200]})")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_serve_joins_link_and_snaps_presses_to_the_beat() -> None:
    """serve --link --snap 1/4:100ms and a Link peer in a namespace of the test's own (loopback only): a press 50 ms
    before a beat sounds on it, one 200 ms before sounds at once; status carries the session's values."""
    seen = _in_namespace("tests/link_serve_probe.py")
    assert "Ableton Link, 120 BPM" in seen["banner"] and "snap to 1/4 notes 100 ms ahead" in seen["banner"], seen
    assert all(n["answered"] for n in seen["snapped"] + seen["at_once"]), seen
    on_beat = [n["after_beat"] * 1000 for n in seen["snapped"]]
    at_once = [n["after_press"] * 1000 for n in seen["at_once"]]
    print(f"\nsnapped: {[round(x, 2) for x in on_beat]} ms after the beat; "
          f"outside the window: {[round(x, 2) for x in at_once]} ms after the press")
    assert all(-0.5 < x < 5.0 for x in on_beat), on_beat      # on the beat: never before it, a few ms after
    assert all(x < 20.0 for x in at_once), at_once              # not held back to the beat 200 ms later
    status = seen["status"]
    assert status["link_peers"] >= 1 and status["link_tempo"] == pytest.approx(120.0), status
    assert 0.0 <= status["link_phase"] < 4.0, status
    # The same session in the OSCQuery tree, and its beats to a websocket client LISTENing on /genie/link/beat.
    assert seen["tree"]["tempo"] == pytest.approx(120.0) and seen["tree"]["peers"] >= 1, seen["tree"]
    beats = seen["listened_beats"]
    assert len(beats) >= 4 and all(abs(b - round(b)) < 1e-3 for b in beats), beats
    # Each beat once and in order; the peer's join can move the session's timeline past one beat (CI: 1, 3, 4...).
    assert all(round(b - a) >= 1 for a, b in zip(beats, beats[1:])), beats
    assert sum(round(b - a) == 1 for a, b in zip(beats, beats[1:])) >= len(beats) - 2, beats


def test_snapped_presses_sound_on_the_beat_at_the_frame_on_jack() -> None:
    """serve --link --snap 1/4:100ms with its synth on a JACK dummy server (48 kHz, 64 frames) and a Link peer: the
    onsets heard by a JACK client at the frame (bridge/frame_meter.py), not the OSC replies. A press 50 ms before a
    peer's beat sounds on the beat (never before it, within a period and the synth's own latency after it); one
    200 ms before sounds at once, as soon after its press as any unsnapped note."""
    pytest.importorskip("jack")
    pytest.importorskip("sounddevice")
    with jack_dummy(64) as env:
        seen = _in_namespace("tests/link_jack_probe.py", env, timeout=60)
    presses, onsets = seen["presses"], seen["onsets"]
    assert seen["peers_seen"] >= 1 and "snap to 1/4 notes 100 ms ahead" in seen["banner"], seen["banner"]
    assert "sounddevice" in seen["banner"] and all(n["answered"] for n in presses), seen
    assert len(onsets) == len(presses) == 8, (len(onsets), presses)
    on_beat = [(heard - n["beat"]) * 1000 for n, heard in zip(presses, onsets) if n["lead"] < 0.1]
    at_once = [(heard - n["sent"]) * 1000 for n, heard in zip(presses, onsets) if n["lead"] > 0.1]
    print(f"\nJACK dummy, 64 frames: snapped onsets {[round(x, 3) for x in on_beat]} ms after the beat; outside "
          f"the window {[round(x, 3) for x in at_once]} ms after the press")
    assert all(-0.2 < x < 8.0 for x in on_beat), on_beat   # on the beat: never before it, a period or few after
    assert all(0.0 < x < 20.0 for x in at_once), at_once    # at once, not held back to the beat 200 ms later


def test_a_take_started_over_osc_starts_on_the_next_bar() -> None:
    """serve --link --snap 1/4:100ms and a Link peer: /genie/record/start sent 0.75 s into a bar (120 BPM, 4 beats)
    waits 1.25 s for the next bar. A note held across that bar is not in the take; a press 50 ms before the bar
    sounds on it and is the take's at time 0, beat 0; a press 300 ms after the bar is at take time 0.3 s and beat
    0.6, measured from the bar (the peer's bar and the bridge's agree within Link's phase)."""
    seen = _in_namespace("tests/record_link_probe.py")
    assert seen["peers_seen"] >= 1, seen
    assert seen["first"][0] == p.OUT_RECORD_STOP and seen["first"][1][0] == "first.json", seen["first"]
    assert seen["start"][0] == p.OUT_RECORD_START and seen["start"][1][0] == "linked.json", seen["start"]
    wait = seen["start"][1][1]
    assert wait == pytest.approx(seen["peer_wait_s"], abs=0.005) and wait == pytest.approx(1.25, abs=0.02), seen
    assert (seen["status_waiting"], seen["status_recording"]) == (1, 2), seen
    assert seen["stop"][0] == p.OUT_RECORD_STOP and seen["stop"][1][:2] == ["linked.json", 2], seen["stop"]
    take = seen["take"]
    assert take["version"] == 3 and take["quantum"] == 4.0, take
    snapped, event = take["events"]
    assert [note["button"] for note in take["notes"]] == [4, 5], take["notes"]
    assert (snapped["button"], snapped["time"], snapped["beat"], take["notes"][0]["onset"]) == (4, 0.0, 0.0, 0.0)
    late = (event["time"] - seen["pressed_after_bar_s"]) * 1000
    print(f"\nrecord/start: waited {wait * 1000:.2f} ms for the bar (the peer's: {seen['peer_wait_s'] * 1000:.2f}); "
          f"the press {seen['pressed_after_bar_s'] * 1000:.2f} ms after the bar is at take time "
          f"{event['time'] * 1000:.2f} ms ({late:+.2f}), beat {event['beat']:.4f}")
    assert event["button"] == 5 and -0.5 < late < 5.0, (seen, take)
    assert event["beat"] == pytest.approx(event["time"] * 2.0, abs=1e-3)  # 120 BPM, beats from the bar
    assert take["tempo"][0]["bpm"] == pytest.approx(120.0) and take["tempo"][0]["beat"] == 0.0, take["tempo"]


def test_the_link_values_are_in_the_oscquery_tree_live_and_absent_when_off(random_model_dir, lone) -> None:
    """/genie/link/{tempo,beat,phase,peers} read the session now (the beat moves between two answers); without
    Link there is no such node."""
    from pianogenie.bridge.core import Bridge
    from pianogenie.bridge.osc.oscquery import Namespace
    from pianogenie.engine.genie import PianoGenie

    bridge = Bridge(PianoGenie.load(random_model_dir), seed=0, idle_timeout=5.0)
    tree = Namespace(bridge)

    def values() -> dict:
        node = json.loads(tree.answer("/genie/link", ""))
        return {name: leaf["VALUE"][0] for name, leaf in node["CONTENTS"].items()}

    assert tree.answer("/genie/link", "") is None
    bridge.stats.link = lone  # a lone, disabled session (no network): its timeline runs all the same
    first = values()
    time.sleep(0.3)
    second = values()
    assert first["tempo"] == pytest.approx(100.0) and first["peers"] == 0, first
    assert 0.0 <= first["phase"] < 4.0
    assert second["beat"] - first["beat"] == pytest.approx(0.5, abs=0.1)  # 0.3 s at 100 BPM
    root = json.loads(tree.answer("/", ""))
    assert set(root["CONTENTS"]["genie"]["CONTENTS"]["link"]["CONTENTS"]) == {"tempo", "beat", "phase", "peers"}


def test_listeners_get_the_link_values_once_a_beat_on_the_beat(lone) -> None:
    """The publisher sends /genie/link/{tempo,beat,phase,peers} as OSC datagrams once a beat: at 100 BPM, 1.5 s
    gives two or three beats, each on a whole beat, with phase = beat mod the quantum."""
    from pianogenie.bridge.osc.link_stream import LinkPublisher
    from pianogenie.bridge.osc.send import Encoder
    from pianogenie.bridge.osc.wire import parse_datagram

    class Listening:
        def __init__(self):
            self.sent: list[tuple[str, float, list]] = []

        def publish_value(self, path: str, *values) -> None:
            (message,), _ = parse_datagram(Encoder().message(path, *values))  # as the stream sends it
            self.sent.append((path, time.monotonic(), message[1]))

    stream = Listening()
    publisher = LinkPublisher(lone, stream)
    publisher.start()
    time.sleep(1.5)
    publisher.close()
    beats = [(t, values[0]) for path, t, values in stream.sent if path == "/genie/link/beat"]
    assert 2 <= len(beats) <= 3, stream.sent
    for t, beat in beats:
        assert beat == pytest.approx(round(beat), abs=1e-4)  # on the beat (sent as float32)
        assert lone.beat_at(t) - beat == pytest.approx(0.0, abs=0.05)  # sent when it came (within 30 ms at 100 BPM)
    tempo = [values for path, _, values in stream.sent if path == "/genie/link/tempo"]
    phase = [values[0] for path, _, values in stream.sent if path == "/genie/link/phase"]
    peers = [values for path, _, values in stream.sent if path == "/genie/link/peers"]
    assert tempo[0][0] == pytest.approx(100.0) and peers[0] == [0]
    for got, (_, beat) in zip(phase, beats):  # the phase wraps at the quantum: 3.99999 and 0.00001 agree
        gap = abs(got - beat % 4.0)
        assert min(gap, 4.0 - gap) < 1e-4, (phase, beats)


def test_a_session_realigned_during_the_wait_is_waited_for_again() -> None:
    """A peer joining while the publisher sleeps moves the session's beats (CI once heard beat 1.258): the time
    waited for is no longer a beat, so nothing is sent for it and the next whole beat is sent instead."""
    from pianogenie.bridge.link import LinkState
    from pianogenie.bridge.osc.link_stream import LinkPublisher

    class Shifting:
        """10 beats a second; after the first wait is computed the timeline moves by a quarter beat."""

        def __init__(self):
            self.t0, self.offset, self.asked = time.monotonic(), 0.0, 0

        def beat_at(self, t: float) -> float:
            return (t - self.t0) * 10.0 + self.offset

        def next_boundary(self, t: float, beats: float) -> float:
            self.asked += 1
            target = float(int(self.beat_at(t)) + 1)
            at = self.t0 + (target - self.offset) / 10.0
            if self.asked == 1:
                self.offset = 0.25  # the join lands after the wait was computed
            return at

        def state(self, t: float) -> LinkState:
            beat = self.beat_at(t)
            return LinkState(600.0, beat, beat % 4.0, 1, 4.0)

    class Listening:
        def __init__(self):
            self.beats: list[float] = []

        def publish_value(self, path: str, *values) -> None:
            if path == "/genie/link/beat":
                self.beats.append(values[0])

    stream = Listening()
    publisher = LinkPublisher(Shifting(), stream)
    publisher.start()
    time.sleep(0.5)
    publisher.close()
    assert len(stream.beats) >= 2, stream.beats
    assert all(abs(b - round(b)) < 1e-4 for b in stream.beats), stream.beats
