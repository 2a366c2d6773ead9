"""maxpatch/pianogenie.pd and the [pianogenie-osc] abstraction played by real Pure Data (headless), against a
recording OSC peer and against a real `pianogenie serve`.

maxpatch/pianogenie-harness.pd loads the real patch as an abstraction and plays a fixed score through the patch's own
inputs: the computer keys (it sends to #key/#keyup, exactly what Pd's [key]/[keyup] listen to) and the patch's
`genie-*` receive names (what its buttons, toggle, slider and number boxes send to). Every note, error and status
that comes back through the patch's [netreceive -u -b] -> [oscparse] chain is written with [textfile] to a file
this test reads; then Pd quits. `-batch` would quit before the network answered, so Pd runs in real time.

maxpatch/pianogenie-osc-help.pd, the abstraction's help patch, is opened as it ships (it must load cleanly) and,
with only its [pianogenie-osc]'s creation arguments pointed at the test's peer, played by clicking its message boxes
(see the section at the end).
"""

from __future__ import annotations

import math
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from pianogenie.bridge.protocol import (
    DEFAULT_HOST,
    DEFAULT_LISTEN_PORT,
    DEFAULT_VELOCITY,
    IN_KEYS,
    IN_MODELS,
    IN_PANIC,
    IN_PEDAL,
    IN_PRESS,
    IN_RANGE,
    IN_RELEASE,
    IN_RESET,
    IN_STATUS,
    IN_TEMPERATURE,
    OUT_ERROR,
    OUT_NOTEOFF,
    OUT_NOTEON,
    OUT_STATUS,
    STATUS_FIELDS,
)
from pianogenie.engine.constants import HIGHEST_PITCH, LOWEST_PITCH
from tests.serve_helpers import free_udp_port, model_arguments, running_serve

REPO = Path(__file__).resolve().parents[2]
HARNESS = REPO / "maxpatch" / "pianogenie-harness.pd"

# What the harness score sends, in order (its /genie/status polls aside): the computer keys 1-8 (key 1 twice
# before its release, as a held key's auto-repeat would), a click on button 4 (press now, release after the gate),
# two notes under the pedal, four notes in the range 48..72, an out-of-range button, and a note ended by panic.
RANGE_LOW, RANGE_HIGH = 48, 72
EXPECTED_SENT = (
    [(IN_PEDAL, "i", [0]), (IN_RANGE, "ii", [LOWEST_PITCH, HIGHEST_PITCH]), (IN_TEMPERATURE, "f", [0.25]),
     (IN_RESET, "", [])]
    + [m for b in range(8) for m in ((IN_PRESS, "i", [b]), (IN_RELEASE, "i", [b]))]
    + [(IN_PRESS, "i", [3]), (IN_RELEASE, "i", [3])]
    + [(IN_PEDAL, "i", [1]), (IN_PRESS, "i", [4]), (IN_RELEASE, "i", [4]), (IN_PRESS, "i", [5]),
       (IN_RELEASE, "i", [5]), (IN_PEDAL, "i", [0])]
    + [(IN_RANGE, "ii", [RANGE_LOW, RANGE_HIGH])]
    + [m for b in (0, 7, 2, 5) for m in ((IN_PRESS, "i", [b]), (IN_RELEASE, "i", [b]))]
    + [(IN_RANGE, "ii", [LOWEST_PITCH, HIGHEST_PITCH]), (IN_PRESS, "i", [9]), (IN_PRESS, "i", [6]), (IN_PANIC, "", [])]
)
PRESSES_ACCEPTED = 16  # every press above but button 9
KEYS_PHASE, CLICK_PHASE, PEDAL_PHASE, RANGE_PHASE = range(0, 8), range(8, 9), range(9, 11), range(11, 15)
PANIC_NOTE = 15


@pytest.fixture(scope="module")
def pd_binary() -> str:
    path = shutil.which("pd") or shutil.which("puredata")
    if path is None:
        pytest.skip("Pure Data is not installed (Debian: apt install puredata-core)")
    return path


