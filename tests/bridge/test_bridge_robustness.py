"""Issue 10: no packet, file or flag may kill, hang or fool the bridge. Each case found by the attack has its test
here, against a real `pianogenie serve` where the failure was a process's (exit, stall, log flood), and against
the bridge in-process where it was a state's."""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pianogenie.bridge import protocol as p
from pianogenie.bridge.core import Bridge
from pianogenie.bridge.osc.client import OscClient
from pianogenie.bridge.osc.transport import _SO_TIMESTAMPNS, _TIMESPEC, OscTransport
from pianogenie.bridge.osc.wire import MalformedPacket, parse_datagram
from pianogenie.engine import ModelError, PianoGenie
from pianogenie.engine.constants import MANIFEST_NAME
from tests.conftest import REPO, Log
from tests.serve_helpers import free_udp_port, running_serve

PIANOGENIE = [sys.executable, "-m", "pianogenie"]


def _pad(raw: bytes) -> bytes:
    raw += b"\x00"
    return raw + b"\x00" * (-len(raw) % 4)


def _raw(address: bytes, tags: bytes, body: bytes = b"") -> bytes:
    return _pad(address) + _pad(tags) + body


def _i(value: int) -> bytes:
    return struct.pack(">i", value)


def _run(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*PIANOGENIE, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout, **kwargs)


@pytest.fixture(scope="module")
def genie(random_model_dir):
    return PianoGenie.load(random_model_dir)


# --- 1, 2: one datagram must not kill the server or flood its log ---------------------------------------------


def test_deeply_nested_arrays_neither_kill_nor_stall_the_server(random_model_dir):
    reply_port = free_udp_port()
    with running_serve(["--model", str(random_model_dir)], reply_port) as (port, proc):
        client = OscClient(("127.0.0.1", port))
        try:
            for verb in ("press", "release", "pedal", "keys"):
                client.send_raw(_raw(f"/genie/{verb}".encode(), b"," + b"[" * 1000 + b"]" * 1000))
                message, _ = client.wait_for(lambda m: m[0] == p.OUT_ERROR, 5)
                assert message is not None and len(message[1][0]) <= 300
            status = client.status()
            assert status is not None and status["malformed"] == 4 and status["internal_errors"] == 0
        finally:
            client.close()
        assert proc.poll() is None


def test_unknown_type_tags_cost_no_log_lines_and_no_other_performers_time(random_model_dir):
    reply_port = free_udp_port()
    with running_serve(["--model", str(random_model_dir)], reply_port) as (port, proc):
        client = OscClient(("127.0.0.1", port))
        try:
            flood = _raw(b"/genie/press", b"," + b"x" * 64000)
            t0 = time.monotonic()
            for _ in range(5):
                client.send_raw(flood)
            assert client.status(timeout=10) is not None
            assert time.monotonic() - t0 < 2.0, "5 datagrams of unknown tags took seconds of server time"
        finally:
            client.close()
    # python-osc logged one warning per unknown tag: 2.7 MB of stderr per datagram.
    assert len(proc.stderr.read()) < 2000


# --- 3: only valid OSC 1.0 plays ------------------------------------------------------------------------------


@pytest.mark.parametrize("data, why", [
    (_raw(b"/genie/press", b",xi", _i(3)), "unknown tag x skipped"),
    (_raw(b"/genie/press", b",Ii", _i(3)) + _i(4), "I takes no data: a trailing int"),
    (_raw(b"/genie/press", b",i", _i(3)) + _i(0), "trailing bytes"),
    (b"/genie/press\x00\x01\x00\x00,i\x00\x00" + _i(3), "non-zero padding after the address"),
    (b"/genie/press\x00\x00\x00\x00,i\x00\x07" + _i(3), "non-zero padding after the tags"),
    (_raw(b"/genie/press\n", b",i", _i(3)), "newline in the address"),
    (_raw("/genie/٣/press".encode(), b",i", _i(3)), "non-ASCII digit"),
    (_raw(b"/genie/press", b"," + b"[" * 20 + b"i" + b"]" * 20, _i(3)), "arrays too deep"),
])
def test_invalid_osc_is_discarded_whole(data, why, genie):
    with pytest.raises(MalformedPacket):
        parse_datagram(data)
    bridge = Bridge(genie, seed=0)
    log = Log()
    bridge.sinks.append(log)
    transport = OscTransport(bridge, port=0, reply_to=())
    try:
        transport.handle_datagram(data, None, 0.0)
    finally:
        transport.close()
    assert log.events == [], why
    assert bridge.counters.malformed == 1 and bridge.counters.presses == 0


