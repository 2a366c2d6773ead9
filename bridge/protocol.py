"""The bridge's OSC address space and default ports: the one definition that the server, the tests,
the Max/Pd patches' tests and docs/osc.md all follow."""

from __future__ import annotations

DEFAULT_HOST = "127.0.0.1"
# The bridge listens here for button events.
DEFAULT_LISTEN_PORT = 57130
# Notes also go to this fixed address, because Max's [udpsend] cannot receive replies.
DEFAULT_REPLY_PORT = 57131

PREFIX = "/genie"

# Input: what a controller sends to the bridge. The values describe the arguments.
IN_PRESS = "/genie/press"              # i:button [f:velocity 0..1 | i:velocity 1..127]
IN_RELEASE = "/genie/release"          # i:button
IN_PEDAL = "/genie/pedal"              # i:0|1 (sustain)
IN_RESET = "/genie/reset"              # (none)
IN_PANIC = "/genie/panic"              # (none): all notes off
IN_TEMPERATURE = "/genie/temperature"  # f:0..1
IN_KEYS = "/genie/keys"                # i:pitch ... (no arguments: all keys)
IN_RANGE = "/genie/range"              # i:low_pitch i:high_pitch
IN_STATUS = "/genie/status"            # (none): ask for a status reply

# Output: what the bridge sends back.
OUT_NOTEON = "/genie/noteon"    # i:pitch i:velocity i:button
OUT_NOTEOFF = "/genie/noteoff"  # i:pitch i:button
OUT_STATUS = "/genie/status"    # counters and latency percentiles
OUT_ERROR = "/genie/error"      # s:reason

INPUT_ADDRESSES = (IN_PRESS, IN_RELEASE, IN_PEDAL, IN_RESET, IN_PANIC, IN_TEMPERATURE, IN_KEYS, IN_RANGE, IN_STATUS)
OUTPUT_ADDRESSES = (OUT_NOTEON, OUT_NOTEOFF, OUT_STATUS, OUT_ERROR)


def performer_address(address: str, performer: int) -> str:
    """`/genie/press` for performer 0 is also reachable as `/genie/0/press`; performer n uses `/genie/n/press`."""
    return f"{PREFIX}/{performer}{address[len(PREFIX):]}"


# DAW output (--osc-format vkb_midi): the virtual-keyboard namespace of REAPER's .ReaperOSC files and DrivenByMoss.
VKB_MIDI_NOTE = "/vkb_midi/{channel}/note/{pitch}"  # f or i: velocity (0 = note off)
