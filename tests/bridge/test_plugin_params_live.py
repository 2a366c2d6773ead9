"""A plugin's parameters live (issue 19): MDA Piano (Debian's mda-lv2) in `pianogenie serve` on a JACK dummy
server, started from a --plugin-preset file, its envelope decay set over real OSC; the recorded notes decay as
the parameter says, the OSCQuery tree (real HTTP GETs) shows each value, and bad values are refused with
/genie/error while serve plays on."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import time

import numpy as np
import pytest

from pianogenie.bridge import protocol as p
from pianogenie.bridge.osc.client import OscClient
from pianogenie.bridge.osc.send import Encoder
from tests.bridge.test_bridge_oscquery import free_tcp_port, get
from tests.conftest import jack_dummy
from tests.bridge.test_plugin_live import _plugin_outputs
from tests.jack_helpers import connect, jack_recorder, read_stereo
from tests.plugin_helpers import URI, build_problem, build_test_instrument, lv2_env
from tests.serve_helpers import free_udp_port, running_serve

lv2 = pytest.importorskip("pianogenie.bridge.sound.lv2")
pytest.importorskip("sounddevice")
websockets = pytest.importorskip("websockets.sync.client")
PIANO = "http://drobilla.net/plugins/mda/Piano"
HOLD = 1.0  # seconds each note is held: MDA Piano's env_decay shapes a held note
QUIET = 0.02  # a sample above this is a note sounding


def _play(client: OscClient, button: int) -> None:
    client.send(p.IN_PRESS, button, 100)
    message, _ = client.wait_for(lambda m: m[0] == p.OUT_NOTEON, 2.0)
    assert message is not None, "serve played no note"
    time.sleep(HOLD)
    client.send(p.IN_RELEASE, button)
    client.wait_for(lambda m: m[0] == p.OUT_NOTEOFF, 2.0)
    time.sleep(1.5)  # the release dies away before the next note


def _error(client: OscClient, address: str, *values) -> str:
    client.send(address, *values)
    message, _ = client.wait_for(lambda m: m[0] == p.OUT_ERROR, 2.0)
    assert message is not None, f"{address} {values}: no {p.OUT_ERROR} reply"
    return message[1][0]


def _onsets(audio: np.ndarray, rate: int) -> list[int]:
    """The first loud frame of each note (notes are over 2 s apart)."""
    loud = np.flatnonzero(np.abs(audio).max(axis=1) > QUIET)
    starts: list[int] = []
    for frame in loud:
        if not starts or frame > starts[-1] + 2 * rate:
            starts.append(int(frame))
    return starts


def _decay_db(audio: np.ndarray, start: int, rate: int) -> float:
    """How far a held note fell, in dB, from its first 0.1 s to 0.8..0.9 s after its onset."""
    def level(a: float, b: float) -> float:
        window = audio[start + int(a * rate):start + int(b * rate)]
        return 20 * math.log10(float(np.sqrt(np.mean(window ** 2))) + 1e-12)

    return level(0.0, 0.1) - level(0.8, 0.9)


def test_a_parameter_set_over_osc_changes_the_sound_and_the_tree(tmp_path, monkeypatch) -> None:
    if PIANO not in {info.uri for info in lv2.list_plugins()}:
        pytest.skip("mda-lv2 is not installed (make system-test installs it)")
    preset = tmp_path / "short.json"
    preset.write_text(json.dumps({"uri": PIANO, "params": {"env_decay": 0.0}}))
    wav, http = tmp_path / "heard.wav", free_tcp_port()
    with jack_dummy(64) as env:
        for name in ("JACK_NO_START_SERVER", "JACK_DEFAULT_SERVER"):
            monkeypatch.setenv(name, env[name])
        with jack_recorder(env, wav) as inputs:
            with running_serve(["--audio", "sounddevice", "--buffer-size", "64", "--synth", f"lv2:{PIANO}",
                                "--plugin-preset", str(preset), "--oscquery-port", str(http)],
                               free_udp_port()) as (port, proc):
                assert "plugin      12 parameters; over OSC" in proc.banner, proc.banner
                for output, recorder_in in zip(_plugin_outputs(env), inputs):
                    connect(env, output, recorder_in)
                node = f"{p.PLUGIN_PARAMS}/env_decay"
                status, tree = get(http, node)
                assert status == 200 and tree["TYPE"] == "f" and tree["ACCESS"] == 3, tree
                assert tree["RANGE"] == [{"MIN": 0.0, "MAX": 1.0}] and tree["VALUE"] == [0.0], tree  # the preset's
                client = OscClient(("127.0.0.1", port))
                opened = contextlib.ExitStack()
                listener = opened.enter_context(websockets.connect(f"ws://127.0.0.1:{http}/"))
                try:
                    listener.send(json.dumps({"COMMAND": "LISTEN", "DATA": node}))
                    time.sleep(0.3)
                    _play(client, 4)
                    client.send(p.IN_PLUGIN_PARAM, "env_decay", 1.0)
                    assert listener.recv(timeout=5) == Encoder().message(node, 1.0), "LISTEN: the new value"
                    _play(client, 4)
                    assert get(http, node)[1]["VALUE"] == [1.0]
                    assert get(http, p.PLUGIN_PARAMS)[1]["CONTENTS"]["env_decay"]["VALUE"] == [1.0]

                    refusals = [
                        (_error(client, p.IN_PLUGIN_PARAM, "env_decay", 2.0),
                         "/genie/plugin/param: env_decay must be in [0, 1], got 2.0"),
                        (_error(client, p.IN_PLUGIN_PARAM, "env_decay", float("nan")),
                         "/genie/plugin/param: value must be a finite number, got float nan"),
                        (_error(client, node, -0.5), f"{node}: env_decay must be in [0, 1], got -0.5"),
                    ]
                    unknown = _error(client, p.IN_PLUGIN_PARAM, "loudness", 0.5)
                    assert unknown.startswith(f"/genie/plugin/param: lv2:{PIANO} has no parameter 'loudness' "
                                              "(it has env_decay, env_release,"), unknown
                    for got, expected in refusals:
                        assert got == expected
                    assert get(http, node)[1]["VALUE"] == [1.0], "a refused value changed nothing"
                    client.send(node, 0.0)  # by the parameter's own address
                    _play(client, 4)  # and serve plays on
                    assert get(http, node)[1]["VALUE"] == [0.0]
                finally:
                    client.close()
                    opened.close()
    audio, rate = read_stereo(wav)
    starts = _onsets(audio, rate)
    assert len(starts) == 3, starts
    short, long, short_again = (_decay_db(audio, start, rate) for start in starts)
    print(f"\nMDA Piano, a held note's fall from its onset to 0.85 s: env_decay 0 {short:.1f} dB, "
          f"1 {long:.1f} dB, 0 again {short_again:.1f} dB")
    assert short - long > 8.0 and short_again - long > 8.0, (short, long, short_again)


def _level_db(window: np.ndarray) -> float:
    return 20 * math.log10(float(np.sqrt(np.mean(window ** 2))) + 1e-12)


@pytest.mark.skipif(build_problem() is not None, reason=str(build_problem()))
@pytest.mark.parametrize("kind", ["lv2", pytest.param("vst3", marks=pytest.mark.skipif(
    importlib.util.find_spec("pedalboard") is None, reason="VST3 needs pedalboard"))])
def test_the_test_instruments_gain_over_osc_in_lv2_and_vst3(kind, tmp_path, monkeypatch) -> None:
    """The test instrument (a sine at gain x velocity) built as LV2 and as VST3, in serve: its `gain` set over
    OSC from 0.8 to 0.2 makes the next note 12 dB quieter, through either host in the synth child."""
    built = build_test_instrument()
    synth = f"lv2:{URI}" if kind == "lv2" else f"vst3:{built.vst3}"
    wav = tmp_path / "heard.wav"
    with jack_dummy(64) as env:
        for name in ("JACK_NO_START_SERVER", "JACK_DEFAULT_SERVER"):
            monkeypatch.setenv(name, env[name])
        monkeypatch.setenv("LV2_PATH", lv2_env(built)["LV2_PATH"])
        with jack_recorder(env, wav) as inputs:
            with running_serve(["--audio", "sounddevice", "--buffer-size", "64", "--synth", synth,
                                "--plugin-param", "gain=0.8"], free_udp_port()) as (port, proc):
                assert "plugin      1 parameter; over OSC (serve), /genie/plugin/param" in proc.banner, proc.banner
                for output, recorder_in in zip(_plugin_outputs(env), inputs):
                    connect(env, output, recorder_in)
                client = OscClient(("127.0.0.1", port))
                try:
                    time.sleep(0.3)
                    _play(client, 4)
                    client.send(f"{p.PLUGIN_PARAMS}/gain", 0.2)
                    _play(client, 4)
                    refused = _error(client, p.IN_PLUGIN_PARAM, "gain", 1.5)
                finally:
                    client.close()
    assert refused == "/genie/plugin/param: gain must be in [0, 1], got 1.5"
    audio, rate = read_stereo(wav)
    starts = _onsets(audio, rate)
    assert len(starts) == 2, starts
    loud, quiet = (_level_db(audio[s + int(0.1 * rate):s + int(0.5 * rate), 0]) for s in starts)
    print(f"\n{kind}: gain 0.8 -> 0.2 over OSC: {loud - quiet:.2f} dB quieter (20 log10 4 = 12.04)")
    assert abs((loud - quiet) - 20 * math.log10(4)) < 0.5, (loud, quiet)