@pytest.mark.parametrize("tags, body, expected", [
    (b",r", _i(3), "r"),          # a colour was taken for button 3
    (b",ci", _i(65) + _i(3), "c"),  # c was skipped without its data, so 65 was read as the button
])
def test_a_colour_or_a_char_is_not_a_button(genie, tags, body, expected):
    (message,), _ = parse_datagram(_raw(b"/genie/press", tags, body))
    assert message[1][0].tag == expected and message[1][1:] == ([3] if expected == "c" else [])
    bridge = Bridge(genie, seed=0)
    assert bridge.handle(*message) is False and bridge.counters.presses == 0


def test_every_known_tag_is_read_with_its_size():
    body = (_i(1) + struct.pack(">q", 2) + struct.pack(">d", 3.0) + _i(65) + struct.pack(">I", 0xFF00FF00) + b"\x90\x3c\x40\x00"
            + struct.pack(">Q", 1) + _pad(b"hi") + _i(3) + b"abc\x00" + _i(7))
    (address, args), = parse_datagram(_raw(b"/x", b",ihdcrmtsbTFNI[i]", body))[0]
    assert args[:3] == [1, 2, 3.0] and args[7] == "hi" and args[8] == b"abc" and args[9:12] == [True, False, None]
    assert args[-1] == [7] and [args[i].tag for i in (3, 4, 5, 6, 12)] == ["c", "r", "m", "t", "I"]


# --- 4: rejected messages change nothing ------------------------------------------------------------------------


def test_rejected_messages_create_no_performer_reset_no_timer_redirect_nothing(genie):
    bridge = Bridge(genie, seed=0, idle_timeout=5.0)
    log = Log()
    bridge.sinks.append(log)
    good, bad = ("10.0.0.1", 1000), ("10.0.0.2", 2000)
    bridge.handle("/genie/press", [1], good, 0.0)
    for address, args in (("/genie/press", [9]), ("/genie/3/press", ["x"]), ("/genie/status", [1])):
        assert bridge.handle(address, args, bad, 4.0) is False
    assert set(bridge.performers) == {0}, "a rejected message created a performer"
    assert bridge.performers[0].last_sender == good and bridge.performers[0].last_activity == 0.0
    assert bridge.sweep_idle(now=5.5) == 1, "the rejected messages reset the idle timer"
    assert log.events[-1][0] == "off" and log.events[-1][-1] == good, "timeout note-off went to the bad sender"


def _stream(rng: random.Random, n: int) -> list[tuple[float, str, list]]:
    verbs = [("press", lambda: [rng.randrange(8)] + ([rng.choice([64, 0.5, 127])] if rng.random() < 0.3 else [])),
             ("release", lambda: [rng.randrange(8)]), ("pedal", lambda: [rng.randrange(2)]),
             ("temperature", lambda: [rng.choice([0.0, 0.5, 1.0])]), ("range", lambda: [48, 72]),
             ("keys", lambda: [] if rng.random() < 0.5 else [60, 64, 67]), ("reset", list), ("panic", list)]
    out, t = [], 0.0
    for _ in range(n):
        t += rng.uniform(0.0, 1.5)
        verb, args = rng.choice(verbs[:3] * 4 + verbs)
        performer = rng.choice([0, 0, 1, 5])
        out.append((t, p.output_address(f"/genie/{verb}", performer), args()))
    return out


