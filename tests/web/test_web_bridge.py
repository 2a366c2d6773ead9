"""`pianogenie web --bridge`: the page shows the notes a real `pianogenie serve` plays, from its OSCQuery
websocket. The Chromium end-to-end test (web/test/bridge-e2e.test.mjs: real serve, real web, presses over UDP),
the page's OSC parser against the bridge's own encoder, the page's /bridge.json against serve's tree, the CORS
header serve's OSCQuery answers carry for the page, and the flag's bad input."""

from __future__ import annotations

import base64
import json
import math
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from pianogenie.bridge import protocol as p
from pianogenie.bridge.osc.origins import local_origin
from pianogenie.bridge.osc.send import BUNDLE_PREFIX, Encoder
from pianogenie.bridge.web.bridge_link import DEFAULT_BRIDGE, LISTEN_BURST, LISTEN_RATE, bridge_config, parse_bridge
from pianogenie.bridge.web.server import WebServer, resolve_model_dir
from tests.bridge.test_bridge_oscquery import server  # noqa: F401 - the fixture: a real serve with OSCQuery
from tests.conftest import REPO

WEB = REPO / "web"
NODE = shutil.which("node")
CHROMIUM = Path("/usr/bin/chromium")
PIANOGENIE = Path(sys.executable).parent / "pianogenie"
DEFAULT_MODEL = REPO / "engine" / "models" / "default"
needs_node = pytest.mark.skipif(NODE is None, reason="needs node (make web-deps)")


