"""The live synth in a child process: the pyo synth, or any block renderer (bridge/sound/blocks.py) pulled by a
PortAudio stream.

pyo's audio callback holds the GIL while it computes each buffer, so in the bridge's own process every press
would wait for the synth (measured: arrival -> note-on p50 ~21 us without pyo, ~350 us with it, 64-frame
buffers on JACK). In its own process the synth costs the bridge one pipe write per note. A crash of the audio
stack (pyo's PortAudio backend segfaults when there is no output) cannot take the bridge down, and the child
exits as soon as the bridge is gone (its stdin closes), so no note outlives the bridge.

Protocol on the child's stdin: fixed-size records (kind, performer, pitch, velocity, arrival time); a GAIN record
carries the new level in dB where the others carry the time, a PARAM record a plugin parameter's index (performer
its low byte, pitch its high byte) and its new value. The child answers one line on stdout at start: "ready
<description>" or "error <reason>", after a line "params <json>" when its synth has parameters (a plugin's, as
bridge/sound/plugin_params.py's ParamSpec.to_wire lists them)."""

from __future__ import annotations

import argparse
import heapq
import json
import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from typing import Any

from ..system import STOP_SIGNALS, SYNTH_RT_PRIORITY, quiet_stderr, request_realtime
from ..timing import now as clock
from .devices import pyo_output_problem
from .gain import DEFAULT_GAIN_DB
from .sink import Sink, SynthUnavailable
from .voices import DEFAULT_BUFFER_SIZE, DEFAULT_SAMPLE_RATE, SynthConfig, SynthParams

RECORD = struct.Struct("<BBBBd")  # kind, performer, pitch, velocity, arrival (monotonic seconds)
NOTE_OFF, NOTE_ON, ALL_OFF, GAIN, PARAM = 0, 1, 2, 3, 4
PARAMS_LINE = "params "
BLOCKS_SUFFIX = ".blocks"  # beside the onset log: a block synth's render time of each block, seconds per line
MAX_PARAMS = 1 << 16  # a PARAM record's index is two bytes; a plugin's parameters past it are not offered
START_TIMEOUT = 60.0
# Shortest note the synth plays (seconds): a few buffers, so the attack is heard.
MIN_NOTE = 0.03
# A child whose pipe stays full this long is hung (a stopped process, a stuck audio stack): it is declared dead.
STALL_DEADLINE = 2.0
# A block renderer (a plugin) inside one block this long is hung: the child exits, and the bridge plays on.
RENDER_DEADLINE = 1.0
HUNG_EXIT = 3


