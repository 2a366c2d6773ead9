"""Issue 19's goal "the plugin host adds no import to the press path of `serve --synth fm`": a real serve with
the FM synth on a JACK dummy server, played by a real OSC client, reports every module it imported when it
stops; no plugin-host module and no plugin library is among them (in the ASAP sink, which runs in serve's own
process, and in fixed mode, where serve feeds the synth child)."""

from __future__ import annotations

import json
import time

import pytest

from pianogenie.bridge import protocol as p
from pianogenie.bridge.osc.client import OscClient
from tests.conftest import jack_dummy
from tests.serve_helpers import free_udp_port, running_serve

# serve through the shell, then one line: the modules this process imported
PROBE = ("import json, sys; from pianogenie.cli import main; code = main(sys.argv[1:]); "
         "print('MODULES ' + json.dumps(sorted(sys.modules)), flush=True); sys.exit(code)")
PLUGIN_HOST = ("pianogenie.bridge.sound.lv2", "pianogenie.bridge.sound.lilv", "pianogenie.bridge.sound.vst3",
               "pianogenie.bridge.sound.plugin_synth", "pianogenie.bridge.sound.plugin_render",
               "pianogenie.bridge.sound.plugin_paths", "pianogenie.bridge.sound.instrument", "pedalboard", "lilv")


def _modules_after_presses(extra: list[str]) -> tuple[str, list[str]]:
    with running_serve(["--audio", "sounddevice", "--buffer-size", "64", "--synth", "fm", *extra], free_udp_port(),
                       launcher=("-c", PROBE)) as (port, proc):
        client = OscClient(("127.0.0.1", port))
        try:
            for button in (0, 3, 7):
                client.send(p.IN_PRESS, button, 100)
                message, _ = client.wait_for(lambda m: m[0] == p.OUT_NOTEON, 2.0)
                assert message is not None, "serve played no note"
                time.sleep(0.05)
                client.send(p.IN_RELEASE, button)
                client.wait_for(lambda m: m[0] == p.OUT_NOTEOFF, 2.0)
        finally:
            client.close()
        banner = proc.banner
    (line,) = [line for line in proc.rest if line.startswith("MODULES ")]
    return banner, json.loads(line[len("MODULES "):])


@pytest.mark.parametrize("latency", ["asap", "fixed"])
def test_serve_synth_fm_imports_no_plugin_host(latency, monkeypatch):
    pytest.importorskip("sounddevice")
    with jack_dummy(64) as env:
        for name in ("JACK_NO_START_SERVER", "JACK_DEFAULT_SERVER"):
            monkeypatch.setenv(name, env[name])
        banner, modules = _modules_after_presses(["--latency", latency])
    (audio,) = [line for line in banner.splitlines() if line.strip().startswith("audio ")]
    print(f"\n{latency}: {audio.strip()}")
    assert "64 frames" in audio and "off" not in audio, audio  # the FM synth really plays
    assert "pianogenie.bridge.sound.synths" in modules and "pianogenie.bridge.osc.transport" in modules
    loaded = [m for m in modules if m.startswith(PLUGIN_HOST)]
    assert loaded == [], f"serve --synth fm --latency {latency} imported the plugin host: {loaded}"
