"""`pianogenie serve` driven by an OSC peer the project did not write: liblo's `oscsend`, with `oscdump` listening
on the reply port (Debian's liblo-tools). Presses, releases, velocities, the pedal, reset, bad messages and a
malformed datagram; every message that comes back is checked."""

from __future__ import annotations

import queue
import re
import shlex
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from pianogenie.bridge.protocol import (
    DEFAULT_HOST,
    DEFAULT_VELOCITY,
    IN_PEDAL,
    IN_PRESS,
    IN_RELEASE,
    IN_RESET,
    IN_STATUS,
    IN_TEMPERATURE,
    OUT_ERROR,
    OUT_NOTEOFF,
    OUT_NOTEON,
    OUT_STATUS,
    STATUS_FIELDS,
    vkb_midi_address,
)
from pianogenie.engine.constants import HIGHEST_PITCH, LOWEST_PITCH, NUM_BUTTONS
from tests.serve_helpers import free_udp_port, model_arguments, running_serve

PROBE = "/liblo/probe"
REAPER_PATTERNS = Path(__file__).resolve().parents[2] / "maxpatch" / "PianoGenie.ReaperOSC"


@pytest.fixture(scope="module")
def liblo_tools() -> tuple[str, str]:
    oscsend, oscdump = shutil.which("oscsend"), shutil.which("oscdump")
    if not (oscsend and oscdump):
        pytest.skip("liblo's oscsend/oscdump are not installed (Debian: apt install liblo-tools)")
    return oscsend, oscdump


