"""The pyo synth in a child process.

pyo's audio callback holds the GIL while it computes each buffer, so in the bridge's own process every press
would wait for the synth (measured: arrival -> note-on p50 ~21 us without pyo, ~350 us with it, 64-frame
buffers on JACK). In its own process the synth costs the bridge one pipe write per note. A crash of the audio
stack (pyo's PortAudio backend segfaults when there is no output) cannot take the bridge down, and the child
exits as soon as the bridge is gone (its stdin closes), so no note outlives the bridge.

Protocol on the child's stdin: fixed-size records (kind, performer, pitch, velocity, arrival time). The child
answers one line on stdout at start: "ready <description>" or "error <reason>"."""

from __future__ import annotations

import argparse
import heapq
import os
import select
import signal
import struct
import subprocess
import sys
import time as _time

from ..system import SYNTH_RT_PRIORITY, quiet_stderr, request_realtime
from .devices import pyo_output_problem
from .sink import Sink
from .voices import DEFAULT_BUFFER_SIZE, DEFAULT_SAMPLE_RATE, SynthConfig, SynthParams

RECORD = struct.Struct("<BBBBd")  # kind, performer, pitch, velocity, arrival (monotonic seconds)
NOTE_OFF, NOTE_ON, ALL_OFF = 0, 1, 2
START_TIMEOUT = 60.0
# Shortest note the synth plays (seconds): a few buffers, so the attack is heard.
MIN_NOTE = 0.03
# A child whose pipe stays full this long is hung (a stopped process, a stuck audio stack): it is declared dead.
STALL_DEADLINE = 2.0


class SynthUnavailable(RuntimeError):
    pass