def _rejected(rng: random.Random) -> tuple[str, list]:
    return rng.choice([
        ("/genie/press", [8]), ("/genie/7/press", [2.5]), ("/genie/9/release", []), ("/genie/1/pedal", [2]),
        ("/genie/3/temperature", [math.nan]), ("/genie/keys", [20]), ("/genie/range", [70, 60]), ("/genie/64/press", [1]),
        ("/genie/2/reset", [1]), ("/genie/status", [1]), ("/genie/jump", [1]), ("/genie/4/press", [1, 0]),
    ])


def test_property_rejected_messages_mixed_in_change_no_note(genie):
    """Valid messages from several senders, with idle sweeps between them, give exactly the same notes (pitch,
    velocity, time, destination) whether or not rejected messages from anywhere are mixed in."""
    for seed in range(6):
        rng = random.Random(seed)
        stream = _stream(rng, 300)
        senders = [("10.0.0.1", 1), ("10.0.0.2", 2), None]

        def play(mixed: bool) -> list:
            bridge = Bridge(genie, seed=seed, idle_timeout=2.0)
            log = Log()
            bridge.sinks.append(log)
            noise = random.Random(100 + seed)
            for i, (t, address, args) in enumerate(stream):
                bridge.sweep_idle(now=t)
                if mixed:
                    for _ in range(noise.randrange(3)):
                        assert bridge.handle(*_rejected(noise), ("10.9.9.9", noise.randrange(5)), t) is False
                assert bridge.handle(address, list(args), senders[i % 3], t), (address, args)
            bridge.shutdown()
            return [e[:-2] + (e[-1],) for e in log.events]  # shutdown's time is the clock's: left out

        assert play(True) == play(False), f"seed {seed}"


# --- 5: model loading --------------------------------------------------------------------------------------------


def _model_copy(random_model_dir: Path, tmp_path: Path) -> Path:
    model = tmp_path / "model"
    shutil.copytree(random_model_dir, model)
    return model


