"""Issue 22: "the banner says '64 frames' while JACK runs 256" and "every figure in a banner is read from the running
system". A real `serve --buffer-size 64` on a JACK dummy server at 256 frames: its audio line states the period,
rate and output latency that JACK's own tools (jack_bufsize, jack_samplerate, jack_lsp -L) read from the server,
and the 64 only as what was asked; the latency line adds that same output latency to the sound budget and names
the /genie/status field that measures the bridge's figure, which a real press then fills."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import time

import pytest

from pianogenie.bridge import protocol as p
from pianogenie.bridge.osc.client import OscClient
from tests.conftest import jack_dummy
from tests.serve_helpers import free_udp_port, running_serve

PERIOD, ASKED = 256, 64

SYNTHS = {
    "sounddevice": (["--audio", "sounddevice"], "sounddevice"),
    "pyo": (["--audio", "pyo", "--audio-backend", "jack"], "pyo"),
    "piano": (["--audio", "auto", "--synth", "piano"], "fluidsynth"),
}


def _jack_reads(env: dict[str, str]) -> tuple[int, int, int]:
    """(period, rate, system:playback_1's latency in frames), from JACK's own command-line clients."""
    def run(*command: str) -> str:
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=20, check=True).stdout

    latency = re.search(r"total latency = (\d+) frames", run("jack_lsp", "-L", "system:playback_1"))
    assert latency, "jack_lsp -L gave no latency"
    return int(run("jack_bufsize").split()[0]), int(run("jack_samplerate").split()[0]), int(latency.group(1))


@pytest.mark.parametrize("synth", list(SYNTHS))
def test_serve_banner_states_what_jack_runs_not_the_flag(synth, monkeypatch):
    flags, module = SYNTHS[synth]
    pytest.importorskip(module)
    for tool in ("jack_bufsize", "jack_samplerate", "jack_lsp"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} (JACK's tools) not installed")
    with jack_dummy(PERIOD) as env:
        for name in ("JACK_NO_START_SERVER", "JACK_DEFAULT_SERVER"):
            monkeypatch.setenv(name, env[name])
        period, rate, playback = _jack_reads(env)
        assert period == PERIOD
        with running_serve([*flags, "--buffer-size", str(ASKED)], free_udp_port()) as (port, proc):
            client = OscClient(("127.0.0.1", port))
            try:
                client.send(p.IN_PRESS, 3, 100)
                assert client.wait_for(lambda m: m[0] == p.OUT_NOTEON, 5.0)[0] is not None
                time.sleep(0.05)
                client.send(p.IN_RELEASE, 3)
                client.send(p.IN_STATUS)
                status, _ = client.wait_for(lambda m: m[0] == p.OUT_STATUS, 5.0)
            finally:
                client.close()
            banner = proc.banner
    (audio,) = [line.strip() for line in banner.splitlines() if line.strip().startswith("audio ")]
    (latency,) = [line.strip() for line in banner.splitlines() if line.strip().startswith("latency ")]
    print(f"\n{audio}\n{latency}")
    if " off" in audio:
        pytest.skip(f"{synth} has no output here: {audio}")
    assert f"{period} frames @ {rate} Hz" in audio, audio
    assert f"asked {ASKED} frames" in audio, audio
    assert f"{ASKED} frames @" not in audio, audio  # the flag is never stated as what runs
    output_ms = f"{1000.0 * playback / rate:.1f} ms"
    assert f"output latency {output_ms}" in audio, (audio, playback)
    if "own process" in audio:  # the child's stream: the latency line points at the audio line's figure
        assert "output latency on the audio line" in latency, latency
    else:
        assert f"+ {output_ms} output latency" in latency, latency
    # The bridge's budget names the status field that measures it, and a real press fills that field.
    assert "latency_p99_us" in latency, latency
    fields = dict(zip(status[1][::2], status[1][1::2]))
    assert math.isfinite(fields["latency_p99_us"]) and fields["latency_p99_us"] > 0, fields
