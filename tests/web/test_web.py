"""The browser app (web/): node's test runner (fixture parity, API, leaks, model errors, UI logic), the page in
real Chromium served by `pianogenie web`'s server, Python <-> JS parity on the same events, and the server."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pianogenie.bridge.web.server import WebAppError, WebServer, check_web_root, resolve_model_dir, resolve_soundfont

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
UPSTREAM = REPO.parent / "shared" / "upstream"
DEFAULT_MODEL = REPO / "engine" / "models" / "default"
CHROMIUM = Path("/usr/bin/chromium")
NODE = shutil.which("node")
# The small General MIDI SoundFont the tests play (Debian's timgm6mb-soundfont).
TEST_SOUNDFONT = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")


def _has_model(path: Path) -> bool:
    return (path / "weights_manifest.json").is_file()


MODELS = [
    pytest.param(DEFAULT_MODEL, id="default", marks=pytest.mark.skipif(
        not _has_model(DEFAULT_MODEL), reason=f"the embedded default model is not there yet: {DEFAULT_MODEL}")),
    pytest.param(UPSTREAM, id="upstream", marks=pytest.mark.skipif(
        not _has_model(UPSTREAM), reason=f"reference files absent: {UPSTREAM}")),
]
# The page is served with the default model once it exists, the reference files until then.
PAGE_MODEL = DEFAULT_MODEL if _has_model(DEFAULT_MODEL) else UPSTREAM


@pytest.fixture(scope="module")
def web_ready() -> None:
    if NODE is None:
        pytest.fail("node is not installed (make test installs nodejs)")
    try:
        check_web_root(WEB)
    except WebAppError as exc:
        pytest.fail(str(exc))


def _node(args: list[str], env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([NODE, *args], cwd=WEB, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def _check(result: subprocess.CompletedProcess, what: str) -> None:
    if result.returncode != 0:
        pytest.fail(f"{what} failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}", pytrace=False)


def test_node_unit_tests(web_ready) -> None:
    """Fixture parity (reference and default model, wasm and cpu), API, tf.memory() leaks, model errors, UI logic."""
    tests = ["test/parity.test.mjs", "test/api.test.mjs", "test/model.test.mjs", "test/ui.test.mjs", "test/bridge.test.mjs"]
    result = _node(["--test", "--test-reporter=tap", *tests])
    _check(result, "node --test")
    assert "# fail 0" in result.stdout


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt install chromium)")
@pytest.mark.skipif(not _has_model(PAGE_MODEL), reason="no model to serve (default model and reference files absent)")
def test_page_in_chromium_served_by_pianogenie_web(web_ready) -> None:
    """The e2e tests in headless Chromium against the real `pianogenie web` server; screenshots in test-artifacts/web/."""
    with WebServer(resolve_model_dir(PAGE_MODEL), port=0) as server:
        result = _node(["--test", "--test-reporter=tap", "test/e2e.test.mjs"], env={"BASE_URL": server.url})
    _check(result, "Chromium end-to-end tests")
    assert "# pass 9" in result.stdout and "# skipped 0" in result.stdout, result.stdout
    assert (REPO / "test-artifacts" / "web" / "desktop.png").stat().st_size > 10_000
    assert (REPO / "test-artifacts" / "web" / "phone.png").stat().st_size > 10_000


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt install chromium)")
@pytest.mark.skipif(not _has_model(PAGE_MODEL), reason="no model to serve (default model and reference files absent)")
@pytest.mark.skipif(not TEST_SOUNDFONT.is_file(), reason=f"no {TEST_SOUNDFONT} (apt install timgm6mb-soundfont)")
def test_piano_in_chromium_served_by_pianogenie_web(web_ready) -> None:
    """The page's SoundFont piano in headless Chromium, the SoundFont served by `pianogenie web --soundfont`."""
    soundfont, _ = resolve_soundfont(TEST_SOUNDFONT)
    with WebServer(resolve_model_dir(PAGE_MODEL), port=0, soundfont=soundfont) as server:
        result = _node(["--test", "--test-reporter=tap", "test/piano.test.mjs"], env={"BASE_URL": server.url})
    _check(result, "Chromium piano test")
    assert "# pass 1" in result.stdout and "# skipped 0" in result.stdout, result.stdout


def _events(seed: int, n: int) -> dict:
    """A performance with every kind of gap: simultaneous presses, fast runs, pauses longer than dt's clip."""
    rng = random.Random(seed)
    time, events = 0.0, []
    for _ in range(n):
        time += rng.choice([0.0, 0.01, 0.05, 0.1, 0.12, 0.2, 0.3, 0.5, 0.8, 1.5]) * rng.uniform(0.5, 1.5)
        events.append({"time": round(time, 4), "button": rng.randrange(8), "release": round(time + 0.1, 4)})
    return {"events": events}