class SynthProcess(Sink):
    """A note sink that forwards to the synth child."""

    # _send's state: the pipe is written without blocking, so a hung child never holds up the bridge.
    dropped = 0  # note-ons a full pipe could not take
    _nonblocking = False
    _stalled_since: float | None = None
    _pending_offs: "set[tuple[int, int]] | None" = None  # note-offs to deliver once the pipe has room
    _pending_all_off = False

    def __init__(self, config: SynthConfig):
        command = [sys.executable, "-m", "pianogenie.bridge.sound.synth_process", "--backend", config.backend,
                   "--buffer-size", str(config.buffer_size), "--sample-rate", str(config.sample_rate),
                   "--voices", str(config.params.voices)]
        if config.device is not None:
            command += ["--device", str(config.device)]
        if config.onset_log:
            command += ["--onset-log", config.onset_log]
        if config.realtime:
            command += ["--realtime"]
        env = dict(os.environ, JACK_NO_START_SERVER="1", PYO_GUI_WX="0")
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        line, noise = "", []
        deadline = _time.monotonic() + START_TIMEOUT
        # pyo prints its own diagnostics on stdout too; the child's answer is the line starting "ready"/"error".
        while not line.startswith(("ready ", "error ")):
            if not select.select([self.proc.stdout], [], [], max(0.0, deadline - _time.monotonic()))[0]:
                break
            raw = self.proc.stdout.readline()
            if not raw:
                break
            line = raw.decode("utf-8", "replace").strip()
            if line and not line.startswith(("ready ", "error ")):
                noise.append(line)
        if not line.startswith("ready "):
            self._reap()
            reason = line[len("error "):] if line.startswith("error ") else "; ".join(noise[-2:]) or "the synth process did not start"
            raise SynthUnavailable(reason)
        self.description = line[len("ready "):]
        self.fd = self.proc.stdin.fileno()
        self.alive = True

    def _send(self, kind: int, performer: int, pitch: int, velocity: int, time: float, sender: object = None) -> None:
        """One record to the child, never blocking: a full pipe drops a note-on (counted) and keeps a note-off
        to send as soon as there is room, so no note is left sounding; a pipe full for STALL_DEADLINE seconds
        is a hung child, killed and reported in one line."""
        if not self.alive:
            return
        if not self._nonblocking:
            os.set_blocking(self.fd, False)
            self._nonblocking, self._pending_offs = True, set()
        pending = self._pending_offs
        try:
            if self._pending_all_off:
                os.write(self.fd, RECORD.pack(ALL_OFF, 0, 0, 0, time))
                self._pending_all_off = False
            while pending:
                off_performer, off_pitch = next(iter(pending))
                os.write(self.fd, RECORD.pack(NOTE_OFF, off_performer, off_pitch, 0, time))
                pending.discard((off_performer, off_pitch))
            os.write(self.fd, RECORD.pack(kind, performer & 0xFF, pitch, velocity, time))
            self._stalled_since = None
        except BlockingIOError:  # a record (12 bytes < PIPE_BUF) is written whole or not at all
            if kind == NOTE_ON:
                self.dropped += 1
            elif kind == NOTE_OFF:
                pending.add((performer & 0xFF, pitch))
            else:
                self._pending_all_off = True
                pending.clear()
            now = _time.monotonic()
            if self._stalled_since is None:
                self._stalled_since = now
            elif now - self._stalled_since > STALL_DEADLINE:
                self.alive = False
                self.proc.kill()  # a child that resumed later would play stale notes with none to stop them
                print(f"pianogenie: the synth process has not read a note for {STALL_DEADLINE:g} s; audio is off "
                      f"({self.dropped} notes dropped)", file=sys.stderr, flush=True)
        except OSError:
            self.alive = False  # the synth died; the bridge plays on without sound
            print("pianogenie: the synth process has stopped; audio is off", file=sys.stderr)

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: object = None) -> None:
        self._send(NOTE_ON, performer, pitch, velocity, time)

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: object = None) -> None:
        self._send(NOTE_OFF, performer, pitch, 0, time)

    def all_off(self) -> None:
        self._send(ALL_OFF, 0, 0, 0, _time.monotonic())

    def close(self) -> None:
        self.all_off()
        self._reap()

    def _reap(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _child(args: argparse.Namespace) -> int:
    # The bridge decides when to stop: Ctrl-C in the terminal reaches the whole process group, and the child
    # must keep sounding until the bridge has sent its note-offs and closed the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    scheduling = ""
    if args.realtime:
        scheduling = ", " + request_realtime(SYNTH_RT_PRIORITY)

    try:
        problem = pyo_output_problem(args.backend, args.device)
    except ImportError:
        problem = "pyo is not installed"
    if problem:
        print(f"error {problem}", flush=True)
        return 1
    from .pyo_synth import PyoSynth

    try:
        with quiet_stderr():
            synth = PyoSynth(SynthParams(voices=args.voices), args.backend, args.device, args.buffer_size, args.sample_rate)
    except (RuntimeError, ValueError) as exc:
        print(f"error {exc}", flush=True)
        return 1
    latencies: list[float] = []
    pending: list[float] = []
    detectors = []
    if args.onset_log:
        import pyo

        def onset(*_):
            # Runs in pyo's audio thread once the buffer holding the voice's first non-zero sample is computed.
            now = _time.monotonic()
            if pending:
                latencies.append(now - pending.pop())
                pending.clear()

        detectors = [pyo.TrigFunc(pyo.Thresh(env, threshold=1e-6, dir=0), onset) for env in synth.env]
    synth.start()
    print(f"ready {synth.description}{scheduling}", flush=True)
    fd = sys.stdin.fileno()
    buffered = b""
    deferred: list[tuple[float, int, int]] = []  # (due, performer, pitch): note-offs held back to MIN_NOTE
    started: dict[tuple[int, int], float] = {}
    while True:
        now = _time.monotonic()
        while deferred and deferred[0][0] <= now:
            _, performer, pitch = heapq.heappop(deferred)
            synth.note_off(performer, pitch, 0, now)
        timeout = max(0.0, deferred[0][0] - now) if deferred else None
        if not select.select([fd], [], [], timeout)[0]:
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        buffered += chunk
        usable = len(buffered) - len(buffered) % RECORD.size
        now = _time.monotonic()
        for offset in range(0, usable, RECORD.size):
            kind, performer, pitch, velocity, arrival = RECORD.unpack_from(buffered, offset)
            if kind == NOTE_ON:
                # The same key struck again before its held-back note-off fired: that off belongs to the old note.
                if any(d[1] == performer and d[2] == pitch for d in deferred):
                    deferred = [d for d in deferred if not (d[1] == performer and d[2] == pitch)]
                    heapq.heapify(deferred)
                    synth.note_off(performer, pitch, 0, now)
                if args.onset_log:
                    pending.append(arrival)
                started[(performer, pitch)] = now
                synth.note_on(performer, pitch, velocity, 0, now)
            elif kind == NOTE_OFF:
                # A tap shorter than a buffer would start and stop the envelope in the same block and never
                # sound: every note lasts at least MIN_NOTE.
                due = started.pop((performer, pitch), now) + MIN_NOTE
                if due > now:
                    heapq.heappush(deferred, (due, performer, pitch))
                else:
                    synth.note_off(performer, pitch, 0, now)
            elif kind == ALL_OFF:
                deferred.clear()
                started.clear()
                synth.all_off()
        buffered = buffered[usable:]
    synth.close()
    del detectors
    if args.onset_log:
        with open(args.onset_log, "w", encoding="ascii") as log:
            log.write("\n".join(f"{x:.7f}" for x in latencies) + "\n")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the pyo synth child of pianogenie serve/play")
    parser.add_argument("--backend", default="portaudio")
    parser.add_argument("--device", type=int, default=None)
    parser.add_argument("--buffer-size", type=int, default=DEFAULT_BUFFER_SIZE)
    parser.add_argument("--sample-rate", type=int, default=DEFAULT_SAMPLE_RATE)
    parser.add_argument("--voices", type=int, default=16)
    parser.add_argument("--onset-log", default=None)
    parser.add_argument("--realtime", action="store_true")
    sys.exit(_child(parser.parse_args()))
