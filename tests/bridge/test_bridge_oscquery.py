"""OSCQuery and Zeroconf (issue 13, section 1), against a real `pianogenie serve`: the HTTP answers checked against
the proposal's rules over real HTTP, every type the tree declares sent over real OSC and accepted by the
dispatcher, and, inside a network namespace of the test's own, python-zeroconf's ServiceBrowser finding both
services and python-oscquery's client reading the server."""

from __future__ import annotations

import importlib.util

import json
import re
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from pianogenie.bridge import protocol as p
from pianogenie.bridge.handlers import ROUTES
from pianogenie.bridge.osc.client import OscClient
from pianogenie.engine.model_format import write_model
from tests.conftest import CONFIG, REPO, random_tensors
from tests.serve_helpers import free_udp_port, running_serve

TAG_TYPES = {"i": int, "f": (float, int), "s": str}


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, target: str) -> tuple[int, object]:
    """(status, decoded JSON or None) of one real HTTP GET."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{target}", timeout=10) as response:
            body = response.read()
            assert body == b"" or response.headers["Content-Type"] == "application/json"
            return response.status, json.loads(body) if body else None
    except urllib.error.HTTPError as exc:
        return exc.code, None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One bridge with two models to choose from; yields (osc port, http port)."""
    models = tmp_path_factory.mktemp("models")
    write_model(models / "alpha", random_tensors(0), CONFIG)
    write_model(models / "beta", random_tensors(1), CONFIG)
    http = free_tcp_port()
    with running_serve(["--model", str(models / "alpha"), "--models", str(models), "--oscquery-port", str(http)],
                       free_udp_port()) as (port, proc):
        yield port, http


def _walk(node: dict, path: str = "/"):
    """Every node of the tree with the path it sits at."""
    yield path, node
    for name, child in node.get("CONTENTS", {}).items():
        yield from _walk(child, path.rstrip("/") + "/" + name)


def test_the_tree_follows_the_proposal_and_is_the_protocol(server):
    port, http = server
    status, root = get(http, "/")
    assert status == 200
    methods = {}
    for path, node in _walk(root):
        assert node["FULL_PATH"] == path
        assert isinstance(node["DESCRIPTION"], str) and node["DESCRIPTION"]
        assert node["ACCESS"] in (0, 1, 2, 3)
        if "CONTENTS" in node:
            continue
        methods[path] = node
        if "TYPE" in node:
            assert re.fullmatch(r"[ifs]+", node["TYPE"]), node
            assert len(node["RANGE"]) == len(node["TYPE"]), node
            for tag, bounds in zip(node["TYPE"], node["RANGE"]):
                assert set(bounds) <= {"MIN", "MAX", "VALS"}
                for value in [bounds.get("MIN"), bounds.get("MAX"), *bounds.get("VALS", [])]:
                    assert value is None or isinstance(value, TAG_TYPES[tag]), (path, tag, value)
        else:
            assert "RANGE" not in node and "VALUE" not in node
        if "VALUE" in node:
            assert node["ACCESS"] in (1, 3)
            assert isinstance(node["VALUE"], list) and len(node["VALUE"]) == len(node["TYPE"])
            for tag, value in zip(node["TYPE"], node["VALUE"]):
                assert isinstance(value, TAG_TYPES[tag]), (path, node)
    # Every address the dispatcher takes is a writable method of the tree, and nothing else is.
    writable = {path for path, node in methods.items() if node["ACCESS"] in (0, 2, 3)}
    assert writable == set(ROUTES.addresses())
    outputs = {path for path, node in methods.items() if node["ACCESS"] == 1}
    assert {p.OUT_NOTEON, p.OUT_NOTEOFF, p.OUT_ERROR, "/genie/63/noteon"} <= outputs
    assert methods[p.IN_MODEL]["RANGE"] == [{"VALS": ["alpha", "beta"]}]
    assert methods[p.IN_TEMPERATURE]["VALUE"] == [0.25] and methods[p.IN_RANGE]["VALUE"] == [21, 108]


