"""Press -> sound measured from outside the synth, at the frame: a JACK client in a process of its own hears what
feeds JACK's playback ports, finds each onset's frame (the first sample above a threshold after 0.2 s below it)
and maps it onto the monotonic clock two ways:
- by JACK's own timing of the onset's cycle (bridge/sound/jack_clock.py): where the server says that frame falls,
  the clock a JACK application schedules by, and what --latency fixed places notes by;
- by the lowest (callback time - frame time) of the callbacks from its own to FLOOR_S later, as a callback wakes
  late but never early: an estimate from this client's wake-ups alone, independent of the server's.
`pianogenie bench osc --sound plugin` and the fixed-latency test (tests/bridge/test_plugin_live.py) both measure
with it and report both.

Run as `python -m pianogenie.bridge.frame_meter [THRESHOLD]`: it connects every port that feeds system:playback
to its two inputs, prints "ready", then on stdin's end one line per onset: "onset <JACK's time> <wake-up floor>"
(monotonic seconds; JACK's time is the floor's where the server gives no cycle times), then "xruns <count>"."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from typing import Iterator

THRESHOLD = 0.002        # an onset: the first sample above this (the sum of both channels' magnitudes)
QUIET_S = 0.2            # ... after this long below it
# An onset's frame is mapped by the floor of the callbacks from its own to this much later, not by one offset for
# the run: a JACK server that stalls (a loaded machine; the dummy driver does not catch up) falls behind the
# monotonic clock for good, and one offset for the run put every onset after a stall a period or more early. A
# later stall within the window errs late, never early, so no note is ever reported before it sounded.
FLOOR_S = 0.1
CLIENT_NAME = "pgframes"
PLAYBACK = ("system:playback_1", "system:playback_2")


def _feeding_playback(client) -> list[str]:
    """The output ports connected to JACK's playback ports (a synth's two outputs), in name order."""
    feeding = {port.name for name in PLAYBACK for port in client.get_all_connections(name)}
    return sorted(name for name in feeding if not name.startswith(("system:", CLIENT_NAME + ":")))


def onset_times(onsets: list[tuple[int, int]], offsets: list[float], rate: int, period: int) -> list[float]:
    """Each onset (frame, index of its callback) on the monotonic clock, by the floor of (wake-up - frame time)
    over its callback and those up to FLOOR_S later."""
    window = max(1, round(FLOOR_S * rate / period))
    return [frame / rate + min(offsets[index:index + window]) for frame, index in onsets]


def run_client(threshold: float = THRESHOLD) -> int:
    """The meter process itself (the module's main)."""
    import jack
    import numpy as np

    from .sound.jack_clock import JackCycleClock

    client = jack.Client(CLIENT_NAME, no_start_server=True)
    inputs = [client.inports.register(f"input_{n}") for n in (1, 2)]
    rate = client.samplerate
    clock = JackCycleClock.open(client.blocksize)
    state = {"offsets": [], "quiet_until": 0, "onsets": [], "jack": [], "xruns": 0}

    @client.set_xrun_callback
    def xrun(delay_usecs: float) -> None:  # any client's, the server's count while the meter listens
        state["xruns"] += 1

    @client.set_process_callback
    def process(frames: int) -> None:
        woke = time.monotonic()
        first = client.last_frame_time
        cycle = clock.cycle() if clock is not None else None
        state["offsets"].append(woke - first / rate)
        block = np.abs(inputs[0].get_array()) + np.abs(inputs[1].get_array())
        loud = np.flatnonzero(block > threshold)
        if loud.size:
            if first + int(loud[0]) >= state["quiet_until"]:
                state["onsets"].append((first + int(loud[0]), len(state["offsets"]) - 1))
                state["jack"].append(cycle.time_of(first + int(loud[0])) if cycle is not None else None)
            state["quiet_until"] = first + int(loud[-1]) + int(QUIET_S * rate)

    client.activate()
    for source, meter_in in zip(_feeding_playback(client), inputs):
        client.connect(source, meter_in)
    print("ready", flush=True)
    sys.stdin.read()
    client.deactivate()
    floors = onset_times(state["onsets"], state["offsets"], rate, client.blocksize)
    for on_jack, floor in zip(state["jack"], floors):
        print(f"onset {floor if on_jack is None else on_jack:.7f} {floor:.7f}")
    print(f"xruns {state['xruns']}")
    client.close()
    if clock is not None:
        clock.close()
    return 0


class FrameMeter:
    """The meter process for a `with` block (env: the JACK server's environment). Once the block has ended,
    `onsets` holds each onset's monotonic time by JACK's cycle times, `floor_onsets` the same by the wake-up floor."""

    def __init__(self, env: dict[str, str], threshold: float = THRESHOLD):
        self.env, self.threshold = env, threshold
        self.onsets: list[float] = []
        self.floor_onsets: list[float] = []
        self.xruns = 0  # the JACK server's xruns while the meter listened

    def __enter__(self) -> "FrameMeter":
        self.proc = subprocess.Popen([sys.executable, "-m", __name__, str(self.threshold)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env)
        first = self.proc.stdout.readline().strip()
        if first != "ready":
            self.proc.kill()
            raise RuntimeError(f"the JACK frame meter did not start: {first or self.proc.stderr.read().strip()}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.stdin.close()
        out = self.proc.stdout.read()
        self.proc.wait(30)
        heard = [line.split()[1:] for line in out.splitlines() if line.startswith("onset ")]
        self.onsets = [float(on_jack) for on_jack, _ in heard]
        self.floor_onsets = [float(floor) for _, floor in heard]
        self.xruns = sum(int(line.split()[1]) for line in out.splitlines() if line.startswith("xruns "))


def press_times(sock: socket.socket, address: tuple[str, int], presses: int, rest: float = 0.25) -> Iterator[float]:
    """Presses to a serve that replies to the sender, one at a time, each timed at its send: waits for its note-on
    and, after the release, its note-off, then `rest` seconds (long enough for the instrument to fall silent for
    QUIET_S) plus a varying part, so that presses fall anywhere in a period."""
    from . import protocol as p
    from .osc.send import Encoder

    encoder = Encoder()
    for n in range(presses):
        sent = time.monotonic()
        sock.sendto(encoder.ints(p.IN_PRESS, n % 8, 100), address)
        sock.recv(65536)
        yield sent
        time.sleep(0.05)
        sock.sendto(encoder.ints(p.IN_RELEASE, n % 8), address)
        sock.recv(65536)
        time.sleep(rest + 0.0137 * (n % 7))


if __name__ == "__main__":
    sys.exit(run_client(float(sys.argv[1]) if len(sys.argv) > 1 else THRESHOLD))