def run_harness(pd: str, send_port: int | None, listen_port: int | None, log: Path, timeout: float = 30.0,
                harness: Path = HARNESS) -> tuple[list[list[str]], str]:
    """Run the harness in real Pd; return the logged messages (as token lists) and Pd's stderr. The ports are sent
    to the running patch (genie-connect, genie-listen) unless None: then the patch's own settings apply."""
    command = [pd, "-nogui", "-noaudio", "-nomidi", "-stderr", "-path", str(HARNESS.parent), "-open", str(harness)]
    if send_port is not None:
        command += ["-send", f"genie-connect connect {DEFAULT_HOST} {send_port}"]
    if listen_port is not None:
        command += ["-send", f"genie-listen listen {listen_port}"]
    command += ["-send", f"harness-out symbol {log}", "-send", "harness-go bang"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, f"pd exited with {proc.returncode}:\n{stderr}"
    assert log.exists(), f"the harness wrote no log:\n{stderr}"
    # [textfile] writes Pd messages separated by ';' and wraps long lines, so split on ';'.
    messages = [part.split() for part in log.read_text().split(";")]
    return [m for m in messages if m], stderr


# ---------------------------------------------------------------------------------------------- a recording peer


def osc_type_tags(datagram: bytes) -> str:
    address_end = datagram.index(b"\0")
    start = (address_end // 4 + 1) * 4
    return datagram[start + 1:datagram.index(b"\0", start)].decode()


class RecordingPeer:
    """Records every OSC message the patch sends (address, type tags, arguments) and answers presses and
    releases with the note messages of the bridge's protocol, so the patch's receiving side has something to
    parse. It is a test double for the wire format only; the real bridge is tested below."""

    def __init__(self, reply_port: int | None, host: str = DEFAULT_HOST, port: int = 0) -> None:
        """Replies go to DEFAULT_HOST:reply_port, or with reply_port None to the sender, as the bridge answers
        every sender."""
        from pythonosc.osc_message_builder import OscMessageBuilder

        self._builder = OscMessageBuilder
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, port))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.reply_port = reply_port
        self._sender: tuple[str, int] | None = None
        self.received: list[tuple[str, str, list]] = []
        self.replies: list[list] = []
        self._held: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _send(self, address: str, *args) -> None:
        builder = self._builder(address)
        for arg in args:
            builder.add_arg(arg)
        destination = self._sender if self.reply_port is None else (DEFAULT_HOST, self.reply_port)
        self.sock.sendto(builder.build().dgram, destination)
        self.replies.append([address, *args])

    def _serve(self) -> None:
        from pythonosc.osc_message import OscMessage

        pitch = 60
        while not self._stop.is_set():
            try:
                datagram, self._sender = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            message = OscMessage(datagram)
            args = list(message.params)
            self.received.append((message.address, osc_type_tags(datagram), args))
            if message.address == IN_PRESS:
                if not 0 <= args[0] <= 7:
                    self._send(OUT_ERROR, f"{IN_PRESS}: button must be 0..7, got {args[0]}")
                    continue
                pitch += 1
                self._held[args[0]] = pitch
                self._send(OUT_NOTEON, pitch, 100, args[0])
            elif message.address == IN_RELEASE and args[0] in self._held:
                self._send(OUT_NOTEOFF, self._held.pop(args[0]), args[0])
            elif message.address == IN_STATUS:
                pairs = []
                for i, name in enumerate(STATUS_FIELDS):
                    pairs += [name, 12.5 + i if name.startswith("latency") else i]
                self._send(OUT_STATUS, *pairs)

    def __enter__(self) -> "RecordingPeer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def test_pd_patch_speaks_the_bridge_protocol(pd_binary, tmp_path):
    listen_port = free_udp_port()
    with RecordingPeer(reply_port=listen_port) as peer:
        logged, stderr = run_harness(pd_binary, peer.port, listen_port, tmp_path / "log.txt")
    check_protocol(peer, logged, stderr)


