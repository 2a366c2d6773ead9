"""Run by tests/maxpatch/test_daw_plugin.py in a child process: load the VST3 build with pedalboard (a JUCE host we did not
write), set its parameters as a host's automation would, process audio through it for `seconds` in real time, and
print one JSON line. The child keeps a crash in the plugin or in pedalboard out of the test process; the server
address comes from PIANOGENIE_SERVER, which pedalboard has no other way to set."""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import pedalboard


def main(path: str, seconds: float, temperature: float, range_low: int) -> None:
    plugin = pedalboard.load_plugin(path)
    names = [name for name in plugin.parameters if not name.startswith("midi_ch")]
    # raw_value is the normalised value a host automates; pedalboard's attribute setter searches by display text.
    plugin.parameters["temperature"].raw_value = temperature
    plugin.parameters["range_low"].raw_value = (range_low - 21) / (108 - 21)
    rng = np.random.default_rng(1)
    audio = rng.uniform(-1, 1, (2, 4800)).astype(np.float32)
    worst = 0.0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        out = plugin.process(audio, 48000, buffer_size=128, reset=False)
        worst = max(worst, float(np.abs(out - audio).max()))
        time.sleep(0.1)
    print(json.dumps({"name": plugin.name, "is_effect": plugin.is_effect, "parameters": names,
                      "audio_max_difference": worst}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]))
