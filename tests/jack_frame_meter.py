"""Run by the fixed-latency test (tests/bridge/test_plugin_live.py) as its own JACK client: records the frame of
every onset at its inputs (the first sample above a threshold after 0.2 s below it) and maps frames onto the
monotonic clock by the lowest (callback time - frame time) seen, as a callback wakes late but never early. Prints
"ready", then on stdin's end one line per onset: "onset <monotonic seconds>"."""

from __future__ import annotations

import sys
import time

import jack
import numpy as np

THRESHOLD = float(sys.argv[1]) if len(sys.argv) > 1 else 0.002
client = jack.Client("pgframes", no_start_server=True)
inputs = [client.inports.register(f"input_{n}") for n in (1, 2)]
rate = client.samplerate
state = {"offsets": [], "quiet_until": 0, "onsets": []}


@client.set_process_callback
def process(frames: int) -> None:
    woke = time.monotonic()
    first = client.last_frame_time
    offset = woke - first / rate
    state["offsets"].append(offset)
    block = np.abs(inputs[0].get_array()) + np.abs(inputs[1].get_array())
    loud = np.flatnonzero(block > THRESHOLD)
    if loud.size:
        frame = first + int(loud[0])
        if frame >= state["quiet_until"]:
            state["onsets"].append(frame)
        state["quiet_until"] = first + int(loud[-1]) + int(0.2 * rate)


client.activate()
print("ready", flush=True)
sys.stdin.read()
client.deactivate()
# The lowest of (wake-up - frame time) over each second: a callback wakes late, never early; a second's floor
# follows the two clocks' drift.
offsets = np.array(state["offsets"])
per_second = max(1, int(rate / 64))
floors = np.array([offsets[i:i + per_second].min() for i in range(0, len(offsets), per_second)])
offset = float(np.median(floors))
for frame in state["onsets"]:
    print(f"onset {frame / rate + offset:.7f}")
client.close()