# Connected from the start (no `-send genie-connect`), the patch also sends its temperature slider's initial value.
ON_LOAD = [(IN_TEMPERATURE, "f", [0.25])]


def check_protocol(peer: RecordingPeer, logged: list[list[str]], stderr: str, on_load: list = []) -> None:
    """The peer saw exactly the score's messages, and all it answered came back through the patch."""
    sent = [m for m in peer.received if m[0] != IN_STATUS]
    assert sent == on_load + EXPECTED_SENT, stderr
    # The patch polls the status once a second and the score asks once more.
    assert sum(1 for m in peer.received if m == (IN_STATUS, "", [])) >= 2
    # Everything the peer answered came back through the patch's receiving chain, in order.
    verbs = {OUT_NOTEON: "noteon", OUT_NOTEOFF: "noteoff", OUT_ERROR: "error", OUT_STATUS: "status-reply"}
    expected = [[verbs[r[0]], *map(str, r[1:])] for r in peer.replies]
    received = [m for m in logged if m[0] != "status-line"]
    assert [m[0] for m in received] == [e[0] for e in expected]
    for got, want in zip(received, expected):
        if got[0] in ("noteon", "noteoff"):
            assert [float(x) for x in got[1:]] == [float(x) for x in want[1:]]
    assert "button" in " ".join(" ".join(m) for m in logged if m[0] == "error")
    check_status_lines(logged)


def harness_with(tmp_path: Path, arguments: str) -> Path:
    """The harness, with the patch created as [pianogenie ARGUMENTS] (found on Pd's -path)."""
    text = HARNESS.read_text()
    assert text.count("#X obj 20 140 pianogenie;") == 1
    harness = tmp_path / "harness-with-arguments.pd"
    harness.write_text(text.replace("#X obj 20 140 pianogenie;", f"#X obj 20 140 pianogenie {arguments};"))
    return harness


def test_pd_patch_takes_ports_and_host_as_creation_arguments(pd_binary, tmp_path):
    """[pianogenie SEND_PORT LISTEN_PORT HOST]: nothing sent to the running patch. The peer listens on another
    loopback address, 127.0.0.2, so only the HOST argument can reach it."""
    listen_port = free_udp_port()
    with RecordingPeer(reply_port=listen_port, host="127.0.0.2") as peer:
        harness = harness_with(tmp_path, f"{peer.port} {listen_port} 127.0.0.2")
        logged, stderr = run_harness(pd_binary, None, None, tmp_path / "log.txt", harness=harness)
    check_protocol(peer, logged, stderr, on_load=ON_LOAD)


def test_pd_patch_without_arguments_uses_the_bridge_defaults(pd_binary, tmp_path):
    from pianogenie.bridge.protocol import DEFAULT_LISTEN_PORT, DEFAULT_REPLY_PORT

    try:
        peer = RecordingPeer(reply_port=DEFAULT_REPLY_PORT, port=DEFAULT_LISTEN_PORT)
    except OSError:
        pytest.skip(f"UDP {DEFAULT_LISTEN_PORT} is in use here (a running bridge?)")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("0.0.0.0", DEFAULT_REPLY_PORT))
        except OSError:
            peer.sock.close()
            pytest.skip(f"UDP {DEFAULT_REPLY_PORT} is in use here")
    with peer:
        logged, stderr = run_harness(pd_binary, None, None, tmp_path / "log.txt", harness=harness_with(tmp_path, ""))
    check_protocol(peer, logged, stderr, on_load=ON_LOAD)