def test_every_declared_type_is_what_the_dispatcher_accepts(server):
    """Each method's TYPE, filled from its RANGE, sent over OSC: no error. The same with one wrong type: an error."""
    port, http = server
    _, root = get(http, "/")
    methods = {path: node for path, node in _walk(root) if "CONTENTS" not in node and node["ACCESS"] != 1}
    client = OscClient(("127.0.0.1", port))
    try:
        for path in [p.IN_PRESS, p.IN_RELEASE, p.IN_PEDAL, p.IN_TEMPERATURE, p.IN_KEYS, p.IN_RANGE, p.IN_RESET,
                     p.IN_PANIC, p.IN_STATUS, p.IN_MODELS, "/genie/5/press", "/genie/63/range", p.IN_MODEL]:
            node = methods[path]
            values = []
            for tag, bounds in zip(node.get("TYPE", ""), node.get("RANGE", [])):
                value = bounds["VALS"][-1] if "VALS" in bounds else bounds["MIN"]
                values.append(float(value) if tag == "f" else value)
            client.send(path, *values)
            client.send("/genie/63/status")  # a marker: everything before it has been answered
            message, seen = client.wait_for(lambda m: m[0] == p.OUT_STATUS and m[1][1] == 63, 10)
            assert message is not None
            assert not [m for m in seen if m[0] == p.OUT_ERROR], (path, values, seen)
            if not values:
                continue
            # The first argument's type, exactly: a string is no number, an "i" takes no fraction, an "f" does.
            tag, bounds = node["TYPE"][0], node["RANGE"][0]
            wrong = [1] if tag == "s" else ["x"] + ([values[0] + 0.5] if tag == "i" else [])
            for value in wrong:
                client.send(path, value, *values[1:])
                message, _ = client.wait_for(lambda m: m[0] == p.OUT_ERROR, 10)
                assert message is not None, f"{path} took {value!r} for {tag}"
            if tag == "f":
                client.send(path, (bounds["MIN"] + bounds["MAX"]) / 3, *values[1:])
                client.send("/genie/63/status")
                message, seen = client.wait_for(lambda m: m[0] == p.OUT_STATUS and m[1][1] == 63, 10)
                assert message is not None and not [m for m in seen if m[0] == p.OUT_ERROR], (path, seen)
    finally:
        client.close()


def test_values_are_live(server):
    port, http = server
    client = OscClient(("127.0.0.1", port))
    try:
        client.send("/genie/2/temperature", 0.5)
        client.send("/genie/2/range", 48, 72)
        client.send("/genie/2/pedal", 1)
        client.status(2)
        assert get(http, "/genie/2/temperature?VALUE") == (200, {"VALUE": [0.5]})
        assert get(http, "/genie/2/range?VALUE") == (200, {"VALUE": [48, 72]})
        assert get(http, "/genie/2/pedal")[1]["VALUE"] == [1]
        assert get(http, "/genie/temperature?VALUE")[1]["VALUE"] != [0.5]
        client.send(p.IN_MODEL, "beta")
        client.wait_for(lambda m: m[0] == p.OUT_MODEL, 10)
        assert get(http, "/genie/model?VALUE") == (200, {"VALUE": ["beta"]})
        client.send(p.IN_MODEL, "alpha")
        client.wait_for(lambda m: m[0] == p.OUT_MODEL, 10)
    finally:
        client.close()


def test_host_info_and_error_codes(server):
    port, http = server
    status, info = get(http, "/?HOST_INFO")
    assert status == 200
    assert info["NAME"] and info["OSC_TRANSPORT"] == "UDP" and info["OSC_PORT"] == port and info["OSC_IP"] == "127.0.0.1"
    assert all(isinstance(v, bool) for v in info["EXTENSIONS"].values())
    streaming = importlib.util.find_spec("websockets") is not None  # the [stream] extra: LISTEN on this port
    assert {k for k, v in info["EXTENSIONS"].items() if v} == {"ACCESS", "VALUE", "RANGE", "DESCRIPTION"} | (
        {"LISTEN", "PATH_CHANGED"} if streaming else set())
    assert (info.get("WS_IP"), info.get("WS_PORT")) == (("127.0.0.1", http) if streaming else (None, None))
    for unknown in ["/nope", "/genie/64/press", "/genie/2/model", "/genie/press/x", "/genie/0/noteon", "/genie/07",
                    "/genie/nope?VALUE"]:
        assert get(http, unknown)[0] == 404, unknown
    assert get(http, "/genie/press?VALUE") == (204, None)   # write-only: no value to read
    assert get(http, "/genie/reset?TYPE") == (204, None)    # takes no arguments
    assert get(http, "/genie/press?NOPE")[0] == 400
    assert get(http, "/genie/press?TYPE") == (200, {"TYPE": "ii"})
    assert get(http, "/genie/3/")[1]["FULL_PATH"] == "/genie/3"
    request = urllib.request.Request(f"http://127.0.0.1:{http}/genie/press", method="POST", data=b"{}")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 501


