"""Takes from a real `pianogenie serve` driven over OSC: every state change a player sends is in the take, so
`pianogenie replay` gives the recorded notes bit for bit (issue 22); a serve killed with SIGKILL leaves a take that
replay reads, never a partial JSON file, and the next recording to that path keeps it (issue 23)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from pianogenie.bridge import protocol as p
from pianogenie.bridge.osc.client import OscClient
from pianogenie.bridge.osc.send import Encoder, bundle
from pianogenie.engine.takes import Take, journal_path
from tests.conftest import REPO
from tests.serve_helpers import READY_LINE, free_udp_port, interrupt, read_until, reader, running_serve

PIANOGENIE = [sys.executable, "-m", "pianogenie"]


def _replayed(take: Path, *flags: str) -> dict:
    result = subprocess.run([*PIANOGENIE, "replay", "--events", str(take), *flags], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _recorded(take: Path) -> dict:
    """The take's notes as replay prints them: performer 0's at the top, the others under "performers"."""
    document = json.loads(take.read_text())
    notes = {"notes": document["notes"]}
    if "performers" in document:
        notes["performers"] = {n: {"notes": t["notes"]} for n, t in document["performers"].items()}
    return notes


def _play(client: OscClient) -> None:
    """A session with every verb that changes what is decoded or how long a note sounds."""
    encode = Encoder()
    script = [
        (p.IN_PRESS, 3), (p.IN_RELEASE, 3), (p.IN_PRESS, 4, 90), (p.IN_TEMPERATURE, 1.0), (p.IN_PRESS, 5),
        (p.IN_RELEASE, 4), (p.IN_KEYS, 60, 62, 64, 65, 67), (p.IN_PRESS, 2), (p.IN_PEDAL, 1), (p.IN_RELEASE, 2),
        (p.IN_PRESS, 6), (p.IN_RELEASE, 6), (p.IN_PEDAL, 0), (p.IN_RESET,), (p.IN_PRESS, 1), (p.IN_RANGE, 40, 52),
        ("/genie/2/press", 7), ("/genie/2/temperature", 0.0), ("/genie/2/press", 0), (p.IN_PRESS, 1),
        (p.IN_KEYS,), (p.IN_TEMPERATURE, 0.5), (p.IN_PRESS, 0), ("/genie/2/reset",), ("/genie/2/press", 0),
    ]
    for message in script:
        client.send(*message)
        time.sleep(0.01)
    # A bundle: one arrival time for a pedal, a release, a key set and a press, in that order.
    client.send_raw(bundle(encode.message(p.IN_PEDAL, 1), encode.message(p.IN_RELEASE, 0),
                           encode.message(p.IN_RANGE, 70, 80), encode.message(p.IN_PRESS, 3),
                           encode.message(p.IN_PEDAL, 0), encode.message(p.IN_PRESS, 3)))
    client.send(p.IN_PRESS, 5)
    client.send(p.IN_PANIC)
    client.send(p.IN_PRESS, 4)
    assert client.status() is not None  # every message above was handled


def test_a_take_recorded_over_osc_replays_bit_for_bit(random_model_dir, tmp_path):
    take = tmp_path / "take.json"
    with running_serve(["--model", str(random_model_dir), "--record", str(take)], free_udp_port()) as (port, proc):
        client = OscClient(("127.0.0.1", port))
        try:
            _play(client)
        finally:
            client.close()
    recorded = _recorded(take)
    document = json.loads(take.read_text())
    assert document["version"] == 2 and len(document["notes"]) == 12 and len(recorded["performers"]["2"]["notes"]) == 3
    kinds = {c["change"] for c in document["changes"]}
    assert kinds == {"temperature", "keys", "sustain", "reset", "all_off"}, kinds
    assert _replayed(take) == recorded
    # Without the state changes (a version-1 reading of the same presses) the notes differ: the check can fail.
    stripped = tmp_path / "stripped.json"
    stripped.write_text(json.dumps({key: value for key, value in document.items() if key not in ("version", "changes")}))
    assert _replayed(stripped)["notes"] != recorded["notes"]


def _start(extra: list[str]) -> tuple[int, subprocess.Popen, object]:
    command = [*PIANOGENIE, "serve", "--port", "0", "--audio", "none", "--midi-out", "none", "--no-zeroconf",
               "--reply-to", "none", *extra]
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines = reader(proc)
    banner = "".join(read_until(lines, proc, lambda line: line.strip() == READY_LINE, 60, "serve"))
    return int(re.findall(r"udp [\w.:-]+:(\d+)", banner)[0]), proc, banner


def test_a_serve_killed_with_sigkill_leaves_a_take_replay_reads(random_model_dir, tmp_path):
    take = tmp_path / "take.json"
    flags = ["--model", str(random_model_dir), "--seed", "5", "--record", str(take)]
    port, proc, _ = _start(flags)
    client = OscClient(("127.0.0.1", port))
    try:
        _play(client)
        client.send(p.IN_PRESS, 6)  # still held when the process dies
        assert client.status() is not None
    finally:
        client.close()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    # No take was written (there was no exit), and no half of one: the journal holds it.
    assert not take.exists() and journal_path(take).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["take.json.journal"]
    killed = Take.load(take)
    assert len(killed.notes()) == 16 and killed.events[-1].button == 6
    assert _replayed(take) == json.loads(json.dumps(_notes_document(killed)))

    # The next recording to that path rebuilds the dead run's take beside it, and records its own.
    port, proc, banner = _start(flags)
    try:
        assert "take-recovered.json" in banner, banner
        client = OscClient(("127.0.0.1", port))
        client.send(p.IN_PRESS, 2)
        assert client.status() is not None
        client.close()
    finally:
        interrupt(proc)
    assert proc.returncode == 0
    recovered = tmp_path / "take-recovered.json"
    assert Take.load(recovered).notes() == killed.notes() and json.loads(recovered.read_text())["version"] == 2
    assert len(Take.load(take).notes()) == 1 and not journal_path(take).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["take-recovered.json", "take.json"]


def _notes_document(take: Take) -> dict:
    from pianogenie.engine.takes import notes_document

    return notes_document(take.notes())


def test_a_second_serve_recording_to_the_same_take_is_refused(random_model_dir, tmp_path):
    take = tmp_path / "take.json"
    flags = ["--model", str(random_model_dir), "--record", str(take)]
    port, proc, _ = _start(flags)
    try:
        second = subprocess.run([*PIANOGENIE, "serve", "--port", "0", "--audio", "none", "--midi-out", "none",
                                 "--no-zeroconf", *flags], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2, second.stdout + second.stderr
        line = second.stderr.strip()
        assert f"pid {proc.pid}" in line and "recording there now" in line and "\n" not in line, line
    finally:
        interrupt(proc)
    assert proc.returncode == 0 and Take.load(take).version == 2 and not journal_path(take).exists()