def check_status_lines(logged: list[list[str]]) -> None:
    """The patch shows latency, notes and errors from each status reply on its 'bridge' line."""
    pairs = 0
    for reply, line in zip(logged, logged[1:]):
        if reply[0] != "status-reply":
            continue
        assert line[0] == "status-line", "each status reply updates the status line"
        names = reply[1::2]
        assert names == list(STATUS_FIELDS)
        fields = dict(zip(names, (float(v) if _is_number(v) else v for v in reply[2::2])))  # "model" is a name
        shown = line[1:]
        assert shown[:3] == ["set", "latency", "p50"]
        numbers = [float(x) for x in shown if _is_number(x)]
        want = [fields["latency_p50_us"], fields["latency_p99_us"], fields["notes_on"], fields["errors"]]
        assert all(math.isclose(a, b, rel_tol=1e-4, abs_tol=0.01) for a, b in zip(numbers, want)), (shown, want)
        pairs += 1
    assert pairs >= 1


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------------------------- the real bridge


def test_pd_round_trip_through_pianogenie_serve(pd_binary, tmp_path, request):
    listen_port = free_udp_port()
    with running_serve(model_arguments(request), reply_port=listen_port) as (port, _):
        logged, stderr = run_harness(pd_binary, port, listen_port, tmp_path / "log.txt")

    noteons = [[int(float(x)) for x in m[1:]] for m in logged if m[0] == "noteon"]
    assert len(noteons) == PRESSES_ACCEPTED, f"{logged}\n{stderr}"
    for pitch, velocity, button in noteons:
        assert LOWEST_PITCH <= pitch <= HIGHEST_PITCH
        assert 1 <= velocity <= 127
    assert [b for _, _, b in noteons] == [0, 1, 2, 3, 4, 5, 6, 7, 3, 4, 5, 0, 7, 2, 5, 6]
    for index in RANGE_PHASE:
        assert RANGE_LOW <= noteons[index][0] <= RANGE_HIGH, "the range control restricts the notes"

    # Every note-on gets exactly one note-off for its pitch; nothing is left sounding.
    sounding: dict[int, int] = {}
    order = []  # (kind, note index) in arrival order
    count = 0
    for message in logged:
        if message[0] == "noteon":
            pitch = int(float(message[1]))
            assert pitch not in sounding, "a sounding pitch is turned off before it is struck again"
            sounding[pitch] = count
            order.append(("on", count))
            count += 1
        elif message[0] == "noteoff":
            pitch = int(float(message[1]))
            assert pitch in sounding, f"note-off for {pitch}, which is not sounding"
            order.append(("off", sounding.pop(pitch)))
    assert sounding == {}, f"left sounding: {sounding}"
    position = {event: i for i, event in enumerate(order)}
    # Under the pedal, released notes sound on until pedal-up, i.e. past the later note-on.
    first, second = PEDAL_PHASE
    assert position[("off", first)] > position[("on", second)]
    # Panic ended the note that was never released.
    assert ("off", PANIC_NOTE) in position

    errors = [" ".join(m[1:]) for m in logged if m[0] == "error"]
    assert len(errors) == 1 and "button" in errors[0], errors
    check_status_lines(logged)


# ---------------------------------------------------------------------------------------------- [pianogenie-osc]
# maxpatch/pianogenie-osc.pd is the abstraction to drop into one's own patch; pianogenie-osc-help.pd is its help
# patch (the name Pd opens on right-click -> Help). The tests below open the help patch in real Pd and click its
# message boxes, as a user would: a second patch sends the help's canvas `mouse` and `mouseup` messages at each box's
# position. What comes out of the abstraction's outlets reaches the help's [print] objects, on Pd's stderr.

OSC_HELP = REPO / "maxpatch" / "pianogenie-osc-help.pd"
OSC_ABSTRACTION = REPO / "maxpatch" / "pianogenie-osc.pd"
HELP_OBJECT = re.compile(r"^(#X obj \d+ \d+ pianogenie-osc)( [^;]*)?;$", re.MULTILINE)
VELOCITY = 40  # the help's [press 1 40( message
C_MAJOR = (60, 62, 64, 65, 67, 69, 71, 72)  # its [keys ...( message