@pytest.mark.parametrize("model_dir", MODELS)
@pytest.mark.parametrize("backend, restrict", [("wasm", False), ("wasm", True), ("cpu", False)])
def test_python_and_js_play_identical_keys_at_temperature_0(web_ready, tmp_path, model_dir, backend, restrict) -> None:
    from pianogenie.engine import PianoGenie
    from pianogenie.engine.takes import load_events, replay

    events_path = tmp_path / "events.json"
    events_path.write_text(json.dumps(_events(seed=7, n=300)))
    keys = list(range(48 - 21, 84 - 21 + 1)) if restrict else None  # C3..C6, the page's 3-octave range
    python = [n.pitch for n in replay(PianoGenie.load(model_dir), load_events(events_path), temperature=0, keys=keys)]
    args = ["tools/replay.mjs", "--model", str(model_dir), "--events", str(events_path), "--backend", backend]
    if keys:
        args += ["--keys", ",".join(map(str, keys))]
    result = _node(args)
    _check(result, "tools/replay.mjs")
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["backend"] == backend
    assert len(python) == 300
    first_difference = next((i for i, (a, b) in enumerate(zip(python, out["pitches"])) if a != b), None)
    assert first_difference is None, f"first difference at press {first_difference}"
    assert out["pitches"] == python
    if restrict:
        assert all(48 <= p <= 84 for p in python)


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
@pytest.mark.skipif(not _has_model(PAGE_MODEL), reason="no model to serve")
def test_benchmark_page_runs(web_ready) -> None:
    """Not a timed test: the benchmark page completes a short run and checks the two ports agree."""
    result = _node(["tools/bench.mjs", "--model", str(PAGE_MODEL), "--presses", "20", "--backends", "wasm", "--json"])
    _check(result, "tools/bench.mjs")
    report = json.loads(result.stdout)
    (row,) = report["backends"]
    assert row["backend"] == "wasm" and row["port_press"]["n"] == 20 and row["naive"]["n"] == 20
    assert row["max_logit_diff_vs_naive"] < 1e-3
    assert report["cross_origin_isolated"] is True


# --- the server behind `pianogenie web` ---------------------------------------------------------------------


def _get(url: str):
    """-> (status, headers (case-insensitive), body)"""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.mark.skipif(not _has_model(PAGE_MODEL), reason="no model to serve")
def test_server_serves_the_app_and_the_model_locally(web_ready) -> None:
    model = resolve_model_dir(PAGE_MODEL)
    with WebServer(model, port=0) as server:
        assert server.url.startswith("http://127.0.0.1:")
        status, headers, body = _get(server.url)
        assert status == 200 and b"Piano Genie" in body
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert headers["Cross-Origin-Embedder-Policy"] == "require-corp"
        status, headers, body = _get(server.url + "model/weights_manifest.json")
        assert status == 200 and json.loads(body) == json.loads((model / "weights_manifest.json").read_text())
        status, headers, body = _get(server.url + "model/group1-shard1of1.bin")
        assert status == 200 and body == (model / "group1-shard1of1.bin").read_bytes()
        status, headers, _ = _get(server.url + "node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm")
        assert status == 200 and headers["Content-Type"] == "application/wasm"
        status, headers, _ = _get(server.url + "src/app.js")
        assert status == 200 and headers["Content-Type"].startswith("text/javascript")
        assert _get(server.url + "src/")[0] == 404  # no directory listings
        assert _get(server.url + "model/%2e%2e/%2e%2e/setup.cfg")[0] == 404  # cannot climb out of /model/
        assert _get(server.url + "nonexistent.js")[0] == 404


