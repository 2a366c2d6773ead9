"""The attack suite of issue 23, beside the OSC fuzz: each attack runs against a real `pianogenie serve` while
another performer plays over real OSC, and that performer's press round trip is compared with a baseline taken
in the same run. Bounded in count and time, loopback only."""

from __future__ import annotations

import contextlib
import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

from tests.attack_helpers import press_round_trips, rss_mb, within_bound
from tests.conftest import REPO
from tests.serve_helpers import free_udp_port, running_serve
from tests.bridge.test_bridge_oscquery import free_tcp_port


def _attack_while_playing(port: int, attacker: list[str]):
    """(round trips while the attacker process runs, its JSON result)."""
    proc = subprocess.Popen([sys.executable, "tests/oscquery_attacker.py", *attacker], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()
    threading.Thread(target=lambda: (proc.wait(), stop.set()), daemon=True).start()
    time.sleep(0.2)  # the attack under way before the first measured press
    attacked = press_round_trips(port, seconds=60, stop=stop)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return attacked, json.loads(out.strip().splitlines()[-1])


def _serve_with_oscquery(random_model_dir):
    http = free_tcp_port()
    return http, running_serve(["--model", str(random_model_dir), "--oscquery-port", str(http)], free_udp_port())


def _get_root(http: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{http}/", timeout=10) as response:
        return json.loads(response.read())


def test_a_connection_flood_on_oscquery_does_not_starve_osc(random_model_dir):
    http, serving = _serve_with_oscquery(random_model_dir)
    with serving as (port, proc):
        press_round_trips(port, count=20)  # warm up
        baseline = press_round_trips(port, count=150)
        before = rss_mb(proc.pid)
        attacked, seen = _attack_while_playing(port, ["flood", str(http), "1000"])
        after = press_round_trips(port, count=50)
        print(f"\nflood {seen}: baseline {baseline.describe()}; attacked {attacked.describe()}; "
              f"after {after.describe()}; RSS {before:.0f} -> {rss_mb(proc.pid):.0f} MB")
        assert seen["answered"] + seen["refused"] + seen["unfinished"] == 1000
        assert seen["answered"] > 0, seen
        assert within_bound(attacked, baseline), (baseline.describe(), attacked.describe())
        assert within_bound(after, baseline), (baseline.describe(), after.describe())
        assert rss_mb(proc.pid) - before < 64, "the flood left its memory behind"
        assert _get_root(http)["FULL_PATH"] == "/"
    assert "Traceback" not in proc.stderr.read()


def test_slow_header_clients_are_cut_at_the_deadline_and_cost_osc_nothing(random_model_dir):
    from pianogenie.bridge.osc.oscquery import HEADER_DEADLINE_S, MAX_CONNECTIONS

    http, serving = _serve_with_oscquery(random_model_dir)
    with serving as (port, proc):
        press_round_trips(port, count=20)
        baseline = press_round_trips(port, count=150)
        clients = MAX_CONNECTIONS + 8  # more than the pool: the rest wait in the kernel's queue
        attacked, seen = _attack_while_playing(port, ["slow", str(http), str(clients), str(3 * HEADER_DEADLINE_S)])
        print(f"\nslow headers {seen}: baseline {baseline.describe()}; attacked {attacked.describe()}")
        # Every trickling client is cut: the pooled ones at the deadline, the queued ones one deadline later.
        assert seen["cut"] == clients, seen
        assert seen["latest_cut_s"] <= 2 * HEADER_DEADLINE_S + 2, seen
        assert within_bound(attacked, baseline), (baseline.describe(), attacked.describe())
        assert _get_root(http)["FULL_PATH"] == "/"


def test_honest_clients_reading_the_tree_cost_osc_little(random_model_dir):
    http, serving = _serve_with_oscquery(random_model_dir)
    with serving as (port, proc):
        press_round_trips(port, count=20)
        baseline = press_round_trips(port, count=150)
        attacked, seen = _attack_while_playing(port, ["readers", str(http), "4", "3"])
        print(f"\nreaders {seen}: baseline {baseline.describe()}; attacked {attacked.describe()}")
        assert seen["requests"] > 40, seen  # kept-alive answers are not held back by Nagle (44 ms each before)
        assert within_bound(attacked, baseline), (baseline.describe(), attacked.describe())


# --- an oversized model: the loader reads the decoder's tensors only, within a total budget ----------------------


def _sparse_group(model, name: str, shards: int, shard_bytes: int) -> dict:
    """A weight group of one float32 tensor spread over sparse shard files: declared, never written."""
    paths = []
    for i in range(shards):
        path = model / f"{name}-shard{i + 1}of{shards}.bin"
        with open(path, "wb") as file:
            file.truncate(shard_bytes)
        paths.append(path.name)
    return {"paths": paths, "weights": [{"name": name, "shape": [shards * shard_bytes // 4], "dtype": "float32"}]}


def _oversized_model(random_model_dir, folder, how: str):
    import shutil

    from pianogenie.engine.constants import MANIFEST_NAME
    from pianogenie.engine.model_format import MAX_SHARD_BYTES

    model = folder / how
    shutil.copytree(random_model_dir, model)
    manifest = json.loads((model / MANIFEST_NAME).read_text())
    if how == "extra-groups":  # 3 GiB declared in groups the decoder never uses
        manifest += [_sparse_group(model, f"enc.extra{g}", 4, MAX_SHARD_BYTES) for g in range(3)]
    else:  # "extra-tensor": 1 GiB of another tensor in the decoder's own group
        extra = _sparse_group(model, "enc.big", 4, MAX_SHARD_BYTES)
        manifest[0]["paths"] += extra["paths"]
        manifest[0]["weights"] += extra["weights"]
    (model / MANIFEST_NAME).write_text(json.dumps(manifest))
    return model


def _peak_rss_of_loading(model) -> tuple[str, float]:
    """(what loading printed, its peak RSS in MB), in a fresh process so the figure is the load's own."""
    code = ("import resource, sys\nfrom engine.genie import PianoGenie\nfrom engine.model_format import ModelError\n"
            "try:\n    PianoGenie.load(sys.argv[1]); print('loaded')\nexcept ModelError as exc:\n    print(exc)\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    out = subprocess.run([sys.executable, "-c", code, str(model)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    said, peak = out.stdout.strip().splitlines()
    return said, float(peak)


def test_groups_the_decoder_never_uses_are_refused_unread(random_model_dir, tmp_path):
    said, peak = _peak_rss_of_loading(_oversized_model(random_model_dir, tmp_path, "extra-groups"))
    assert "group 1 names none of the decoder's tensors" in said and "\n" not in said, said
    baseline = _peak_rss_of_loading(random_model_dir)[1]
    print(f"\nextra groups: {said!r}; peak RSS {peak:.0f} MB (the plain model: {baseline:.0f} MB)")
    assert peak < baseline + 32


def test_a_huge_tensor_beside_the_decoders_is_never_read(random_model_dir, tmp_path):
    said, peak = _peak_rss_of_loading(_oversized_model(random_model_dir, tmp_path, "extra-tensor"))
    baseline = _peak_rss_of_loading(random_model_dir)[1]
    print(f"\nextra tensor: {said!r}; peak RSS {peak:.0f} MB (the plain model: {baseline:.0f} MB)")
    assert said == "loaded" and peak < baseline + 32


def test_the_total_budget_holds_for_any_tensors(tmp_path):
    import pytest

    from pianogenie.engine.constants import MANIFEST_NAME
    from pianogenie.engine.model_format import MAX_MODEL_BYTES, MAX_SHARD_BYTES, ModelError, read_weights

    groups = [_sparse_group(tmp_path, f"t{g}", 1, MAX_SHARD_BYTES // 8) for g in range(MAX_MODEL_BYTES * 8 // MAX_SHARD_BYTES + 1)]
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(groups))
    with pytest.raises(ModelError, match=f"more than the {MAX_MODEL_BYTES} bytes"):
        read_weights(tmp_path)


def test_a_swap_to_an_oversized_model_is_one_line_and_costs_another_performer_little(random_model_dir, tmp_path):
    from pianogenie.bridge import protocol as p
    from pianogenie.bridge.osc.client import OscClient
    from tests.attack_helpers import press_round_trips

    folder = tmp_path / "models"
    folder.mkdir()
    import shutil
    shutil.copytree(random_model_dir, folder / "plain")
    _oversized_model(random_model_dir, folder, "extra-groups")
    with running_serve(["--model", str(folder / "plain"), "--models", str(folder)], free_udp_port()) as (port, proc):
        press_round_trips(port, count=20)
        baseline = press_round_trips(port, count=150)
        before = rss_mb(proc.pid)
        client = OscClient(("127.0.0.1", port))
        stop, refused = threading.Event(), []

        def swapping() -> None:  # another peer asking for the oversized model, again and again
            while not stop.is_set():
                client.send(p.IN_MODEL, "extra-groups")
                message, _ = client.wait_for(lambda m: m[0] == p.OUT_ERROR, 10)
                refused.append(message is not None and "names none of the decoder's tensors" in message[1][0])

        swapper = threading.Thread(target=swapping)
        swapper.start()
        try:
            attacked = press_round_trips(port, count=200)
        finally:
            stop.set()
            swapper.join()
            client.close()
        assert refused and all(refused), refused
        print(f"\noversized swap x{len(refused)}: baseline {baseline.describe()}; attacked {attacked.describe()}; "
              f"RSS {before:.0f} -> {rss_mb(proc.pid):.0f} MB")
        assert within_bound(attacked, baseline), (baseline.describe(), attacked.describe())
        assert rss_mb(proc.pid) - before < 32
    assert "Traceback" not in proc.stderr.read()


def _flood_while_playing(port: int, packet: bytes, burst: int = 1000) -> tuple:
    """(another performer's round trips, bytes sent, bytes received back) while one peer sends `packet` in bursts
    of `burst` datagrams, 20 bursts a second, as fast as its socket takes them."""
    import socket

    stop, sent, received = threading.Event(), [0], [0]
    attacker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    attacker.bind(("127.0.0.1", 0))
    attacker.setblocking(False)

    def drain() -> None:
        try:
            while True:
                received[0] += len(attacker.recv(65536))
        except BlockingIOError:
            pass

    def flooding() -> None:
        while not stop.is_set():
            for _ in range(burst):
                attacker.sendto(packet, ("127.0.0.1", port))
                sent[0] += len(packet)
            time.sleep(0.05)
            drain()

    flood = threading.Thread(target=flooding)
    flood.start()
    try:
        attacked = press_round_trips(port, count=200)
    finally:
        stop.set()
        flood.join()
        time.sleep(0.2)
        drain()
        attacker.close()
    return attacked, sent[0], received[0]


def test_a_models_burst_costs_another_performer_little_and_reflects_little(random_model_dir, tmp_path):
    """Issue 23.4: 256 models in --models, and a peer sending /genie/models as fast as it can (1,000 per burst):
    the listing is never rescanned on the receiving thread, and the replies are rate-limited, so a request costs
    another performer no more than any datagram of its size does, and the bytes sent back are fewer than the bytes
    received. The control is the same flood of datagrams the server drops unread (not OSC), in the same run: on a
    2-core machine merely receiving 1,000 datagrams at once delays a press behind them by ~10 ms, whatever they say."""
    import shutil

    from pianogenie.bridge import protocol as p
    from pianogenie.bridge.osc.send import Encoder

    folder = tmp_path / "models"
    folder.mkdir()
    for n in range(256):
        shutil.copytree(random_model_dir, folder / f"model-{n:03d}-with-a-long-name-to-fill-the-reply")
    with running_serve(["--model", str(random_model_dir), "--models", str(folder)], free_udp_port()) as (port, proc):
        press_round_trips(port, count=20)
        baseline = press_round_trips(port, count=150)
        request = Encoder().ints(p.IN_MODELS)
        control, _, _ = _flood_while_playing(port, b"\xff" * len(request))
        attacked, sent, received = _flood_while_playing(port, request)
        print(f"\n/genie/models burst: {sent // len(request)} requests ({sent} B) -> {received} B of replies; "
              f"baseline {baseline.describe()}; same flood of dropped datagrams {control.describe()}; "
              f"attacked {attacked.describe()}")
        assert within_bound(attacked, control), (control.describe(), attacked.describe())
        assert attacked.lost == 0 and statistics.median(attacked.ms) <= 2 * statistics.median(baseline.ms) + 1, \
            (baseline.describe(), attacked.describe())
        assert received < sent, "the replies outweigh the requests: a reflection"
    assert "Traceback" not in proc.stderr.read()


# --- a stalled synth child: the pipe never blocks the bridge ------------------------------------------------------


def _children(pid: int) -> list[int]:
    import pathlib

    found = []
    for task in pathlib.Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def test_a_stopped_synth_child_costs_another_performer_nothing_and_is_declared_dead_once(random_model_dir, monkeypatch):
    import os
    import signal

    import pytest

    from pianogenie.bridge import protocol as p
    from pianogenie.bridge.osc.client import OscClient
    from pianogenie.bridge.sound.synth_process import STALL_DEADLINE
    from tests.conftest import jack_dummy

    pytest.importorskip("pyo")
    # serve's children reach jack_dummy's own server through the environment they inherit.
    with jack_dummy(256) as env:
        monkeypatch.setenv("JACK_NO_START_SERVER", "1")
        monkeypatch.setenv("JACK_DEFAULT_SERVER", env["JACK_DEFAULT_SERVER"])
        with running_serve(["--model", str(random_model_dir), "--audio", "pyo", "--audio-backend", "jack"],
                           free_udp_port()) as (port, proc):
            if "pyo jack" not in proc.banner:
                pytest.skip(f"pyo did not start on JACK here: {proc.banner}")
            (child,) = _children(proc.pid)
            press_round_trips(port, count=20)
            baseline = press_round_trips(port, count=150)
            os.kill(child, signal.SIGSTOP)  # a hung audio stack: alive, reading nothing
            try:
                # More notes than the pipe holds (64 KiB of 12-byte records), as fast as a sequencer can send them.
                flood = OscClient(("127.0.0.1", port))
                for i in range(4000):
                    flood.send(p.IN_PRESS, i % 8)
                    flood.send(p.IN_RELEASE, i % 8)
                    if i % 20 == 0:
                        time.sleep(0.001)
                flood.close()
                attacked = press_round_trips(port, seconds=STALL_DEADLINE + 2)
            finally:
                with contextlib.suppress(ProcessLookupError):  # declared dead, killed and reaped: the point
                    os.kill(child, signal.SIGCONT)
            status = OscClient(("127.0.0.1", port))
            assert status.status(timeout=10) is not None, "serve stopped answering"
            status.close()
            print(f"\nstopped synth: baseline {baseline.describe()}; attacked {attacked.describe()}")
            assert within_bound(attacked, baseline), (baseline.describe(), attacked.describe())
            deadline = time.monotonic() + 10
            while child in _children(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.1)  # killed, then reaped by the bridge's watch on its child
            assert child not in _children(proc.pid), "the hung child was not killed"
        err = proc.stderr.read()
        assert err.count("the synth process has not read a note") == 1, err
        assert "Traceback" not in err