def _load_fails(model: Path, words: str, seconds: float = 10.0) -> None:
    """PianoGenie.load raises a one-line ModelError naming the problem, and does so quickly."""
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(_try_load(model)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"loading {model} hung"
    assert isinstance(outcome[0], ModelError), outcome[0]
    assert words in str(outcome[0]) and "\n" not in str(outcome[0])


def _try_load(model: Path):
    try:
        return PianoGenie.load(model)
    except Exception as exc:
        return exc


def test_a_shard_symlinked_out_of_the_model_dir_is_refused(random_model_dir, tmp_path):
    model = _model_copy(random_model_dir, tmp_path)
    outside = tmp_path / "elsewhere.bin"
    (model / "group1-shard1of1.bin").rename(outside)
    (model / "group1-shard1of1.bin").symlink_to(outside)
    _load_fails(model, "outside the model directory")


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_a_shard_that_is_a_device_or_fifo_is_refused_without_reading(random_model_dir, tmp_path, target):
    model = _model_copy(random_model_dir, tmp_path)
    shard = model / "group1-shard1of1.bin"
    shard.unlink()
    if target == "fifo":
        os.mkfifo(shard)
    else:
        shard.symlink_to(target)
    _load_fails(model, "not a regular file" if target == "fifo" else "")


@pytest.mark.parametrize("name", ["cfg.json", MANIFEST_NAME])
def test_deeply_nested_json_is_one_line_and_exit_2(random_model_dir, tmp_path, name):
    model = _model_copy(random_model_dir, tmp_path)
    (model / name).write_text("[" * 100000 + "]" * 100000)
    _load_fails(model, "nests deeper")
    result = _run("replay", "--events", str(tmp_path / "none.json"), "--model", str(model))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_a_shard_listed_twice_is_refused(random_model_dir, tmp_path):
    model = _model_copy(random_model_dir, tmp_path)
    manifest = json.loads((model / MANIFEST_NAME).read_text())
    manifest[0]["paths"] = manifest[0]["paths"] * 2000
    (model / MANIFEST_NAME).write_text(json.dumps(manifest))
    _load_fails(model, "listed twice")


def test_huge_weights_are_refused_so_the_key_mask_always_holds(tmp_path):
    from pianogenie.engine.model_format import write_model
    from tests.conftest import CONFIG, random_tensors

    tensors = random_tensors()
    tensors["dec.output.weight"] = tensors["dec.output.weight"] * 1e37  # finite, but logits overflow to inf
    write_model(tmp_path / "huge", tensors, CONFIG)
    _load_fails(tmp_path / "huge", "beyond")
    result = _run("serve", "--port", "0", "--audio", "none", "--midi-out", "none", "--model", str(tmp_path / "huge"))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


def test_the_key_mask_holds_over_extreme_finite_logits(genie):
    """Within the weight bound, logits stay finite; and any finite logits, however large, leave the mask in force."""
    session = genie.session(seed=0)
    keys = (39, 43, 46)
    for i in range(200):
        assert session.press(i % 8, time=0.1 * i, temperature=1.0, keys=keys) in keys


# --- 6: flags -----------------------------------------------------------------------------------------------------


SERVE = ["serve", "--audio", "none", "--midi-out", "none"]


@pytest.mark.parametrize("flags, words", [
    (["--port", "70000"], "--port"),
    (["--port", "-1"], "--port"),
    (["--seed", "-1"], "--seed"),
    (["--idle-timeout", "nan"], "--idle-timeout"),
    (["--midi-out", "No Such Port"], "--midi-out No Such Port"),
    (["--midi-in", "No Such Port"], "--midi-in No Such Port"),
    (["--audio", "auto", "--audio-device", "99"], "--audio-device 99"),
    (["--record", "/proc/version/take.json"], "--record"),
    (["--voices", "100000000"], "--voices"),
    (["--base-note", "200"], "--base-note"),
    (["--sample-rate", "0"], "--sample-rate"),
])
def test_bad_flags_are_one_line_and_exit_2_before_anything_starts(random_model_dir, flags, words):
    args = SERVE + ["--port", "0"] + flags if "--port" not in flags else SERVE + flags
    result = _run(*args, "--model", str(random_model_dir), timeout=60, env=dict(os.environ, JACK_NO_START_SERVER="1"))
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "ready" not in result.stdout, result.stderr


@pytest.mark.parametrize("flags, words", [(["--sample-rate", "0"], "--sample-rate"), (["--voices", "0"], "voice")])
def test_render_flags_are_checked(tmp_path, flags, words):
    take = tmp_path / "take.json"
    take.write_text(json.dumps({"notes": [{"pitch": 60, "onset": 0.0, "offset": 0.1}]}))
    result = _run("render", str(take), str(tmp_path / "out.wav"), *flags)
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr


def test_web_with_a_port_out_of_range_is_one_line(random_model_dir):
    result = _run("web", "--model", str(random_model_dir), "--port", "70000")
    assert result.returncode == 2 and "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_play_with_a_misspelt_controller_exits_2(random_model_dir):
    result = _run("play", "--audio", "none", "--midi-out", "none", "--controller", "No Such Keyboard",
                  "--model", str(random_model_dir), input="", env=dict(os.environ, JACK_NO_START_SERVER="1"))
    assert result.returncode == 2 and "--controller No Such Keyboard" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_take_whose_folder_vanishes_is_rescued_not_lost(random_model_dir, tmp_path):
    folder = tmp_path / "takes"
    folder.mkdir()  # serve makes no folder the user did not ask for (issue 22.5)
    record = folder / "take.json"
    proc = subprocess.Popen([*PIANOGENIE, *SERVE, "--port", "0", "--reply-to", "none", "--model", str(random_model_dir),
                             "--record", str(record)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = "".join(iter(proc.stdout.readline, "pianogenie serve: ready\n"))
        port = int(banner.split("osc udp 127.0.0.1:")[1].split()[0])
        client = OscClient(("127.0.0.1", port))
        client.send("/genie/press", 3)
        assert client.wait_for(lambda m: m[0] == p.OUT_NOTEON)[0] is not None
        client.close()
        shutil.rmtree(folder)
        folder.write_text("now a file: the folder cannot come back")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    rescued = [line for line in proc.stderr.read().splitlines() if "the take is in" in line]
    assert len(rescued) == 1, rescued
    path = Path(rescued[0].split("the take is in ")[1])
    take = json.loads(path.read_text())
    path.unlink()
    assert [e["button"] for e in take["events"]] == [3] and len(take["notes"]) == 1


def test_a_bug_in_one_datagram_or_sweep_is_counted_and_the_loops_go_on(genie, monkeypatch, capfd):
    bridge = Bridge(genie, seed=0, idle_timeout=5.0)
    transport = OscTransport(bridge, port=0, reply_to=())
    thread = threading.Thread(target=transport.serve_forever, daemon=True)
    client = OscClient(transport.address)
    real_sweep, real_press = bridge.sweep_idle, bridge._handlers["press"]
    faults = {"sweep": 2, "press": 1}

    def sweep(now=None):
        if faults["sweep"]:
            faults["sweep"] -= 1
            raise RuntimeError("sweep bug")
        return real_sweep(now)

    def press(*args):
        if faults["press"]:
            faults["press"] -= 1
            raise KeyError("press bug")  # neither ProtocolError nor ValueError: only the loop's guard catches it
        return real_press(*args)

    monkeypatch.setattr(bridge, "sweep_idle", sweep)
    bridge._handlers["press"] = press
    try:
        thread.start()
        client.send("/genie/press", 1)
        time.sleep(0.5)
        client.send("/genie/press", 2)
        assert client.wait_for(lambda m: m[0] == p.OUT_NOTEON)[0] is not None, "the loop goes on after the bug"
        status = client.status()
        assert status["internal_errors"] == 3 and faults == {"sweep": 0, "press": 0}
    finally:
        transport.stop()
        thread.join(10)
        transport.close()
        client.close()
    err = capfd.readouterr().err
    assert err.count("pianogenie: internal error") == 1 and "Traceback" in err, "logged once, with its traceback"


# --- 7: smaller cases -------------------------------------------------------------------------------------------


def test_sigstop_longer_than_the_idle_timeout_cuts_no_note(random_model_dir):
    reply_port = free_udp_port()
    with running_serve(["--model", str(random_model_dir), "--idle-timeout", "1"], reply_port) as (port, proc):
        client = OscClient(("127.0.0.1", port))
        try:
            client.send("/genie/press", 2)
            assert client.wait_for(lambda m: m[0] == p.OUT_NOTEON)[0] is not None
            os.kill(proc.pid, signal.SIGSTOP)
            time.sleep(2.0)
            os.kill(proc.pid, signal.SIGCONT)
            early, _ = client.wait_for(lambda m: m[0] == p.OUT_NOTEOFF, 0.5)
            assert early is None, "the sweep counted the stopped time as silence"
            late, _ = client.wait_for(lambda m: m[0] == p.OUT_NOTEOFF, 5)
            assert late is not None, "the idle timeout still works after the stop"
        finally:
            client.close()


def test_an_error_about_a_huge_address_still_reaches_the_sender(genie):
    bridge = Bridge(genie, seed=0)
    transport = OscTransport(bridge, port=0, reply_to=())
    client = OscClient(transport.address)
    try:
        client.send_raw(_raw(b"/genie/" + b"x" * 65390, b",i", _i(1)))  # an unbounded reason would not fit a reply
        data, sender = transport.sock.recvfrom(65536)
        transport.handle_datagram(data, sender, 0.0)
        reply = client.receive(2.0)
        assert reply and reply[0][0] == p.OUT_ERROR and len(reply[0][1][0]) <= 300
    finally:
        client.close()
        transport.close()


def _wait_for_kernel_arrival_stamps(timeout: float = 5.0) -> None:
    """Linux turns arrival stamping on for the whole system in a deferred work item once a first socket asks for
    SO_TIMESTAMPNS; until it has run, a datagram is stamped when it is read. Wait until a probe datagram that
    waited 50 ms in its queue carries a stamp that says so."""
    import socket

    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)
        probe.bind(("127.0.0.1", 0))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            probe.sendto(b"x", probe.getsockname())
            time.sleep(0.05)
            _, extra, _, _ = probe.recvmsg(16, socket.CMSG_SPACE(_TIMESPEC.size))
            if extra:
                seconds, nanoseconds = _TIMESPEC.unpack(extra[0][2][:_TIMESPEC.size])
                if time.time() - (seconds + nanoseconds * 1e-9) > 0.04:
                    return
        pytest.fail("the kernel never stamped a datagram on arrival")
    finally:
        probe.close()


@pytest.mark.skipif(_SO_TIMESTAMPNS is None, reason="SO_TIMESTAMPNS is Linux's")
def test_status_latency_counts_the_time_in_the_socket_queue(genie):
    bridge = Bridge(genie, seed=0)
    transport = OscTransport(bridge, port=0, reply_to=())
    thread = threading.Thread(target=transport.serve_forever, daemon=True)
    client = OscClient(transport.address)
    try:
        _wait_for_kernel_arrival_stamps()  # the transport's own socket keeps stamping on from here
        client.send("/genie/press", 1)
        time.sleep(0.3)  # the press waits in the socket's queue: nobody reads yet
        thread.start()
        status = client.status()
        assert status["presses"] == 1
        assert status["latency_p50_us"] > 250_000, status["latency_p50_us"]
    finally:
        transport.stop()
        thread.join(10)
        transport.close()
        client.close()


def test_a_panic_reaches_the_client_whose_notes_were_sounding(random_model_dir):
    reply_port = free_udp_port()
    with running_serve(["--model", str(random_model_dir), "--reply-to", "none"], reply_port) as (port, proc):
        player, panicker = OscClient(("127.0.0.1", port)), OscClient(("127.0.0.1", port))
        try:
            player.send("/genie/press", 4)
            on, _ = player.wait_for(lambda m: m[0] == p.OUT_NOTEON)
            panicker.send("/genie/panic")
            off, _ = player.wait_for(lambda m: m[0] == p.OUT_NOTEOFF, 3)
            assert off is not None and off[1][0] == on[1][0]
            assert panicker.wait_for(lambda m: m[0] == p.OUT_NOTEOFF, 3)[0] is not None
        finally:
            player.close()
            panicker.close()


def test_a_nul_in_a_web_path_is_a_400_not_a_traceback(random_model_dir, tmp_path, capfd):
    import http.client

    from pianogenie.bridge.web.server import REQUIRED_WEB_FILES, WebServer

    for name in REQUIRED_WEB_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    with WebServer(random_model_dir, port=0, web_root=tmp_path) as server:
        host, port = server.httpd.server_address[:2]
        for path in ("/%00", "/model/%00", "/index.html%00"):
            connection = http.client.HTTPConnection(host, port, timeout=5)
            connection.request("GET", path)
            response = connection.getresponse()
            assert response.status == 400, path
            connection.close()
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("command", [SERVE + ["--port", "0", "--midi-in", "virtual"],
                                     ["play", "--audio", "none", "--midi-out", "none", "--controller", "virtual"]])
def test_a_midi_input_without_mido_is_refused_in_one_line(random_model_dir, command):
    # mido made unimportable in the child, as on an install without the [midi] extra.
    run = ("import runpy, sys; sys.modules['mido'] = None; sys.argv = ['pianogenie', *sys.argv[1:]]; "
           "runpy.run_module('pianogenie', run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", run, *command, "--model", str(random_model_dir)], cwd=REPO,
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "virtual" in lines[0] and "mido is not installed" in lines[0], result.stderr
    assert "ready" not in result.stdout
