"""Zeroconf under --host 0.0.0.0 (issue 23), in a network namespace of the test's own with a LAN-like interface
(eth9, a veth), a VPN-like one (tun0, a veth too) and loopback: only the LAN address is advertised, an address added later is
advertised within seconds, and a name already taken is renamed for both services and said in one line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO

SETUP = " && ".join([
    "ip link set lo up",
    "ip link add eth9 type veth peer name eth9p", "ip addr add 10.9.0.1/24 dev eth9", "ip link set eth9 up",
    "ip link set eth9p up",
    "ip link add tun0 type veth peer name tun0p", "ip addr add 10.8.0.1/24 dev tun0", "ip link set tun0 up",
    "ip link set tun0p up",
    "ip route add 224.0.0.0/4 dev eth9",
])


def test_what_zeroconf_advertises_under_the_wildcard_host():
    pytest.importorskip("zeroconf")
    if not (shutil.which("unshare") and shutil.which("ip")):
        pytest.skip("needs unshare (util-linux) and ip (iproute2)")
    probe = subprocess.run(["unshare", "-n", "sh", "-c", "ip link add eth9 type veth peer name eth9p"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot create a network namespace with a veth pair here ({probe.stderr.strip()})")
    proc = subprocess.run(["unshare", "-n", "sh", "-c", f"{SETUP} && exec {sys.executable} tests/zeroconf_network_probe.py"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["own"] == ["10.9.0.1"], seen  # neither 127.0.0.1 nor the tunnel's 10.8.0.1
    assert seen["advertised"] == ["10.9.0.1"], seen
    assert seen["after_change"] == ["10.9.0.1", "10.9.0.2"], seen
    assert seen["second_name"] != "Piano Genie 9000" and seen["second_name"].startswith("Piano Genie 9000"), seen
    assert seen["second_line"] == (f'pianogenie serve: zeroconf: "Piano Genie 9000" is taken on this network; '
                                   f'advertised as "{seen["second_name"]}"'), seen
    assert seen["second_oscquery_port"] == 9003, seen