@pytest.mark.skipif(not _has_model(PAGE_MODEL), reason="no model to serve")
@pytest.mark.skipif(not TEST_SOUNDFONT.is_file(), reason=f"no {TEST_SOUNDFONT} (apt install timgm6mb-soundfont)")
def test_server_serves_the_soundfont_at_one_route_only(web_ready) -> None:
    model = resolve_model_dir(PAGE_MODEL)
    with WebServer(model, port=0, soundfont=TEST_SOUNDFONT) as server:
        status, headers, body = _get(server.url + "soundfont.sf2")
        assert status == 200 and body == TEST_SOUNDFONT.read_bytes()
        assert headers["Content-Type"] == "application/octet-stream"
        assert headers["Cross-Origin-Embedder-Policy"] == "require-corp"
        status, headers, body = _get(server.url + "soundfont.json")
        assert status == 200 and headers["Content-Type"] == "application/json"
        assert json.loads(body) == {"available": True, "name": "TimGM6mb.sf2", "bytes": TEST_SOUNDFONT.stat().st_size,
                                    "reason": ""}
        # Only that route: no other name reaches the SoundFont or its folder.
        for path in ["soundfont.sf3", "soundfont.sf2/x", "TimGM6mb.sf2", "usr/share/sounds/sf2/TimGM6mb.sf2",
                     "%2e%2e/%2e%2e/%2e%2e/usr/share/sounds/sf2/TimGM6mb.sf2", "model/%2e%2e/TimGM6mb.sf2",
                     "sounds/sf2/TimGM6mb.sf2"]:
            assert _get(server.url + path)[0] == 404, path
    with WebServer(model, port=0, soundfont=None, soundfont_note="no General MIDI SoundFont installed") as server:
        assert _get(server.url + "soundfont.sf2")[0] == 404
        status, _, body = _get(server.url + "soundfont.json")
        assert status == 200 and json.loads(body) == {"available": False, "name": None, "bytes": 0,
                                                      "reason": "no General MIDI SoundFont installed"}


def test_soundfont_choice(tmp_path, monkeypatch) -> None:
    import pianogenie.bridge.sound.soundfont as soundfont_module

    bad = tmp_path / "bad.sf2"
    bad.write_bytes(b"not a soundfont")
    with pytest.raises(WebAppError, match="not a SoundFont"):
        resolve_soundfont(bad)
    with pytest.raises(WebAppError, match="cannot read it"):
        resolve_soundfont(tmp_path / "missing.sf2")
    if TEST_SOUNDFONT.is_file():
        assert resolve_soundfont(TEST_SOUNDFONT) == (TEST_SOUNDFONT, "")
    # Nothing named and nothing installed: no piano, and the one-line reason the page shows.
    monkeypatch.setattr(soundfont_module, "DEFAULT_SOUNDFONTS", ())
    path, note = resolve_soundfont(None)
    assert path is None and "no General MIDI SoundFont installed" in note and "--soundfont FILE" in note
    assert "\n" not in note


def test_model_dir_errors_are_clear(tmp_path) -> None:
    with pytest.raises(WebAppError, match="not a model directory"):
        resolve_model_dir(tmp_path)
    if not _has_model(DEFAULT_MODEL):
        with pytest.raises(WebAppError, match="embedded default model is not installed; pass --model DIR"):
            resolve_model_dir(None)
    else:
        assert resolve_model_dir(None) == DEFAULT_MODEL
    with pytest.raises(WebAppError, match="run `make web-deps`"):
        check_web_root(tmp_path)


def test_register_web_adds_the_commands() -> None:
    from pianogenie.cli import build_parser

    parser = build_parser(["web"])
    args = parser.parse_args(["web", "--model", "m", "--port", "0"])
    assert (args.model, args.port, args.host, args.soundfont) == ("m", 0, "127.0.0.1", None)
    assert parser.parse_args(["web", "--soundfont", "x.sf2"]).soundfont == "x.sf2"
    args = build_parser(["bench", "web"]).parse_args(["bench", "web", "--presses", "50"])
    assert args.presses == 50


