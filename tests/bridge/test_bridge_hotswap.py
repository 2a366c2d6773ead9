"""Model hot-swap (issue 13, section 2): `--models DIR`, `/genie/model s:name`, `/genie/models`. A swap turns
every sounding note off, starts each performer afresh under the new model, loads off the receiving thread, and a
bad or unknown name leaves the current model playing, answered and counted. Driven by a real OSC client against a
real `pianogenie serve`, and directly against the dispatcher with a fixed clock."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time

import pytest

from pianogenie.bridge import protocol as p
from pianogenie.bridge.core import Bridge
from pianogenie.bridge.models import ModelLibrary
from pianogenie.bridge.osc.client import OscClient
from pianogenie.bridge.osc.wire import parse_datagram
from pianogenie.engine import PianoGenie
from pianogenie.engine.model_format import write_model
from pianogenie.engine.takes import load_events, take_notes
from tests.conftest import CONFIG, REPO, Log, random_tensors
from tests.serve_helpers import free_udp_port, running_serve


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """alpha and beta (two different decoders), broken (a manifest, but no weights), and two entries that are
    not models the network may name: a symlink out of the folder and a plain file."""
    root = tmp_path_factory.mktemp("models")
    folder = root / "models"
    write_model(folder / "alpha", random_tensors(0), CONFIG)
    write_model(folder / "beta", random_tensors(1), CONFIG)
    (folder / "broken").mkdir()
    (folder / "broken" / "weights_manifest.json").write_text((folder / "alpha" / "weights_manifest.json").read_text())
    (folder / "broken" / "cfg.json").write_text(json.dumps(CONFIG))
    write_model(root / "outside", random_tensors(2), CONFIG)
    (folder / "escape").symlink_to(root / "outside")
    (folder / "notes.txt").write_text("not a model")
    return folder


def test_the_library_lists_and_resolves_names_only(models):
    library = ModelLibrary(models)
    # broken lists shards that are not there: it is not offered (it can still be asked for, and fails to load)
    assert library.names() == ["alpha", "beta"]
    assert library.path("beta") == (models / "beta").resolve()
    for bad in ["../models/alpha", "/tmp", "escape", "notes.txt", "nope", ".", "..", "", "alpha/", 3, None, "a" * 65]:
        with pytest.raises(p.ProtocolError):
            library.path(bad)


def _bridge(models, seed=5):
    bridge = Bridge(PianoGenie.load(models / "alpha"), temperature=0.5, seed=seed, clock=lambda: 100.0,
                    library=ModelLibrary(models))
    bridge.log = Log()
    bridge.sinks.append(bridge.log)
    return bridge


def test_a_swap_ends_every_note_and_starts_each_performer_afresh(models):
    bridge = _bridge(models)
    for t, (address, button) in enumerate([("/genie/press", 1), ("/genie/3/press", 4), ("/genie/press", 6)]):
        bridge.dispatch(address, [button], time=float(t))
    bridge.dispatch("/genie/pedal", [1], time=3.0)
    assert len(bridge.log.sounding()) == 3
    assert bridge.handle("/genie/model", ["beta"])
    bridge.loader.join(30)
    assert bridge.log.sounding() == set()
    assert bridge.status()["model"] == "beta"
    assert bridge.performers[0].sustain, "the pedal is the player's, not the model's"

    # Each performer now plays exactly as a fresh session of beta with its own seed would.
    beta = PianoGenie.load(models / "beta")
    for number, seed in ((0, 5), (3, 8)):
        fresh = beta.session(seed=seed)
        expected = [fresh.press(b, time=10.0 + i, temperature=0.5) + 21 for i, b in enumerate([2, 7, 0, 5])]
        before = len(bridge.log.events)
        for i, b in enumerate([2, 7, 0, 5]):
            bridge.dispatch(p.performer_address(p.IN_PRESS, number), [b], time=10.0 + i)
        played = [e[2] for e in bridge.log.events[before:] if e[0] == "on"]
        assert played == expected


def test_presses_go_on_with_the_old_model_while_the_new_one_loads(models, monkeypatch):
    """The load holds no lock: a press during it is decoded by the current model at once."""
    bridge = _bridge(models)
    real_load = PianoGenie.load
    gate = __import__("threading").Event()

    def slow_load(path):
        gate.wait(10)
        return real_load(path)

    monkeypatch.setattr(PianoGenie, "load", staticmethod(slow_load))
    assert bridge.handle("/genie/model", ["beta"])
    started = time.monotonic()
    assert bridge.handle("/genie/press", [3])
    assert time.monotonic() - started < 0.5
    assert bridge.status()["model"] == "alpha" and len(bridge.log.sounding()) == 1
    assert not bridge.handle("/genie/model", ["alpha"]), "one load at a time"
    gate.set()
    bridge.loader.join(30)
    assert bridge.status()["model"] == "beta" and bridge.log.sounding() == set()


def _replies(client: OscClient, address: str, timeout: float = 10.0):
    message, seen = client.wait_for(lambda m: m[0] == address, timeout)
    assert message is not None, f"no {address} within {timeout} s; got {seen}"
    return message[1], seen


def test_hot_swap_over_osc(models, tmp_path):
    take = tmp_path / "take.json"
    with running_serve(["--model", str(models / "alpha"), "--models", str(models), "--record", str(take)],
                       free_udp_port()) as (port, proc):
        client = OscClient(("127.0.0.1", port))
        try:
            client.send(p.IN_MODELS)
            assert _replies(client, p.OUT_MODELS)[0] == ["alpha", "beta"]
            assert client.status()["model"] == "alpha"

            client.send(p.IN_PRESS, 3)
            client.send("/genie/2/press", 5)
            on0, _ = _replies(client, p.OUT_NOTEON)
            on2, _ = _replies(client, "/genie/2/noteon")

            client.send(p.IN_MODEL, "beta")
            name, before = _replies(client, p.OUT_MODEL)
            assert name == ["beta"]
            offs = {(m[0], m[1][0]) for m in before}
            assert offs == {(p.OUT_NOTEOFF, on0[0]), ("/genie/2/noteoff", on2[0])}, before
            status = client.status()
            assert status["model"] == "beta" and status["sounding"] == 0 and status["model_errors"] == 0

            # Names that are no model, or no name at all: refused at once, counted, beta plays on.
            bad = [("../alpha",), ("/tmp",), ("escape",), ("nope",), (3,), ("alpha", "beta"), ()]
            for args in bad:
                client.send(p.IN_MODEL, *args)
                reason, _ = _replies(client, p.OUT_ERROR)
                assert reason[0].startswith(p.IN_MODEL), reason
            client.send("/genie/2/model", "alpha")
            assert "unknown address" in _replies(client, p.OUT_ERROR)[0][0]
            # A model that fails to load: answered when the load fails, and beta still plays.
            client.send(p.IN_MODEL, "broken")
            reason, _ = _replies(client, p.OUT_ERROR)
            assert "broken" in reason[0] and "still playing beta" in reason[0], reason
            # The peer hears the model's name, never the server's folders.
            assert str(models) not in reason[0] and str(models.resolve()) not in reason[0], reason
            for button in (1, 4, 6, 2):
                client.send(p.IN_PRESS, button)
                _replies(client, p.OUT_NOTEON)
            status = client.status()
            assert status["model"] == "beta" and status["model_errors"] == len(bad) + 1
            assert status["errors"] == len(bad) + 2
        finally:
            client.close()
    console = proc.stderr.read()
    assert "pianogenie: now playing model beta" in console, console  # the refusal follows within the 1 s a line may wait
    document = json.loads(take.read_text())
    assert document["model"] == str(models / "alpha")
    assert [(c["name"], c["model"]) for c in document["model_changes"]] == [("beta", str((models / "beta").resolve()))]
    assert 0 <= document["model_changes"][0]["time"] <= document["events"][-1]["time"]
    # The take is still what older readers read.
    assert len(load_events(take)) == 5 and len(take_notes(document, "take")) == 6
    # And replay decodes each stretch with its own model: the notes as they were played.
    played = [n["pitch"] for n in document["notes"]]
    assert _replayed(take) == played
    assert _replayed(take, "--model", str(models / "alpha")) != played, "the check cannot tell the models apart"


def _replayed(take, *flags: str) -> list[int]:
    proc = subprocess.run([sys.executable, "-m", "pianogenie", "replay", "--events", str(take), *flags], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [n["pitch"] for n in json.loads(proc.stdout)["notes"]]


def test_serve_refuses_a_models_folder_that_is_not_one(tmp_path):
    from pianogenie.cli import main
    assert main(["serve", "--models", str(tmp_path / "missing"), "--audio", "none", "--midi-out", "none"]) == 2


def _press_round_trips(client: OscClient, count: int, before=None) -> list[tuple[float, bool]]:
    """(round trip, whether a model was loading when it was sent) of `count` presses, one at a time."""
    times = []
    for i in range(count):
        loading = before() if before is not None else False
        started = time.perf_counter()
        client.send(p.IN_PRESS, i % 8)
        message, seen = client.wait_for(lambda m: m[0] == p.OUT_NOTEON, 5.0)
        assert message is not None, f"a press was not answered: {seen}"
        times.append((time.perf_counter() - started, loading))
        client.send(p.IN_RELEASE, i % 8)
    return times


class Swapper:
    """Asks for the next model as soon as the previous swap has been announced: loads back to back."""

    def __init__(self, port: int):
        self.client = OscClient(("127.0.0.1", port))
        self.names = ["beta", "alpha"]
        self.swaps = 0
        self.loading = False

    def __call__(self) -> bool:
        while True:
            try:
                data = self.client.sock.recv(65536, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            address = parse_datagram(data)[0][0][0]
            assert address != p.OUT_ERROR, data
            if address == p.OUT_MODEL:  # the swap's note-offs come here too
                self.swaps += 1
                self.loading = False
        if not self.loading:
            self.client.send(p.IN_MODEL, self.names[self.swaps % 2])
            self.loading = True
        return self.loading


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def test_press_latency_during_loads(models):
    """Presses sent while models load back to back are answered as ever: the load is on its own thread. The
    bound is loose (shared CI machines); docs/osc.md has the measured figures."""
    with running_serve(["--model", str(models / "alpha"), "--models", str(models), "--reply-to", "none"],
                       free_udp_port()) as (port, proc):
        client = OscClient(("127.0.0.1", port))
        swapper = Swapper(port)
        try:
            quiet = [t for t, _ in _press_round_trips(client, 400)]
            # Loads take longer on a loaded CI machine (two swaps in 400 presses there): presses go on, 400 at a
            # time, until three loads have been announced, within a bound.
            during: list[float] = []
            deadline = time.monotonic() + 60.0
            while swapper.swaps < 3 and time.monotonic() < deadline:
                during += [t for t, loading in _press_round_trips(client, 400, swapper) if loading]
            status = client.status()
            assert status["model_errors"] == 0 and status["internal_errors"] == 0
            assert swapper.swaps >= 3 and len(during) >= 50, (swapper.swaps, len(during))
        finally:
            client.close()
            swapper.client.close()
    (q50, q99), (l50, l99) = percentiles(quiet), percentiles(during)
    print(f"\npress round trip over OSC, no load: p50 {q50 * 1e3:.3f} ms p99 {q99 * 1e3:.3f} ms ({len(quiet)} presses); "
          f"during {swapper.swaps} loads: p50 {l50 * 1e3:.3f} ms p99 {l99 * 1e3:.3f} ms ({len(during)} presses)")
    assert l50 < 0.05, "presses waited for models to load"


def test_the_listing_follows_the_folder_from_its_own_thread(models, tmp_path):
    """Issue 23.4: /genie/models answers from the last reading; a model copied in (all its files there) is
    offered after the next re-reading, which runs at most once a second and never on the caller's thread."""
    import shutil
    import threading

    folder = tmp_path / "library"
    shutil.copytree(models / "alpha", folder / "alpha")
    now = [0.0]
    library = ModelLibrary(folder, clock=lambda: now[0])
    assert library.names() == ["alpha"]
    (folder / "gamma").mkdir()  # half copied: the manifest first, its shard not yet
    shutil.copy(models / "alpha" / "weights_manifest.json", folder / "gamma")
    shutil.copy(models / "alpha" / "cfg.json", folder / "gamma")
    now[0] = 5.0
    readers = []
    real_scandir = os.scandir
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "scandir", lambda path: readers.append(threading.current_thread()) or real_scandir(path))
        library.names()
        for _ in range(100):
            if not library._refreshing:
                break
            time.sleep(0.01)
    assert readers and all(thread is not threading.current_thread() for thread in readers)
    assert library.names() == ["alpha"], "gamma's shard is missing: not offered yet"
    for shard in json.loads((models / "alpha" / "weights_manifest.json").read_text())[0]["paths"]:
        shutil.copy(models / "alpha" / shard, folder / "gamma")
    assert library.names() == ["alpha"], "read again only after REFRESH_S"
    version = library.version
    now[0] = 10.0
    library.names()
    for _ in range(100):
        if library.names() == ["alpha", "gamma"]:
            break
        time.sleep(0.01)
    assert library.names() == ["alpha", "gamma"] and library.version == version + 1


