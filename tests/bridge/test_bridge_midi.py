"""MIDI at the message level (mido messages through mido port objects), and through real virtual ports on a JACK
dummy server where one can run."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import mido
import pytest
from mido.ports import BaseOutput

from pianogenie.bridge.core import Bridge
from pianogenie.bridge.midi import ButtonMap, MidiIn, MidiOut, MidiUnavailable, midi_to_osc, open_backend
from pianogenie.engine import PianoGenie
from tests.conftest import REPO, jack_dummy



class CapturePort(BaseOutput):
    """A mido output port that keeps what is sent to it (mido's own port base class does the message checks)."""

    def _open(self, **kwargs):
        self.sent = []

    def _send(self, message):
        self.sent.append(message)


@pytest.fixture(scope="module")
def genie(random_model_dir):
    return PianoGenie.load(random_model_dir)


def test_base_mapping():
    mapping = ButtonMap("base", base=48)
    assert midi_to_osc(mido.Message("note_on", note=48, velocity=90), mapping) == ("/genie/press", [0, 90])
    assert midi_to_osc(mido.Message("note_on", note=55, velocity=1), mapping) == ("/genie/press", [7, 1])
    assert midi_to_osc(mido.Message("note_on", note=56, velocity=90), mapping) is None
    assert midi_to_osc(mido.Message("note_on", note=47, velocity=90), mapping) is None
    assert midi_to_osc(mido.Message("note_off", note=50), mapping) == ("/genie/release", [2])
    assert midi_to_osc(mido.Message("note_on", note=50, velocity=0), mapping) == ("/genie/release", [2])
    assert midi_to_osc(mido.Message("control_change", control=64, value=127), mapping) == ("/genie/pedal", [1])
    assert midi_to_osc(mido.Message("control_change", control=64, value=10), mapping) == ("/genie/pedal", [0])
    assert midi_to_osc(mido.Message("control_change", control=1, value=127), mapping) is None
    assert midi_to_osc(mido.Message("pitchwheel", pitch=100), mapping) is None
    assert midi_to_osc(mido.Message("note_on", note=49, velocity=64), mapping, performer=3) == ("/genie/3/press", [1, 64])


def test_pitch_order_mapping_covers_the_keyboard_in_eight_zones():
    mapping = ButtonMap("order", low=21, high=108)
    buttons = [midi_to_osc(mido.Message("note_on", note=n, velocity=64), mapping)[1][0] for n in range(21, 109)]
    assert buttons == sorted(buttons) and set(buttons) == set(range(8))
    assert [buttons.count(b) for b in range(8)] == [11] * 8
    assert midi_to_osc(mido.Message("note_on", note=20, velocity=64), mapping) is None


def test_bad_mappings_are_rejected():
    for kwargs in ({"mode": "zigzag"}, {"base": 125}, {"mode": "order", "low": 90, "high": 30}):
        with pytest.raises(ValueError):
            ButtonMap(**kwargs)


def test_midi_out_pairs_every_note_on_with_a_note_off(genie):
    port = CapturePort()
    bridge = Bridge(genie, seed=0)
    bridge.sinks.append(MidiOut(port, channel=2))
    bridge.dispatch("/genie/pedal", [1], time=0.0)
    for i in range(16):
        bridge.dispatch("/genie/press", [i % 8, 30 + i], time=0.05 * i)
        bridge.dispatch("/genie/release", [i % 8], time=0.05 * i + 0.02)
    bridge.dispatch("/genie/4/press", [3], time=1.0)
    bridge.dispatch("/genie/pedal", [0], time=1.1)
    bridge.dispatch("/genie/panic", [], time=1.2)
    ons = [m for m in port.sent if m.type == "note_on"]
    offs = [m for m in port.sent if m.type == "note_off"]
    assert len(ons) == len(offs) == 17
    assert {m.channel for m in ons[:16]} == {1} and ons[16].channel == 5, "channel 2 (mido 1); performer 4 on channel 6"
    assert [m.velocity for m in ons[:16]] == [30 + i for i in range(16)]
    sounding = set()
    for m in port.sent:
        key = (m.channel, m.note)
        if m.type == "note_on":
            assert key not in sounding
            sounding.add(key)
        else:
            sounding.remove(key)
    assert not sounding


def test_midi_in_drives_the_bridge(genie):
    """MidiIn's callback path: controller messages become presses, releases and the pedal, under the bridge lock."""

    class FakeInput:  # the only part replaced: rtmidi's callback thread delivering messages
        name = "controller"
        callback = None

    port = FakeInput()
    out = CapturePort()
    bridge = Bridge(genie, seed=0)
    bridge.sinks.append(MidiOut(out))
    MidiIn(port, ButtonMap("base", base=60), bridge.handle)
    for message in [mido.Message("control_change", control=64, value=127), mido.Message("note_on", note=62, velocity=70),
                    mido.Message("note_off", note=62), mido.Message("note_on", note=40, velocity=70),
                    mido.Message("control_change", control=64, value=0)]:
        port.callback(message)
    assert bridge.counters.presses == 1 and bridge.counters.releases == 1
    assert [m.type for m in out.sent] == ["note_on", "note_off"]
    assert out.sent[0].velocity == 70


def test_no_alsa_sequencer_is_one_clear_message():
    if os.path.exists("/dev/snd/seq"):
        pytest.skip("this machine has an ALSA sequencer")
    with pytest.raises(MidiUnavailable) as info:
        open_backend("alsa")
    assert "ALSA sequencer" in str(info.value) and "\n" not in str(info.value)


def test_serve_without_midi_says_so_in_the_banner(random_model_dir):
    if os.path.exists("/dev/snd/seq"):
        pytest.skip("this machine has an ALSA sequencer")
    env = dict(os.environ, JACK_NO_START_SERVER="1")
    code = ("import sys; from pianogenie.cli import main; sys.argv=['pianogenie']; "
            "import threading, signal, os; threading.Timer(3, lambda: os.kill(os.getpid(), signal.SIGTERM)).start(); "
            f"sys.exit(main(['serve', '--port', '0', '--reply-to', 'none', '--audio', 'none', '--midi-api', 'alsa', '--model', {str(random_model_dir)!r}]))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    midi_lines = [line for line in proc.stdout.splitlines() if line.strip().startswith("midi")]
    assert len(midi_lines) == 1 and "no ALSA sequencer" in midi_lines[0]
    assert "Traceback" not in proc.stderr


@pytest.fixture(scope="module")
def jack_server():
    with jack_dummy(256) as env, pytest.MonkeyPatch.context() as patch:
        # mido opens its JACK clients in this process, so the variable goes into our own environment.
        patch.setenv("JACK_NO_START_SERVER", env["JACK_NO_START_SERVER"])
        patch.setenv("JACK_DEFAULT_SERVER", env["JACK_DEFAULT_SERVER"])
        yield env


def _wait(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.02)
    return predicate()


def test_virtual_ports_on_jack(jack_server, genie):
    """Real JACK MIDI: the bridge's virtual "Piano Genie" output, read back by a second client; and a controller
    client sending into the bridge's virtual input."""
    try:
        backend, api = open_backend("jack")
    except MidiUnavailable as exc:
        pytest.skip(str(exc))
    bridge = Bridge(genie, seed=0)
    out = MidiOut.open(backend, None, channel=1, backend_name=api)
    bridge.sinks.append(out)
    midi_in = MidiIn.open(backend, None, ButtonMap("base", base=60), bridge.handle)
    received = []
    listener = backend.open_input(next(n for n in backend.get_input_names() if "Piano Genie" in n and "In" not in n.split(":")[-1]))
    listener.callback = received.append
    controller = backend.open_output(next(n for n in backend.get_output_names() if n.endswith("Piano Genie In")))
    try:
        time.sleep(0.3)
        controller.send(mido.Message("note_on", note=63, velocity=99))
        assert _wait(lambda: bridge.counters.presses == 1)
        controller.send(mido.Message("note_off", note=63))
        assert _wait(lambda: len(received) >= 2), received
        assert received[0].type == "note_on" and received[0].velocity == 99
        assert received[1].type == "note_off" and received[1].note == received[0].note
    finally:
        for port in (controller, listener, midi_in, out):
            port.close()
