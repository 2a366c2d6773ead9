"""`pianogenie web` under hostile input (issue 23): only the page's files and the model's own files are served,
each inside its folder; foreign Host names are refused (DNS rebinding); an idle client is dropped; an aborted
download costs no log line; a FIFO or a damaged file as --soundfont is refused in one line, never a hang."""

from __future__ import annotations

import http.client
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pianogenie.bridge.web.server import IDLE_TIMEOUT_S, REQUIRED_WEB_FILES, WebAppError, WebServer, resolve_soundfont
from pianogenie.engine.model_format import write_model
from tests.conftest import CONFIG, REPO, random_tensors


@pytest.fixture()
def site(tmp_path):
    """A web root shaped like web/ (the page, tools/, test/, node_modules with vendor.txt) and a model with extras."""
    root = tmp_path / "web"
    for name in [*REQUIRED_WEB_FILES, "src/app.js", "style.css", "tools/bench.mjs", "test/secret.mjs", "package.json",
                 "node_modules/left-pad/index.js"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"// {name}\n")
    (root / "vendor.txt").write_text("# the page's npm files\n" + "\n".join(
        name for name in REQUIRED_WEB_FILES if name.startswith("node_modules/")) + "\n")
    model = write_model(tmp_path / "model", random_tensors(0), CONFIG)
    (model / "checkpoint.pt").write_bytes(b"\0" * 1000)
    (tmp_path / "private.txt").write_text("secret")
    (model / "escape.json").symlink_to(tmp_path / "private.txt")
    (root / "src" / "escape.js").symlink_to(tmp_path / "private.txt")
    return root, model


def _status(url: str, host: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_only_the_page_and_the_models_own_files_are_served(site):
    root, model = site
    with WebServer(model, port=0, web_root=root) as server:
        for path in ["", "index.html", "src/app.js", "style.css", "model/weights_manifest.json", "model/cfg.json",
                     "model/group1-shard1of1.bin", *REQUIRED_WEB_FILES[1:]]:
            assert _status(server.url + path) == 200, path
        for path in ["tools/bench.mjs", "test/secret.mjs", "package.json", "vendor.txt", "node_modules/left-pad/index.js",
                     "model/checkpoint.pt", "model/escape.json", "src/escape.js", "model/%2e%2e/private.txt"]:
            assert _status(server.url + path) == 404, path


def test_a_foreign_host_name_is_refused(site):
    root, model = site
    with WebServer(model, port=0, web_root=root) as server:
        port = server.httpd.server_address[1]
        for host in [f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"{socket.gethostname()}:{port}"]:
            assert _status(server.url, host) == 200, host
        for host in [f"evil.example:{port}", "attacker.test", f"127.0.0.1.evil.example:{port}"]:
            assert _status(server.url, host) == 403, host


def test_an_idle_client_is_dropped(site, monkeypatch):
    root, model = site
    monkeypatch.setattr("pianogenie.bridge.web.server._Handler.timeout", 1.0)  # IDLE_TIMEOUT_S, shortened for the test
    with WebServer(model, port=0, web_root=root) as server:
        idle = socket.create_connection(("127.0.0.1", server.httpd.server_address[1]))
        idle.sendall(b"GET / HT")  # and nothing more
        idle.settimeout(10)
        start = time.monotonic()
        while idle.recv(4096):  # the server closes the connection
            pass
        assert time.monotonic() - start < 5
        idle.close()
        assert _status(server.url) == 200
    assert 0 < IDLE_TIMEOUT_S <= 60


def test_aborted_downloads_print_no_traceback(site):
    """20 downloads reset mid-answer, against the server in a process of its own, whose stderr is read."""
    root, model = site
    code = ("import sys, time\nfrom pathlib import Path\nfrom bridge.web.server import WebServer\n"
            f"s = WebServer(Path({str(model)!r}), port=0, web_root=Path({str(root)!r}))\n"
            "print(s.httpd.server_address[1], flush=True)\ntime.sleep(8)\ns.close()")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    for _ in range(20):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(b"GET /model/group1-shard1of1.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.recv(100)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/")
    assert connection.getresponse().status == 200
    connection.close()
    _, err = proc.communicate(timeout=30)
    assert err == "", err


def _soundfont(path: Path, truncate: int = 0) -> Path:
    """A minimal well-formed SoundFont 2 RIFF (INFO, sdta, pdta lists), optionally with its tail cut off."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return kind + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")

    lists = b"".join(chunk(b"LIST", name + chunk(b"ifil" if name == b"INFO" else b"smpl", b"\0" * 64))
                     for name in (b"INFO", b"sdta", b"pdta"))
    data = chunk(b"RIFF", b"sfbk" + lists)
    path.write_bytes(data[:len(data) - truncate] if truncate else data)
    return path


def test_a_damaged_soundfont_is_refused_by_web_in_one_line(tmp_path):
    assert resolve_soundfont(_soundfont(tmp_path / "good.sf2"))[0] == (tmp_path / "good.sf2").resolve()
    with pytest.raises(WebAppError, match="damaged: its header declares") as error:
        resolve_soundfont(_soundfont(tmp_path / "cut.sf2", truncate=40))
    assert "\n" not in str(error.value)
    fake = tmp_path / "lists.sf2"
    fake.write_bytes(b"RIFF" + struct.pack("<I", 4 + 12) + b"sfbk" + b"LIST" + struct.pack("<I", 4) + b"INFO")
    with pytest.raises(WebAppError, match="damaged: no sdta, pdta list"):
        resolve_soundfont(fake)
    installed = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")
    if installed.is_file():
        assert resolve_soundfont(installed)[0] == installed


@pytest.mark.parametrize("command", [["web", "--port", "0"], ["render", "--synth", "piano"], ["serve", "--synth", "piano"]])
def test_a_fifo_as_soundfont_is_refused_not_hung(tmp_path, command, random_model_dir):
    fifo = tmp_path / "font.sf2"
    os.mkfifo(fifo)
    args = [sys.executable, "-m", "pianogenie", *command, "--soundfont", str(fifo)]
    if command[0] == "render":
        (tmp_path / "take.json").write_text('{"events": []}')
        args += [str(tmp_path / "take.json"), str(tmp_path / "out.wav")]
    if command[0] == "serve":
        args += ["--port", "0", "--model", str(random_model_dir), "--no-zeroconf", "--oscquery-port", "none",
                 "--midi-out", "none", "--reply-to", "none"]
    if command[0] == "web":
        args += ["--model", str(random_model_dir)]
    try:
        proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{command[0]} hung on a FIFO as --soundfont")
    assert proc.returncode != 0 and "is a FIFO, not a file" in proc.stderr, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