# The clicks (message box texts, in order) and, for each, what the abstraction must send to the bridge. Notes are
# numbered in the order they start: two plain ones, two under the pedal, two in the range 48..72, two on the white
# keys, then a refused button, the status, the models, and a note that panic ends.
HELP_SCORE: list[tuple[str, tuple]] = [
    ("range 21 108", (IN_RANGE, "ii", [LOWEST_PITCH, HIGHEST_PITCH])),
    ("temperature 0.25", (IN_TEMPERATURE, "f", [0.25])),
    ("reset", (IN_RESET, "", [])),
    ("press 0", (IN_PRESS, "i", [0])), ("release 0", (IN_RELEASE, "i", [0])),
    ("press 1 40", (IN_PRESS, "ii", [1, VELOCITY])), ("release 1", (IN_RELEASE, "i", [1])),
    ("pedal 1", (IN_PEDAL, "i", [1])),
    ("press 0", (IN_PRESS, "i", [0])), ("release 0", (IN_RELEASE, "i", [0])),
    ("press 1 40", (IN_PRESS, "ii", [1, VELOCITY])), ("release 1", (IN_RELEASE, "i", [1])),
    ("pedal 0", (IN_PEDAL, "i", [0])),
    ("range 48 72", (IN_RANGE, "ii", [RANGE_LOW, RANGE_HIGH])),
    ("press 0", (IN_PRESS, "i", [0])), ("release 0", (IN_RELEASE, "i", [0])),
    ("press 1 40", (IN_PRESS, "ii", [1, VELOCITY])), ("release 1", (IN_RELEASE, "i", [1])),
    ("range 21 108", (IN_RANGE, "ii", [LOWEST_PITCH, HIGHEST_PITCH])),
    ("keys 60 62 64 65 67 69 71 72", (IN_KEYS, "i" * len(C_MAJOR), list(C_MAJOR))),
    ("press 0", (IN_PRESS, "i", [0])), ("release 0", (IN_RELEASE, "i", [0])),
    ("press 1 40", (IN_PRESS, "ii", [1, VELOCITY])), ("release 1", (IN_RELEASE, "i", [1])),
    ("keys", (IN_KEYS, "", [])),
    ("press 9", (IN_PRESS, "i", [9])),
    ("status", (IN_STATUS, "", [])),
    ("models", (IN_MODELS, "", [])),
    ("press 0", (IN_PRESS, "i", [0])),
    ("panic", (IN_PANIC, "", [])),
]
HELP_NOTES = 9
HELP_PEDAL, HELP_RANGE, HELP_KEYS, HELP_PANIC = (2, 3), (4, 5), (6, 7), 8


def pd_records(text: str) -> list[str]:
    """A Pd file's records: ';' ends one unless escaped, and Pd wraps long records over several lines."""
    return [" ".join(r.split()) for r in re.split(r"(?<!\\);", text) if r.strip()]


def message_boxes(path: Path) -> dict[str, tuple[int, int]]:
    """Each message box's text -> its (x, y) on the canvas."""
    boxes = {}
    for record in pd_records(path.read_text()):
        match = re.fullmatch(r"#X msg (\d+) (\d+) (.*)", record)
        if match:
            assert match[3] not in boxes, f"two message boxes read {match[3]!r}"
            boxes[match[3]] = (int(match[1]), int(match[2]))
    return boxes


def help_patch_for(tmp_path: Path, arguments: str) -> Path:
    """The help patch, with its [pianogenie-osc] given these creation arguments; it keeps its name, so its canvas
    is still `pd-pianogenie-osc-help.pd`, and finds the abstraction on Pd's -path."""
    text = OSC_HELP.read_text()
    assert len(HELP_OBJECT.findall(text)) == 1, "the help patch holds one [pianogenie-osc]"
    folder = tmp_path / "help"
    folder.mkdir()
    (folder / OSC_HELP.name).write_text(HELP_OBJECT.sub(lambda m: f"{m[1]} {arguments};", text))
    return folder / OSC_HELP.name