def test_a_models_burst_is_answered_at_a_bounded_rate(models):
    """Issue 23.4: 1,000 /genie/models from one sender get a handful of answers, and another sender still gets
    its own; every request is accepted (it is valid), only the replies are limited."""

    class Replies:
        def __init__(self):
            self.sent = []

        def reply(self, sender, address, values):
            self.sent.append((sender, address))

        def note_on(self, *a, **k):
            pass

        note_off = note_on

        def udp_drops(self):
            return 0

    now = [100.0]
    bridge = Bridge(PianoGenie.load(models / "alpha"), clock=lambda: now[0], library=ModelLibrary(models))
    link = Replies()
    bridge.connect(link)
    for _ in range(1000):
        assert bridge.handle(p.IN_MODELS, [], sender="attacker")
    assert bridge.handle(p.IN_MODELS, [], sender="player")
    answered = [s for s, a in link.sent if a == p.OUT_MODELS]
    assert answered.count("attacker") == 4 and answered.count("player") == 1
    now[0] += 1.0  # the bucket refills
    bridge.handle(p.IN_MODELS, [], sender="attacker")
    assert [s for s, a in link.sent if a == p.OUT_MODELS].count("attacker") == 5


@pytest.mark.parametrize("poll", [p.IN_STATUS, p.IN_MODELS, p.IN_PANIC, None])
def test_a_swap_from_another_peer_ends_the_players_notes_at_the_player(models, poll):
    """Issue 23.2: a controller that swaps models, or a monitor that polls, never becomes the player's last
    sender: each sounding note's note-off reaches the peer that got its note-on, also with --reply-to none."""
    with running_serve(["--model", str(models / "alpha"), "--models", str(models), "--reply-to", "none"],
                       free_udp_port()) as (port, proc):
        player, monitor, controller = (OscClient(("127.0.0.1", port)) for _ in range(3))
        try:
            struck = {}
            for address, button in ((p.IN_PRESS, 1), ("/genie/2/press", 4), (p.IN_PRESS, 6)):
                player.send(address, button)
                message, _ = player.wait_for(lambda m: m[0].endswith("/noteon"), 5.0)
                struck[(message[0].replace("noteon", "noteoff"), message[1][0])] = button
            player.send(p.IN_PEDAL, 1)
            player.send(p.IN_RELEASE, 6)  # sustained, still sounding
            if poll is not None:
                monitor.send(poll)
                assert monitor.wait_for(lambda m: m[0] in (p.OUT_STATUS, p.OUT_MODELS), 5.0)[0] or poll == p.IN_PANIC
            if poll == p.IN_PANIC:  # the panic itself ended them: at the player too
                offs = player.wait_for(lambda m: False, 1.0)[1]
                assert {(m[0], m[1][0]) for m in offs if m[0].endswith("/noteoff")} == set(struck)
                return
            controller.send(p.IN_MODEL, "beta")
            assert controller.wait_for(lambda m: m[0] == p.OUT_MODEL, 30.0)[0] is not None
            heard = player.wait_for(lambda m: False, 1.0)[1]
            offs = {(m[0], m[1][0]) for m in heard if m[0].endswith("/noteoff")}
            assert offs == set(struck), heard
            assert player.status()["sounding"] == 0
        finally:
            for client in (player, monitor, controller):
                client.close()