class OscDump:
    """`oscdump -L PORT` in the background; each printed line parsed to (address, type tags, arguments)."""

    def __init__(self, oscdump: str, port: int) -> None:
        self.port = port
        self.proc = subprocess.Popen([oscdump, "-L", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.messages: queue.Queue[tuple[str, str, list]] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            words = shlex.split(line)
            # oscdump prints "[timetag] /address types args..."; the timetag is absent in some liblo versions.
            start = next(i for i, w in enumerate(words) if w.startswith("/"))
            address, args = words[start], words[start + 1:]
            types = args.pop(0) if args and all(c in "ifsdhTFNcmtb" for c in args[0]) and address != PROBE else ""
            if address == PROBE:
                types, args = "", []
            self.messages.put((address, types, [_value(t, a) for t, a in zip(types, args)]))

    def wait_until_listening(self, timeout: float = 10.0) -> None:
        """oscdump prints nothing when it starts: send probes until one is printed."""
        deadline = time.monotonic() + timeout
        probe = _osc_datagram(PROBE)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            while time.monotonic() < deadline:
                sock.sendto(probe, (DEFAULT_HOST, self.port))
                try:
                    address, _, _ = self.messages.get(timeout=0.2)
                except queue.Empty:
                    continue
                if address == PROBE:
                    while not self.messages.empty():  # later probes
                        self.messages.get_nowait()
                    return
        raise AssertionError(f"oscdump is not printing what arrives on port {self.port}")

    def collect_until(self, address: str | Callable[[tuple[str, str, list]], bool],
                      timeout: float = 15.0) -> list[tuple[str, str, list]]:
        """Everything printed up to and including the first message to `address` (or that `address` accepts)."""
        done = address if callable(address) else (lambda message: message[0] == address)
        got = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {address} within {timeout} s; got {got}") from None
            if message[0] == PROBE:
                continue
            got.append(message)
            if done(message):
                return got

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _value(tag: str, text: str):
    if tag in "ih":
        return int(text)
    if tag in "fd":
        return float(text)
    return text


def _osc_datagram(address: str) -> bytes:
    def padded(b: bytes) -> bytes:
        return b + b"\0" * (4 - len(b) % 4)

    return padded(address.encode()) + padded(b",")


def test_liblo_round_trip(liblo_tools, request):
    oscsend, oscdump = liblo_tools
    dump = OscDump(oscdump, free_udp_port())
    try:
        dump.wait_until_listening()
        with running_serve(model_arguments(request), reply_port=dump.port) as (port, _):

            def send(address: str, types: str = "", *args) -> None:
                command = [oscsend, DEFAULT_HOST, str(port), address]
                if types:
                    command += [types, *map(str, args)]
                subprocess.run(command, check=True, timeout=10)

            send(IN_RESET)
            for button in range(NUM_BUTTONS):                  # notes 0..7
                send(IN_PRESS, "i", button)
                send(IN_RELEASE, "i", button)
            send(IN_PRESS, "ii", 3, 64)                        # note 8: MIDI velocity
            send(IN_RELEASE, "i", 3)
            send(IN_PRESS, "if", 5, 0.5)                       # note 9: velocity 0.5 -> 64
            send(IN_RELEASE, "i", 5)
            send(IN_PEDAL, "i", 1)
            send(IN_PRESS, "i", 1)                             # note 10
            send(IN_RELEASE, "i", 1)
            send(IN_PRESS, "i", 2)                             # note 11
            send(IN_RELEASE, "i", 2)
            send(IN_PEDAL, "i", 0)
            send(IN_PRESS, "i", 4)                             # note 12: ended by reset
            send(IN_RESET)
            bad = [
                ("/genie/bogus", "i", 1),                      # unknown address
                (IN_PRESS, "s", "three"),                      # wrong type
                (IN_PRESS, "i", NUM_BUTTONS),                  # out-of-range button
                (IN_PRESS, "f", 2.5),                          # not a whole number
                (IN_TEMPERATURE, "f", "nan"),                  # NaN
                (IN_PRESS, ""),                                # missing argument
            ]
            for address, types, *args in bad:
                send(address, types, *args)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.sendto(b"\x00\x01not OSC at all", (DEFAULT_HOST, port))  # malformed datagram
            send(IN_STATUS)
            replies = dump.collect_until(OUT_STATUS)
    finally:
        dump.close()

    noteons = [args for address, _, args in replies if address == OUT_NOTEON]
    assert len(noteons) == 13, replies
    for pitch, velocity, button in noteons:
        assert LOWEST_PITCH <= pitch <= HIGHEST_PITCH
    assert [b for _, _, b in noteons] == [0, 1, 2, 3, 4, 5, 6, 7, 3, 5, 1, 2, 4]
    assert [v for _, v, _ in noteons] == [DEFAULT_VELOCITY] * 8 + [64, 64] + [DEFAULT_VELOCITY] * 3
    for address, types, _ in replies:
        if address == OUT_NOTEON:
            assert types == "iii"
        elif address == OUT_NOTEOFF:
            assert types == "ii"

    # Every note-on gets exactly one note-off for its pitch and button; nothing is left sounding.
    sounding: dict[int, tuple[int, int]] = {}
    order: list[tuple[str, int]] = []
    count = 0
    for address, _, args in replies:
        if address == OUT_NOTEON:
            assert args[0] not in sounding
            sounding[args[0]] = (count, args[2])
            order.append(("on", count))
            count += 1
        elif address == OUT_NOTEOFF:
            pitch, button = args
            assert pitch in sounding, f"note-off for {pitch}, which is not sounding"
            index, held_by = sounding.pop(pitch)
            assert button == held_by
            order.append(("off", index))
    assert sounding == {}
    position = {event: i for i, event in enumerate(order)}
    assert position[("off", 10)] > position[("on", 11)], "the pedal held note 10 past note 11"
    assert ("off", 12) in position, "reset ended note 12"

    errors = [args[0] for address, types, args in replies if address == OUT_ERROR and types == "s"]
    assert len(errors) == len(bad) + 1, errors
    assert "bogus" in errors[0] and "button" in errors[2]

    address, types, args = replies[-1]
    assert set(types[0::2]) == {"s"} and set(types[1::2]) <= {"i", "f", "s"}, types  # "model" is a name
    status = dict(zip(args[::2], args[1::2]))
    assert list(status) == list(STATUS_FIELDS)
    assert status["presses"] == 13 and status["notes_on"] == 13 and status["notes_off"] == 13
    assert status["errors"] == len(bad) + 1
    assert status["sounding"] == 0 and status["sustain"] == 0
    assert 0 < status["latency_p50_us"] <= status["latency_p99_us"]


# ---------------------------------------------------------------------------------------------- DAW output


def reaper_patterns() -> dict[str, list[tuple[str, re.Pattern]]]:
    """The .ReaperOSC file as REAPER reads it: `ACTION t/pattern ...`, where t is the argument type and each @
    matches one number in the address."""
    actions: dict[str, list[tuple[str, re.Pattern]]] = {}
    for line in REAPER_PATTERNS.read_text().splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        action, patterns = words[0], words[1:]
        assert patterns, f"{action} has no pattern"
        parsed = []
        for pattern in patterns:
            kind, slash, path = pattern.partition("/")
            assert slash and kind in ("i", "f", "n", "s", "t", "b"), pattern
            parsed.append((kind, re.compile("^/" + "/".join(r"(\d+)" if p == "@" else re.escape(p)
                                                          for p in path.split("/")) + "$")))
        actions[action] = parsed
    return actions


def test_reaper_pattern_file_maps_the_bridge_virtual_keyboard_address():
    actions = reaper_patterns()
    assert list(actions) == ["VKB_MIDI_NOTE"], "only the virtual keyboard is mapped"
    (kind, pattern), = actions["VKB_MIDI_NOTE"]
    assert kind == "i"
    match = pattern.match(vkb_midi_address(1, 60))
    assert match and match.groups() == ("1", "60")
    assert not pattern.match("/genie/noteon")


def test_liblo_vkb_midi_notes_match_the_reaper_pattern(liblo_tools, request):
    oscsend, oscdump = liblo_tools
    (kind, pattern), = reaper_patterns()["VKB_MIDI_NOTE"]
    dump = OscDump(oscdump, free_udp_port())
    try:
        dump.wait_until_listening()
        with running_serve(model_arguments(request) + ["--osc-format", "vkb_midi"], reply_port=dump.port) as (port, _):
            for address, button in ((IN_PRESS, 2), (IN_RELEASE, 2)):
                subprocess.run([oscsend, DEFAULT_HOST, str(port), address, "i", str(button)], check=True, timeout=10)
            replies = dump.collect_until(lambda m: m[0].startswith("/vkb_midi/") and m[2] == [0])
            if not any(address == OUT_NOTEOFF for address, _, _ in replies):
                replies += dump.collect_until(OUT_NOTEOFF)
    finally:
        dump.close()
    (pitch, velocity, _), = [args for address, _, args in replies if address == OUT_NOTEON]
    vkb = [(address, types, args) for address, types, args in replies if address.startswith("/vkb_midi/")]
    assert [(a, t, v) for a, t, v in vkb] == [(vkb_midi_address(1, pitch), kind, [velocity]),
                                              (vkb_midi_address(1, pitch), kind, [0])]
    for address, _, _ in vkb:
        assert pattern.match(address).groups() == ("1", str(pitch)), "REAPER's pattern reads channel and pitch"