@pytest.mark.skipif(not _has_model(PAGE_MODEL), reason="no model to serve")
def test_web_command_serves_until_interrupted(web_ready) -> None:
    """The command's run function in its own process: prints the URL, serves, stops cleanly on Ctrl-C."""
    import re
    import signal
    import sys

    code = (
        "import argparse, sys; from pianogenie.bridge.cli.web import run; "
        f"sys.exit(run(argparse.Namespace(model={str(PAGE_MODEL)!r}, host='127.0.0.1', port=0, "
        f"soundfont={str(TEST_SOUNDFONT) if TEST_SOUNDFONT.is_file() else None!r})))"
    )
    # SIGINT as a player's shell gives it, whatever disposition the test runner inherited.
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        assert match, line + process.stderr.read()
        status, _, body = _get(match.group(1) + "model/cfg.json")
        assert status == 200 and json.loads(body) == json.loads((PAGE_MODEL / "cfg.json").read_text())
        if TEST_SOUNDFONT.is_file():
            assert f"piano {TEST_SOUNDFONT}" in line
            status, _, body = _get(match.group(1) + "soundfont.sf2")
            assert status == 200 and body[:4] == b"RIFF" and len(body) == TEST_SOUNDFONT.stat().st_size
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _web_error(capsys, *args: str) -> str:
    """`pianogenie web ARGS` through the shell, expected to refuse: exit 2 and exactly one line."""
    from pianogenie.cli import main

    assert main(["web", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pianogenie web: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_web_command_reports_a_bad_model_dir(tmp_path, capsys) -> None:
    assert "not a model directory" in _web_error(capsys, "--model", str(tmp_path), "--port", "0")


def test_web_command_reports_a_bad_soundfont(tmp_path, capsys) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    model = ["--model", str(PAGE_MODEL)] if _has_model(PAGE_MODEL) else []
    err = _web_error(capsys, *model, "--port", "0", "--soundfont", str(bad))
    assert err.startswith("pianogenie web: --soundfont") and "not a SoundFont" in err


@pytest.mark.skipif(not _has_model(PAGE_MODEL), reason="no model to serve")
def test_web_command_names_a_port_in_use_and_bad_certificates(web_ready, tmp_path, capsys) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = _web_error(capsys, "--model", str(PAGE_MODEL), "--port", str(port))
    assert f"port {port}" in err and "in use" in err and "--port" in err
    junk = tmp_path / "cert.pem"
    junk.write_text("not a certificate")
    err = _web_error(capsys, "--model", str(PAGE_MODEL), "--port", "0", "--cert", str(junk))
    assert str(junk) in err
    assert "--key needs --cert" in _web_error(capsys, "--model", str(PAGE_MODEL), "--port", "0", "--key", str(junk))
    assert "outside 0..65535" in _web_error(capsys, "--model", str(PAGE_MODEL), "--port", "70000")


def _lan_address() -> str | None:
    from pianogenie.bridge.discovery import lan_addresses

    found = [a for a in lan_addresses() if a != "127.0.0.1"]
    return found[0] if found else None


def test_self_signed_certificate_is_made_once_and_covers_the_lan(tmp_path) -> None:
    pytest.importorskip("cryptography", reason="the web extra (make test installs it)")
    import ssl

    from cryptography import x509

    from pianogenie.bridge.web.tls import server_context

    context, cert, made = server_context(names=["192.0.2.7"], folder=tmp_path)
    assert made and isinstance(context, ssl.SSLContext) and oct((tmp_path / "key.pem").stat().st_mode & 0o777) == "0o600"
    names = x509.load_pem_x509_certificate(cert.read_bytes()).extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value
    assert {"192.0.2.7", "127.0.0.1"} <= {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    # Kept: the phone's accepted exception stays valid. A new address gets a new certificate.
    assert server_context(names=["192.0.2.7"], folder=tmp_path)[2] is False
    assert server_context(names=["192.0.2.8"], folder=tmp_path)[2] is True


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt install chromium)")
@pytest.mark.skipif(not _has_model(PAGE_MODEL), reason="no model to serve (default model and reference files absent)")
@pytest.mark.skipif(not TEST_SOUNDFONT.is_file(), reason=f"no {TEST_SOUNDFONT} (apt install timgm6mb-soundfont)")
def test_a_phone_plays_the_piano_over_https(web_ready, tmp_path) -> None:
    """`pianogenie web --host 0.0.0.0 --https` as a phone on the Wi-Fi meets it: its banner names the LAN address,
    and Chromium with a phone's screen and touch opens that address (a secure context only over HTTPS), accepts the
    self-signed certificate, and plays the SoundFont piano."""
    import re
    import signal
    import sys

    pytest.importorskip("cryptography", reason="the web extra (make test installs it)")
    if _lan_address() is None:
        pytest.skip("this machine has no LAN address for a phone to open")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}
    command = [sys.executable, "-m", "pianogenie", "web", "--host", "0.0.0.0", "--port", "0", "--https",
               "--model", str(PAGE_MODEL), "--soundfont", str(TEST_SOUNDFONT)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        banner = process.stdout.readline() + process.stdout.readline() + process.stdout.readline()
        urls = re.findall(r"https://(\d+\.\d+\.\d+\.\d+):(\d+)/", banner.splitlines()[1] if banner.count("\n") > 1 else "")
        assert urls and all(host != "127.0.0.1" for host, _ in urls), banner + process.stderr.read()
        assert "self-signed certificate made in" in banner and (tmp_path / "pianogenie" / "web-tls" / "cert.pem").is_file()
        host, port = urls[0]
        result = _node(["--test", "--test-reporter=tap", "test/piano.test.mjs"],
                       env={"BASE_URL": f"https://{host}:{port}/", "PHONE": "1"})
        _check(result, "Chromium piano test on a phone over https")
        assert "# pass 1" in result.stdout and "# skipped 0" in result.stdout, result.stdout
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
