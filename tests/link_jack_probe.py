"""Run by tests/bridge/test_link.py inside a network namespace of its own (loopback only, multicast routed on it),
with a JACK dummy server the test started (its environment in ours): `pianogenie serve --link --snap 1/4:100ms`
playing its synth on JACK, a Link peer of this probe's, and a JACK frame meter (bridge/frame_meter.py) that hears
the synth at the frame. Presses alternate 50 ms and 200 ms before a beat of the peer's; each one's send time, its
beat and the onset heard are printed as one JSON line."""

from __future__ import annotations

import json
import os
import sys
import time

from pianogenie.bridge import protocol as p
from pianogenie.bridge.frame_meter import FrameMeter
from pianogenie.bridge.osc.client import OscClient

from link_probes import joined_peer, start_serve  # beside this script

PRESSES = 8
LEADS_S = (0.05, 0.2)  # inside the window (sounds on the beat), outside it (sounds at once)
HOLD_S = 0.25          # after the beat: every note is released once it has sounded
REST_S = 0.45          # silence before the next onset, longer than the meter's QUIET_S and the synth's release


def main() -> None:
    serve, port, banner = start_serve("--audio", "sounddevice", "--buffer-size", "64", "--oscquery-port", "none",
                                      *sys.argv[1:], env=os.environ)
    peer = joined_peer()
    peers = peer.peers  # read while joined: a closed peer counts none
    client = OscClient(("127.0.0.1", port))
    presses = []
    try:
        time.sleep(0.5)
        with FrameMeter(dict(os.environ)) as meter:
            time.sleep(0.3)
            for n in range(PRESSES):
                lead = LEADS_S[n % 2]
                beat = peer.next_boundary(time.monotonic() + 0.3, 1.0)
                time.sleep(max(0.0, beat - lead - time.monotonic()))
                sent = time.monotonic()
                client.send(p.IN_PRESS, n % 8, 100)
                answered = client.wait_for(lambda m: m[0] == p.OUT_NOTEON, 2.0)[0] is not None
                time.sleep(max(0.0, beat + HOLD_S - time.monotonic()))
                client.send(p.IN_RELEASE, n % 8)
                client.wait_for(lambda m: m[0] == p.OUT_NOTEOFF, 2.0)
                presses.append({"lead": lead, "sent": sent, "beat": beat, "answered": answered})
                time.sleep(REST_S)
        # The wake-up floor errs late, never early: "never before the beat" is judged by it. JACK's own clock
        # can put an onset up to a period early (the block's callback woke late), so it is printed beside.
        onsets, jack_onsets = meter.floor_onsets, meter.onsets
    finally:
        client.close()
        peer.close()
        serve.terminate()
        serve.wait(10)
    print(json.dumps({"banner": banner, "peers_seen": peers, "presses": presses, "onsets": onsets,
                      "jack_onsets": jack_onsets}), flush=True)


if __name__ == "__main__":
    main()
