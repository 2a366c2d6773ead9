"""The attack suite of issue 23, beside the OSC fuzz: each attack runs against a real `pianogenie serve` while
another performer plays over real OSC, and that performer's press round trip is compared with a baseline taken
in the same run. Bounded in count and time, loopback only."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request

from tests.attack_helpers import press_round_trips, rss_mb, within_bound
from tests.conftest import REPO
from tests.serve_helpers import free_udp_port, running_serve
from tests.test_bridge_oscquery import free_tcp_port


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
    from bridge.osc.oscquery import HEADER_DEADLINE_S, MAX_CONNECTIONS

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