@needs_node
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt install chromium)")
@pytest.mark.skipif(not (DEFAULT_MODEL / "weights_manifest.json").is_file(), reason="no embedded default model")
@pytest.mark.skipif(not (WEB / "node_modules" / "playwright-core").is_dir(), reason="web/node_modules missing: make web-deps")
def test_the_page_shows_what_serve_plays_in_chromium() -> None:
    """Real serve and web processes, presses over UDP: the keys lit are the replies' pitches; note-offs clear
    them; serve not found, then restarted: the page says so and reconnects; malformed frames are counted."""
    result = subprocess.run([NODE, "--test", "--test-reporter=tap", "test/bridge-e2e.test.mjs"], cwd=WEB,
                            capture_output=True, text=True, timeout=240, env={**os.environ, "PIANOGENIE": str(PIANOGENIE)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# pass 4" in result.stdout and "# skipped 0" in result.stdout, result.stdout
    assert (REPO / "test-artifacts" / "web" / "bridge.png").stat().st_size > 10_000


PARSE = """
import {parsePacket, OscError} from './src/bridge/osc.js';
const out = [];
for (const line of process.argv.slice(1)) {
  try {
    out.push(parsePacket(Buffer.from(line, 'base64')).map((m) => ({...m, args: m.args.map((a) =>
      a instanceof Uint8Array ? {blob: [...a]} : Number.isNaN(a) ? 'NaN' : a)})));
  } catch (err) {
    out.push({error: err instanceof OscError ? 'OscError' : `${err.name}: ${err.message}`});
  }
}
console.log(JSON.stringify(out));
"""


def _parse_in_node(datagrams: list[bytes]) -> list:
    encoded = [base64.b64encode(d).decode() for d in datagrams]
    result = subprocess.run([NODE, "--input-type=module", "-e", PARSE, *encoded], cwd=WEB, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _bundle(*messages: bytes) -> bytes:
    body = b"".join(len(m).to_bytes(4, "big") + m for m in messages)
    return BUNDLE_PREFIX + (1).to_bytes(8, "big") + body


@needs_node
def test_the_page_reads_every_datagram_the_bridge_sends_as_the_bridge_wrote_it() -> None:
    encoder = Encoder()
    status = [("performer", 0), ("temperature", 0.25), ("latency_p99_us", float("nan")), ("model", "jazz — é")]
    sent = [
        (p.OUT_NOTEON, (64, 100, 3)),
        (p.output_address(p.OUT_NOTEOFF, 63), (108, 7)),
        (p.OUT_STATUS, tuple(v for pair in status for v in pair)),
        (p.OUT_ERROR, ("/genie/press: button must be 0..7, got 9",)),
        (p.OUT_MODEL, ("default",)),
        ("/genie/link/peers", (True, False, -2147483648, 2147483647)),
    ]
    datagrams = [encoder.ints(a, *v) if all(type(x) is int for x in v) else encoder.message(a, *v) for a, v in sent]
    parsed = _parse_in_node([*datagrams, _bundle(datagrams[0], _bundle(datagrams[1]))])
    for (address, values), messages in zip(sent, parsed):
        (message,) = messages
        assert message["address"] == address
        assert len(message["args"]) == len(values)
        for got, want in zip(message["args"], values):
            if isinstance(want, float):
                assert (got == "NaN" and math.isnan(want)) or got == pytest.approx(want, rel=1e-6)
            else:
                assert got == want
    assert [m["address"] for m in parsed[-1]] == [p.OUT_NOTEON, p.output_address(p.OUT_NOTEOFF, 63)]


@needs_node
def test_malformed_datagrams_are_osc_errors_never_other_exceptions() -> None:
    good = Encoder().ints(p.OUT_NOTEON, 64, 100, 3)
    bad = [
        b"", b"\x00\x00\x00", good[:-4], good + b"\x00\x00\x00\x00", b"/gen", b"/genie/noteon\x00\x00\x00iii\x00",
        b"genie\x00\x00\x00,\x00\x00\x00", good.replace(b",iii", b",iiq"), b"/x\x00\x00,s\x00\x00abcd",
        b"/x\x00\x00,s\x00\x00\xff\xfe\x00\x00", b"/x\x00\x00,b\x00\x00\x7f\xff\xff\xff",
        b"#bundle\x00" + b"\x00" * 8 + b"\x7f\x00\x00\x00", _bundle(_bundle(_bundle(_bundle(_bundle(_bundle(
            _bundle(_bundle(_bundle(good))))))))),
    ]
    assert _parse_in_node(bad) == [{"error": "OscError"}] * len(bad)


def _get(url: str, origin: str | None = None):
    request = urllib.request.Request(url, headers={"Origin": origin} if origin else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_the_page_listens_to_every_performers_notes_and_each_is_a_node_of_serve(server) -> None:
    _, http = server
    config = bridge_config("127.0.0.1", http)
    paths = [path for note in config["notes"] for path in (note["on"], note["off"])] + [config["model"]]
    assert len(paths) == 2 * p.MAX_PERFORMERS + 1 and len(set(paths)) == len(paths)
    assert config["notes"][0] == {"performer": 0, "on": p.OUT_NOTEON, "off": p.OUT_NOTEOFF}
    for path in paths:
        status, _, body = _get(f"http://127.0.0.1:{http}{path}")
        assert status == 200 and json.loads(body)["FULL_PATH"] == path
    # The page's pace stays inside the budget serve gives a client's commands.
    from pianogenie.bridge.osc.stream import COMMAND_BURST, COMMAND_RATE

    assert LISTEN_BURST < COMMAND_BURST and LISTEN_RATE < COMMAND_RATE


def test_serve_lets_a_local_page_read_host_info_and_no_web_site(server) -> None:
    _, http = server
    url = f"http://127.0.0.1:{http}/?HOST_INFO"
    for origin in ("http://127.0.0.1:8000", "http://localhost:41234", "https://192.168.1.20:8000", "http://[::1]:8000"):
        status, headers, body = _get(url, origin)
        assert status == 200 and headers["Access-Control-Allow-Origin"] == origin, origin
        assert headers["Vary"] == "Origin"
        assert json.loads(body)["WS_PORT"] == http
    for origin in (None, "https://evil.example", "http://127.0.0.1.evil.example:8000", "null", "file://",
                   "http://127.0.0.1:notaport"):
        _, headers, _ = _get(url, origin)
        assert headers["Access-Control-Allow-Origin"] is None, origin


@pytest.mark.parametrize("origin, local", [("http://127.0.0.1:8000", True), ("http://app.localhost:1", True),
                                           ("ws://127.0.0.1:1", False), ("http://localhost.evil.example", False),
                                           ("", False), ("http://", False)])
def test_local_origin(origin: str, local: bool) -> None:
    assert local_origin(origin) is local


def test_bridge_json_says_where_serve_is_or_that_there_is_none() -> None:
    model = resolve_model_dir(None) if (DEFAULT_MODEL / "weights_manifest.json").is_file() else None
    if model is None:
        pytest.skip("no embedded default model")
    with WebServer(model, port=0) as plain:
        assert json.loads(_get(plain.url + "bridge.json")[2]) == {"bridge": None}
    config = bridge_config(*parse_bridge("localhost:9"))
    with WebServer(model, port=0, bridge=config) as bridged:
        assert json.loads(_get(bridged.url + "bridge.json")[2]) == {"bridge": config}
    assert (config["host"], config["port"]) == ("127.0.0.1", 9)
    assert parse_bridge(DEFAULT_BRIDGE) == (p.DEFAULT_HOST, p.DEFAULT_OSCQUERY_PORT)
    assert parse_bridge("57133") == (p.DEFAULT_HOST, 57133)


@pytest.mark.parametrize("value", ["x:y", "127.0.0.1:0", "127.0.0.1:70000", ":57132", "no-such-host.invalid:57132"])
def test_a_bad_bridge_address_is_one_line_and_exit_2(value: str) -> None:
    result = subprocess.run([str(PIANOGENIE), "web", "--port", "0", "--bridge", value], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("pianogenie web: --bridge ") and "Traceback" not in result.stderr
