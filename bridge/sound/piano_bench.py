"""`python -m bridge.sound.piano_bench [SOUNDFONT]`: FluidSynth against TinySoundFont on one SoundFont, the
measurements behind the piano's library choice (docs/benchmarks.md). Each library renders 64-frame blocks at
48 kHz, as a live synth would: SoundFont load time; note-on -> first sample above -80 dBFS (the library's own
delay, before any audio driver); CPU per second of audio for 8-note chords changing every 250 ms; and whether
two runs give the same samples."""

from __future__ import annotations

import hashlib
import sys
import time
from typing import Callable

import numpy as np

from ..system import quiet_stderr
from .voices import DEFAULT_BUFFER_SIZE, DEFAULT_SAMPLE_RATE

SR, BLOCK = DEFAULT_SAMPLE_RATE, DEFAULT_BUFFER_SIZE


def _fluidsynth(path: str) -> tuple[Callable, Callable, Callable[[int], np.ndarray], object]:
    import fluidsynth

    fs = fluidsynth.Synth(gain=0.4, samplerate=float(SR), **{"synth.reverb.active": 0, "synth.chorus.active": 0})
    fs.program_select(0, fs.sfload(path), 0, 0)
    return fs.noteon, fs.noteoff, lambda n: fs.get_samples(n).reshape(-1, 2) / 32768.0, fs


def _tinysoundfont(path: str) -> tuple[Callable, Callable, Callable[[int], np.ndarray], object]:
    import tinysoundfont

    synth = tinysoundfont.Synth(gain=0.0, samplerate=SR)
    synth.program_select(0, synth.sfload(path), 0, 0)
    return synth.noteon, synth.noteoff, lambda n: np.frombuffer(synth.generate(n), dtype=np.float32).reshape(-1, 2), synth


def measure(name: str, make: Callable, path: str) -> str:
    started = time.perf_counter()
    with quiet_stderr():
        on, off, render, _keep = make(path)
    load = time.perf_counter() - started
    render(10 * BLOCK)
    delays = []
    for pitch in (48, 60, 72):
        on(0, pitch, 100)
        audio = np.concatenate([render(BLOCK) for _ in range(20)])
        delays.append(int(np.argmax(np.abs(audio).max(axis=1) > 1e-4)))
        off(0, pitch)
        render(SR // 2)
    digest = hashlib.sha256()
    cpu = time.process_time()
    for i in range(40):
        chord = [48 + (i * 5 + k * 4) % 36 for k in range(8)]
        for pitch in chord:
            on(0, pitch, 90)
        for _ in range(int(0.25 * SR / BLOCK)):
            digest.update(np.ascontiguousarray(render(BLOCK), dtype=np.float32).tobytes())
        for pitch in chord:
            off(0, pitch)
    cpu = time.process_time() - cpu
    return (f"{name}: load {1000 * load:.0f} ms; note-on -> first sample above -80 dBFS {delays} samples; "
            f"CPU {100 * cpu / 10:.1f} % of one core; samples sha256 {digest.hexdigest()[:12]}")


def main(argv: list[str]) -> int:
    path = argv[0] if argv else "/usr/share/sounds/sf2/TimGM6mb.sf2"
    print(f"{path}, {BLOCK}-frame blocks at {SR} Hz, 10 s of 8-note chords")
    for name, make in (("fluidsynth", _fluidsynth), ("tinysoundfont", _tinysoundfont)):
        try:
            print(measure(name, make, path), flush=True)
        except ImportError as exc:
            print(f"{name}: not installed ({exc})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