def click_patch(tmp_path: Path, clicks: list[str], gap_ms: int = 60) -> Path:
    """A patch that clicks the help patch's message boxes in order (press and release the mouse 4 px inside each
    box, as Pd's editor receives a click), then quits Pd."""
    boxes = message_boxes(OSC_HELP)
    canvas = f"pd-{OSC_HELP.name}"
    score = []
    for text in clicks:
        x, y = boxes[text]
        score.append(f"{gap_ms} {canvas} mouse {x + 4} {y + 4} 1 0;")
        score.append(f"0 {canvas} mouseup {x + 4} {y + 4} 1;")
    score.append("1000 pd quit;")
    (tmp_path / "score.txt").write_text("\n".join(score) + "\n")
    clicker = tmp_path / "clicker.pd"
    clicker.write_text("#N canvas 0 0 300 200 12;\n#X obj 10 10 loadbang;\n#X obj 10 35 delay 500;\n"
                       "#X msg 10 60 read score.txt \\, bang;\n#X obj 10 85 qlist;\n"
                       "#X connect 0 0 1 0;\n#X connect 1 0 2 0;\n#X connect 2 0 3 0;\n")
    return clicker


def run_help(pd: str, help_patch: Path, clicker: Path | None,
             timeout: float = 30.0) -> tuple[list[tuple[str, list[str]]], str]:
    """Open the help patch (and the clicker) in real Pd; return what the help's [print] objects printed, as
    (name, tokens), and all of Pd's stderr."""
    command = [pd, "-nogui", "-noaudio", "-nomidi", "-stderr", "-path", str(OSC_ABSTRACTION.parent),
               "-open", str(help_patch)]
    command += ["-open", str(clicker)] if clicker else ["-send", "pd quit"]
    proc = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=timeout)
    assert proc.returncode == 0, f"pd exited with {proc.returncode}:\n{proc.stderr}"
    printed = []
    for line in proc.stderr.splitlines():
        name, _, rest = line.partition(": ")
        if name in ("noteon", "noteoff", "status", "bridge-error", "other"):
            printed.append((name, rest.split()))
    return printed, proc.stderr


def check_loaded_cleanly(stderr: str) -> None:
    for complaint in ("couldn't create", "bad arguments", "no method for", "unknown message", "connection failed"):
        assert complaint not in stderr, stderr


def test_pd_help_patch_opens_and_connects(pd_binary, tmp_path):
    """The shipped help patch, unchanged, as a user opens it: every object is created and [pianogenie-osc]
    connects (to the bridge's default address; UDP needs no one listening for that)."""
    printed, stderr = run_help(pd_binary, OSC_HELP, None)
    check_loaded_cleanly(stderr)
    assert ("other", ["list", "connected", "1"]) in printed, stderr


def test_pd_abstraction_defaults_are_the_bridge_defaults():
    """Without creation arguments it connects where `pianogenie serve` listens by default."""
    records = pd_records(OSC_ABSTRACTION.read_text())
    messages = [re.sub(r"^#X msg \d+ \d+ ", "", r) for r in records if r.startswith("#X msg")]
    assert str(DEFAULT_LISTEN_PORT) in messages and f"symbol {DEFAULT_HOST}" in messages
    # One inlet and five outlets: noteon, noteoff, status, error, everything else.
    assert sum(1 for r in records if re.fullmatch(r"#X obj \d+ \d+ inlet", r)) == 1
    assert sum(1 for r in records if re.fullmatch(r"#X obj \d+ \d+ outlet", r)) == 5