class SynthProcess(Sink):
    """A note sink that forwards to the synth child."""

    # _send's state: the pipe is written without blocking, so a hung child never holds up the bridge.
    dropped = 0  # note-ons a full pipe could not take
    _nonblocking = False
    _stalled_since: float | None = None
    _pending_offs: "set[tuple[int, int]] | None" = None  # note-offs to deliver once the pipe has room
    _pending_all_off = False
    _pending_gain: float | None = None  # the latest level a full pipe could not take (only the latest matters)
    _pending_params: "dict[int, float] | None" = None  # the latest value of each parameter a full pipe could not take

    def __init__(self, config: SynthConfig, renderer: str | None = None):
        """renderer: a block renderer ("module:Class", bridge/sound/blocks.py) to host; None: the pyo synth."""
        command = [sys.executable, "-m", "pianogenie.bridge.sound.synth_process", "--backend", config.backend,
                   "--buffer-size", str(config.buffer_size), "--sample-rate", str(config.sample_rate),
                   "--voices", str(config.params.voices), "--gain", repr(config.gain_db)]
        command += ["--engine", "blocks", "--renderer", renderer] if renderer else ["--engine", "pyo"]
        if config.fixed_latency is not None:
            command += ["--fixed-latency", repr(config.fixed_latency)]
        if config.device is not None:
            command += ["--device", str(config.device)]
        if config.onset_log:
            command += ["--onset-log", config.onset_log]
        if config.realtime:
            command += ["--realtime"]
        env = dict(os.environ, JACK_NO_START_SERVER="1", PYO_GUI_WX="0")
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        line, noise = "", []
        self.plugin_params: list = []  # the plugin's parameters, as its "params" line lists them (ParamSpec.to_wire)
        deadline = clock() + START_TIMEOUT
        # pyo prints its own diagnostics on stdout too; the child's answer is the line starting "ready"/"error".
        while not line.startswith(("ready ", "error ")):
            if not select.select([self.proc.stdout], [], [], max(0.0, deadline - clock()))[0]:
                break
            raw = self.proc.stdout.readline()
            if not raw:
                break
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith(PARAMS_LINE):
                self.plugin_params = json.loads(line[len(PARAMS_LINE):])
            elif line and not line.startswith(("ready ", "error ")):
                noise.append(line)
        if not line.startswith("ready "):
            self._reap()
            reason = line[len("error "):] if line.startswith("error ") else "; ".join(noise[-2:]) or "the synth process did not start"
            raise SynthUnavailable(reason)
        self.description = line[len("ready "):]
        self.fd = self.proc.stdin.fileno()
        self.alive = True
        self._closing = False
        threading.Thread(target=self._watch, name="synth-child", daemon=True).start()

    def _watch(self) -> None:
        """Says at once, in one line, when the child dies on its own (a plugin that crashed or hung); the
        bridge's OSC and MIDI play on, and nothing is sent to the child any more."""
        code = self.proc.wait()
        if self._closing:
            return
        self.alive = False
        if code == HUNG_EXIT:
            why = f"its synth hung in a block for over {RENDER_DEADLINE:g} s"
        elif code < 0:
            why = f"it was killed by {signal.Signals(-code).name}"
        else:
            why = f"it exited with status {code}"
        print(f"pianogenie: the synth process stopped ({why}); audio is off, OSC and MIDI play on",
              file=sys.stderr, flush=True)

    def _send(self, kind: int, performer: int, pitch: int, velocity: int, time: float, sender: object = None) -> None:
        """One record to the child, never blocking: a full pipe drops a note-on (counted) and keeps a note-off
        to send as soon as there is room, so no note is left sounding; a pipe full for STALL_DEADLINE seconds
        is a hung child, killed and reported in one line."""
        if not self.alive:
            return
        if not self._nonblocking:
            os.set_blocking(self.fd, False)
            self._nonblocking, self._pending_offs, self._pending_params = True, set(), {}
        pending = self._pending_offs
        try:
            if self._pending_all_off:
                os.write(self.fd, RECORD.pack(ALL_OFF, 0, 0, 0, time))
                self._pending_all_off = False
            if self._pending_gain is not None:
                os.write(self.fd, RECORD.pack(GAIN, 0, 0, 0, self._pending_gain))
                self._pending_gain = None
            while self._pending_params:
                index, value = next(iter(self._pending_params.items()))
                os.write(self.fd, RECORD.pack(PARAM, index & 0xFF, index >> 8, 0, value))
                del self._pending_params[index]
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
            elif kind == GAIN:
                self._pending_gain = time
            elif kind == PARAM:
                self._pending_params[performer | pitch << 8] = time
            else:
                self._pending_all_off = True
                pending.clear()
            now = clock()
            if self._stalled_since is None:
                self._stalled_since = now
            elif now - self._stalled_since > STALL_DEADLINE:
                self.alive = False
                self._closing = True  # this line says why; _watch need not
                self.proc.kill()  # a child that resumed later would play stale notes with none to stop them
                print(f"pianogenie: the synth process has not read a note for {STALL_DEADLINE:g} s; audio is off "
                      f"({self.dropped} notes dropped)", file=sys.stderr, flush=True)
        except OSError:
            self.alive = False  # the synth died; the bridge plays on without sound (_watch says why)

    def note_on(self, performer: int, pitch: int, velocity: int, button: int, time: float, sender: object = None) -> None:
        self._send(NOTE_ON, performer, pitch, velocity, time)

    def note_off(self, performer: int, pitch: int, button: int, time: float, sender: object = None) -> None:
        self._send(NOTE_OFF, performer, pitch, 0, time)

    def all_off(self) -> None:
        self._send(ALL_OFF, 0, 0, 0, clock())

    def set_gain(self, db: float) -> None:
        self._send(GAIN, 0, 0, 0, db)

    def set_param(self, index: int, value: float) -> None:
        """The plugin's parameter number `index` (in its "params" line's order), already checked, from now on."""
        self._send(PARAM, index & 0xFF, (index >> 8) & 0xFF, 0, value)

    def close(self) -> None:
        self.all_off()
        self._closing = True
        self.alive = False  # closed: anything sent after this (a late all-off at shutdown) goes nowhere, quietly
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


