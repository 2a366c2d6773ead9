"""The one interface every sound output implements, as mido's ports share one: notes on and off, everything off,
close, a one-line description for the banner, and `with` support so a caller cannot forget to close.

A note carries the performer, the MIDI pitch, the button that struck it, the arrival time of the message that
caused it (monotonic seconds, bridge/timing.py) and its sender (where OSC replies go; other outputs ignore it)."""

from __future__ import annotations

from typing import Any


class SynthUnavailable(RuntimeError):
    """This machine has no output for the synth (no device, no server): one banner line, and the run goes on."""


class Sink:
    """A sound output. Subclasses implement note_on and note_off; all_off and close default to doing nothing
    beyond what an output that keeps no notes needs."""

    description: str = ""
    # Seconds from a computed block to its sound at the output, as the audio system reports it for the opened
    # stream (JACK's playback latency, PortAudio's stream.latency); None where it does not say (MIDI, a child).
    output_latency_s: float | None = None

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: Any = None) -> None:
        raise NotImplementedError(f"{type(self).__name__} plays no notes")

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: Any = None) -> None:
        raise NotImplementedError(f"{type(self).__name__} plays no notes")

    def set_gain(self, db: float) -> None:
        """The output's level from now on, in dB (bridge/sound/gain.py), reached by a short ramp. An output
        that makes no sound of its own (MIDI, a printer) has no level and ignores it."""

    def all_off(self) -> None:
        """Silence every note this output still sounds (the bridge sends each note-off too; this is the backstop
        for an output that must be quiet at once: a panic, a close)."""

    def close(self) -> None:
        """Release the device; the output is silent afterwards."""
        self.all_off()

    def __enter__(self) -> "Sink":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