@pytest.mark.parametrize("flag, line", [
    ("none", r"  oscquery    off \(--oscquery-port none\)"),
    ("0", r"  oscquery    http://127\.0\.0\.1:(\d+)/ .*"),
])
def test_the_banner_names_the_oscquery_server(flag, line):
    with running_serve(["--oscquery-port", flag], free_udp_port()) as (port, proc):
        match = re.search(line, proc.banner)
        assert match, proc.banner
        assert "zeroconf    off (--no-zeroconf)" in proc.banner
        if match.groups():
            assert get(int(match.group(1)), "/?HOST_INFO")[1]["OSC_PORT"] == port


def test_a_bad_oscquery_port_is_one_line_and_exit_2():
    proc = subprocess.run([sys.executable, "-m", "pianogenie", "serve", "--port", "0", "--oscquery-port", "http",
                           "--audio", "none", "--midi-out", "none"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "pianogenie serve: --oscquery-port must be 0..65535 (0 = any free port), HOST:PORT or none, got 'http'"


NAMESPACE_SETUP = "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo"


def test_zeroconf_browser_finds_both_services_in_a_network_namespace():
    """Multicast is off on the host's loopback: the bridge and the browser share a namespace of the test's own."""
    if not (shutil.which("unshare") and shutil.which("ip")):
        pytest.skip("needs unshare (util-linux) and ip (iproute2)")
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot create a network namespace here ({probe.stderr.strip()}); CI runs as root")
    proc = subprocess.run(["unshare", "-n", "sh", "-c", f"{NAMESPACE_SETUP} && exec {sys.executable} tests/zeroconf_probe.py"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    osc_port = int(re.search(r"osc udp 127\.0\.0\.1:(\d+)", seen["banner"]).group(1))
    http_port = int(re.search(r"oscquery    http://127\.0\.0\.1:(\d+)/", seen["banner"]).group(1))
    assert f'zeroconf    "Piano Genie {osc_port}"' in seen["banner"]
    assert seen["_osc._udp.local."]["port"] == osc_port
    assert seen["_oscjson._tcp.local."]["port"] == http_port
    for kind in ("_osc._udp.local.", "_oscjson._tcp.local."):
        assert seen[kind]["addresses"] == ["127.0.0.1"]
        assert seen[kind]["name"] == f"Piano Genie {osc_port}.{kind}"
    assert seen["removed"] == ["_osc._udp.local.", "_oscjson._tcp.local."], "no goodbye on exit"
    assert "failed" not in seen["rest"] and "Traceback" not in seen["rest"], seen["rest"]
    # python-oscquery's client, found through the browser, reads the server (where it installs).
    client = seen["client"]
    if client is not None:
        assert client["host_info"] == ["Piano Genie bridge", "127.0.0.1", osc_port, "UDP"]
        assert client["temperature"] == ["/genie/temperature", [0.25], 3]
        assert client["model"][0:2] == ["/genie/model", ["default"]]
        assert client["missing"] is None


def test_without_the_zeroconf_package_serve_says_so_in_one_line(random_model_dir):
    code = ("import sys; sys.modules['zeroconf'] = None; from pianogenie.cli import main; "
            f"sys.exit(main(['serve', '--port', '0', '--oscquery-port', '0', '--reply-to', 'none', '--audio', 'none', "
            f"'--midi-out', 'none', '--model', {str(random_model_dir)!r}]))")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("pianogenie serve: ready"):
            break
    proc.send_signal(2)
    out, err = proc.communicate(timeout=30)
    banner = "".join(lines)
    assert proc.returncode == 0, banner + out + err
    assert "  zeroconf    off (needs zeroconf: pip install 'pianogenie-bridge[discovery]')\n" in banner
    assert "oscquery    http://127.0.0.1:" in banner and "Traceback" not in err