class OnsetLog:
    """`bench osc`: arrival -> first sound of every note, in seconds, written when the child exits. `heard` runs
    in the audio thread once the buffer holding a new note's first non-zero sample is computed."""

    def __init__(self, path: str):
        self.path = path
        self.latencies: list[float] = []
        self.pending: list[float] = []

    def struck(self, arrival: float) -> None:
        self.pending.append(arrival)

    def heard(self, *_: object) -> None:
        now = clock()
        if self.pending:
            self.latencies.append(now - self.pending.pop())
            self.pending.clear()

    def write(self, block_times: Any = ()) -> None:
        """The latencies to the log; a block synth's render time of each block to the log's path + BLOCKS_SUFFIX."""
        with open(self.path, "w", encoding="ascii") as log:
            log.write("\n".join(f"{x:.7f}" for x in self.latencies) + "\n")
        if len(block_times):
            with open(self.path + BLOCKS_SUFFIX, "w", encoding="ascii") as log:
                log.write("\n".join(f"{x:.7f}" for x in block_times) + "\n")


class NoteGate:
    """Holds back note-offs so that every note lasts at least MIN_NOTE: a tap shorter than a buffer would start
    and stop the envelope in the same block and never sound. Each note goes on with its press's arrival stamp
    (what --latency fixed places it by); a held-back note-off carries its note's arrival + MIN_NOTE."""

    def __init__(self, synth: Sink):
        self.synth = synth
        self.deferred: list[tuple[float, int, int, float]] = []  # (due, performer, pitch, stamp)
        self.started: dict[tuple[int, int], tuple[float, float]] = {}  # (performer, pitch) -> (now, stamp)

    def due(self, now: float) -> float | None:
        """Plays the note-offs that are due; returns the seconds until the next one (None: none waiting)."""
        while self.deferred and self.deferred[0][0] <= now:
            _, performer, pitch, stamp = heapq.heappop(self.deferred)
            self.synth.note_off(performer, pitch, 0, stamp)
        return max(0.0, self.deferred[0][0] - now) if self.deferred else None

    def note_on(self, performer: int, pitch: int, velocity: int, now: float, stamp: float | None = None) -> None:
        stamp = now if stamp is None else stamp
        # The same key struck again before its held-back note-off fired: that off belongs to the old note.
        if any(d[1] == performer and d[2] == pitch for d in self.deferred):
            self.deferred = [d for d in self.deferred if not (d[1] == performer and d[2] == pitch)]
            heapq.heapify(self.deferred)
            self.synth.note_off(performer, pitch, 0, stamp)
        self.started[(performer, pitch)] = (now, stamp)
        self.synth.note_on(performer, pitch, velocity, 0, stamp)

    def note_off(self, performer: int, pitch: int, now: float, stamp: float | None = None) -> None:
        stamp = now if stamp is None else stamp
        started, started_stamp = self.started.pop((performer, pitch), (now, stamp))
        if started + MIN_NOTE > now:
            heapq.heappush(self.deferred, (started + MIN_NOTE, performer, pitch, max(stamp, started_stamp + MIN_NOTE)))
        else:
            self.synth.note_off(performer, pitch, 0, stamp)

    def all_off(self) -> None:
        self.deferred.clear()
        self.started.clear()
        self.synth.all_off()


def _open_pyo(args: argparse.Namespace, onsets: OnsetLog | None) -> Sink:
    try:
        problem = pyo_output_problem(args.backend, args.device)
    except ImportError:
        problem = "pyo is not installed"
    if problem:
        raise SynthUnavailable(problem)
    from .pyo_synth import PyoSynth

    try:
        with quiet_stderr():
            synth = PyoSynth(SynthParams(voices=args.voices), args.backend, args.device, args.buffer_size, args.sample_rate,
                             gain_db=args.gain)
    except (RuntimeError, ValueError) as exc:
        raise SynthUnavailable(str(exc)) from None
    if onsets is not None:
        import pyo

        # The detectors live as long as the synth: pyo stops calling a TrigFunc that is collected.
        synth.detectors = [pyo.TrigFunc(pyo.Thresh(env, threshold=1e-6, dir=0), onsets.heard) for env in synth.env]
    return synth