def test_pd_help_patch_sends_each_message_with_the_bridge_types(pd_binary, tmp_path):
    """Clicking the help's messages sends exactly the OSC the bridge takes (type tags included: Pd's numbers are
    floats, the bridge wants ints for buttons and pitches), and what the peer answers, to the sender as the bridge
    does, comes out of the right outlets."""
    with RecordingPeer(reply_port=None) as peer:
        help_patch = help_patch_for(tmp_path, f"{peer.port} {DEFAULT_HOST}")
        printed, stderr = run_help(pd_binary, help_patch, click_patch(tmp_path, [c for c, _ in HELP_SCORE]))
    check_loaded_cleanly(stderr)
    assert peer.received == [m for _, m in HELP_SCORE], stderr
    outlet = {OUT_NOTEON: "noteon", OUT_NOTEOFF: "noteoff", OUT_ERROR: "bridge-error", OUT_STATUS: "status"}
    answered = [(outlet[r[0]], r[1:]) for r in peer.replies]
    came_out = [(name, tokens) for name, tokens in printed if name != "other"]
    assert [name for name, _ in came_out] == [name for name, _ in answered], stderr
    for (name, tokens), (_, values) in zip(came_out, answered):
        if name in ("noteon", "noteoff"):
            assert [float(t) for t in tokens] == [float(v) for v in values]
        elif name == "status":
            assert tokens[0] == "list" and tokens[1::2] == list(STATUS_FIELDS), tokens
    assert any(name == "bridge-error" and "button" in " ".join(tokens) for name, tokens in came_out)


def test_pd_help_patch_plays_through_pianogenie_serve(pd_binary, tmp_path, request):
    """The help patch against a real bridge: every press comes back as a note out of [pianogenie-osc]'s outlets,
    with the pressed velocity, inside the range and the keys asked for, held by the pedal, ended by panic."""
    # --reply-to none: the notes can only reach the abstraction as answers to its own socket.
    with running_serve([*model_arguments(request), "--reply-to", "none"], reply_port=free_udp_port()) as (port, _):
        help_patch = help_patch_for(tmp_path, f"{port} {DEFAULT_HOST}")
        printed, stderr = run_help(pd_binary, help_patch, click_patch(tmp_path, [c for c, _ in HELP_SCORE]))
    check_loaded_cleanly(stderr)

    noteons = [[int(float(t)) for t in tokens] for name, tokens in printed if name == "noteon"]
    assert len(noteons) == HELP_NOTES, f"{printed}\n{stderr}"
    assert [b for _, _, b in noteons] == [0, 1, 0, 1, 0, 1, 0, 1, 0]
    for pitch, velocity, button in noteons:
        assert LOWEST_PITCH <= pitch <= HIGHEST_PITCH
        assert velocity == (VELOCITY if button == 1 else DEFAULT_VELOCITY)
    for index in HELP_RANGE:
        assert RANGE_LOW <= noteons[index][0] <= RANGE_HIGH, "range reached the bridge"
    for index in HELP_KEYS:
        assert noteons[index][0] in C_MAJOR, "keys reached the bridge"

    order, sounding, count = [], {}, 0
    for name, tokens in printed:
        if name == "noteon":
            sounding[int(float(tokens[0]))] = count
            order.append(("on", count))
            count += 1
        elif name == "noteoff":
            order.append(("off", sounding.pop(int(float(tokens[0])))))
    assert sounding == {}, f"left sounding: {sounding}"
    position = {event: i for i, event in enumerate(order)}
    first, second = HELP_PEDAL
    assert position[("off", first)] > position[("on", second)], "the pedal held the first note"
    assert ("off", HELP_PANIC) in position, "panic ended the held note"

    errors = [" ".join(tokens) for name, tokens in printed if name == "bridge-error"]
    assert len(errors) == 1 and "button" in errors[0], errors
    (status,) = [tokens for name, tokens in printed if name == "status"]
    assert status[0] == "list" and status[1::2] == list(STATUS_FIELDS), status
    assert ["list", "connected", "1"] in [tokens for name, tokens in printed if name == "other"]
    assert any(tokens[:2] == ["list", "models"] for name, tokens in printed if name == "other"), printed