def _open_blocks(args: argparse.Namespace, onsets: OnsetLog | None) -> Sink:
    """Any block renderer ("module:Class"), pulled by a PortAudio stream in this process."""
    from .sounddevice_synth import open_block_stream

    synth = open_block_stream(args.renderer, SynthParams(voices=args.voices), args.device, args.buffer_size,
                              args.sample_rate, onsets.heard if onsets else None, args.fixed_latency, args.gain)
    threading.Thread(target=_render_watchdog, args=(synth,), name="render-watchdog", daemon=True).start()
    return synth


def _render_watchdog(synth) -> None:
    """A renderer stuck inside one block (a plugin's run() that never returns) cannot be interrupted: the child
    exits with HUNG_EXIT, which the bridge reports, rather than hold a silent stream for ever."""
    while True:
        time.sleep(RENDER_DEADLINE / 10)
        started = synth.rendering_since
        if started is not None and clock() - started > RENDER_DEADLINE:
            os._exit(HUNG_EXIT)


def _play_pipe(fd: int, gate: NoteGate, onsets: OnsetLog | None, params: list[str]) -> None:
    """Plays the records on `fd` until the bridge closes it; `params`: the synth's parameter names, by index."""
    buffered = b""
    while True:
        timeout = gate.due(clock())
        if not select.select([fd], [], [], timeout)[0]:
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            return
        buffered += chunk
        usable = len(buffered) - len(buffered) % RECORD.size
        now = clock()
        for offset in range(0, usable, RECORD.size):
            kind, performer, pitch, velocity, arrival = RECORD.unpack_from(buffered, offset)
            if kind == NOTE_ON:
                if onsets is not None:
                    onsets.struck(arrival)
                gate.note_on(performer, pitch, velocity, now, arrival)
            elif kind == NOTE_OFF:
                gate.note_off(performer, pitch, now, arrival)
            elif kind == ALL_OFF:
                gate.all_off()
            elif kind == GAIN:
                gate.synth.set_gain(arrival)  # the record's time field holds the level, in dB
            elif kind == PARAM and performer | pitch << 8 < len(params):
                gate.synth.set_param(params[performer | pitch << 8], arrival)  # the time field holds the value
        buffered = buffered[usable:]


ENGINES = {"pyo": _open_pyo, "blocks": _open_blocks}


def _child(args: argparse.Namespace) -> int:
    # The bridge decides when to stop: Ctrl-C in the terminal, a closed terminal's SIGHUP and a supervisor's
    # SIGTERM reach the whole process group, and the child must keep sounding until the bridge has sent its
    # note-offs and closed the pipe (its end of stdin is what stops the child, whatever killed the bridge).
    for name in STOP_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    scheduling = ", " + request_realtime(SYNTH_RT_PRIORITY) if args.realtime else ""
    onsets = OnsetLog(args.onset_log) if args.onset_log else None
    try:
        synth = ENGINES[args.engine](args, onsets)
    except SynthUnavailable as exc:
        print(f"error {exc}", flush=True)
        return 1
    specs = synth.param_specs()[:MAX_PARAMS] if hasattr(synth, "param_specs") else []
    if specs:
        print(PARAMS_LINE + json.dumps([spec.to_wire() for spec in specs]), flush=True)
    synth.start()
    print(f"ready {synth.description}{scheduling}", flush=True)
    _play_pipe(sys.stdin.fileno(), NoteGate(synth), onsets, [spec.name for spec in specs])
    synth.close()
    if onsets is not None:
        onsets.write(synth.block_times() if hasattr(synth, "block_times") else ())
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the synth child of pianogenie serve/play")
    parser.add_argument("--engine", choices=ENGINES, default="pyo")
    parser.add_argument("--renderer", default=None, help="--engine blocks: the block renderer, module:Class")
    parser.add_argument("--backend", default="portaudio")
    parser.add_argument("--device", type=int, default=None)
    parser.add_argument("--buffer-size", type=int, default=DEFAULT_BUFFER_SIZE)
    parser.add_argument("--sample-rate", type=int, default=DEFAULT_SAMPLE_RATE)
    parser.add_argument("--voices", type=int, default=16)
    parser.add_argument("--onset-log", default=None)
    parser.add_argument("--gain", type=float, default=DEFAULT_GAIN_DB, help="the level at start, dB")
    parser.add_argument("--realtime", action="store_true")
    parser.add_argument("--fixed-latency", type=float, default=None, help="--engine blocks: seconds from arrival to frame")
    sys.exit(_child(parser.parse_args()))
