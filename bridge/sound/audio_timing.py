"""What the audio system really runs, for the banner: JACK's own period, rate and playback latency (asked of the
server through libjack), and the one wording every synth's audio line uses for them.

Why ask JACK: under JACK a client's --buffer-size is a wish. PortAudio keeps the blocksize it was asked for and
calls back several times per JACK period (stream.blocksize says 64 while JACK wakes it every 256 frames), pyo
takes JACK's size at boot, and FluidSynth follows the server too. Only the server knows the period."""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass

from ..system import jack_running

# jack_options_t: JackNoStartServer (a status query must never start a server); jack_latency_callback_mode_t:
# JackPlaybackLatency.
JACK_NO_START_SERVER = 0x01
JACK_PLAYBACK_LATENCY = 1
# The client name the query opens with (it closes at once).
QUERY_CLIENT = "pianogenie-query"
# JACK's own name for the hardware outputs, whose playback latency is the server's output delay.
PLAYBACK_PORT = b"system:playback_1"


class _LatencyRange(ctypes.Structure):
    _fields_ = [("min", ctypes.c_uint32), ("max", ctypes.c_uint32)]


@dataclass(frozen=True)
class JackTiming:
    period: int                # frames per process cycle: what every client is woken with
    rate: int                  # the server's sample rate
    playback_frames: int | None  # system:playback_1's latency (the periods queued to the device); None: no port

    @property
    def playback_s(self) -> float | None:
        return None if self.playback_frames is None else self.playback_frames / self.rate


def _libjack() -> ctypes.CDLL | None:
    path = ctypes.util.find_library("jack")
    if path is None:
        return None
    try:
        lib = ctypes.CDLL(path)
    except OSError:
        return None
    lib.jack_client_open.restype = ctypes.c_void_p
    lib.jack_client_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    lib.jack_get_buffer_size.restype = ctypes.c_uint32
    lib.jack_get_buffer_size.argtypes = [ctypes.c_void_p]
    lib.jack_get_sample_rate.restype = ctypes.c_uint32
    lib.jack_get_sample_rate.argtypes = [ctypes.c_void_p]
    lib.jack_port_by_name.restype = ctypes.c_void_p
    lib.jack_port_by_name.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.jack_port_get_latency_range.restype = None
    lib.jack_port_get_latency_range.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(_LatencyRange)]
    lib.jack_client_close.restype = ctypes.c_int
    lib.jack_client_close.argtypes = [ctypes.c_void_p]
    return lib


def open_client(lib: ctypes.CDLL, name: str) -> int | None:
    """A client of the running server by that name (never starting one), or None where none answers."""
    status = ctypes.c_int(0)
    return lib.jack_client_open(name.encode(), JACK_NO_START_SERVER, ctypes.byref(status)) or None


def jack_timing() -> JackTiming | None:
    """The running JACK server's period, rate and playback latency; None where no server runs or libjack is
    missing. Opens a client for the query and closes it (the server named by JACK_DEFAULT_SERVER, as any client)."""
    if not jack_running():
        return None
    lib = _libjack()
    if lib is None:
        return None
    client = open_client(lib, QUERY_CLIENT)
    if not client:
        return None
    try:
        port = lib.jack_port_by_name(client, PLAYBACK_PORT)
        playback = None
        if port:
            span = _LatencyRange()
            lib.jack_port_get_latency_range(port, JACK_PLAYBACK_LATENCY, ctypes.byref(span))
            playback = int(span.max)
        return JackTiming(int(lib.jack_get_buffer_size(client)), int(lib.jack_get_sample_rate(client)), playback)
    finally:
        lib.jack_client_close(client)


def timing_text(frames: int, rate: int, asked_frames: int, asked_rate: int | None = None,
                output_latency_s: float | None = None) -> str:
    """The audio line's timing: what runs, then what was asked where that differs, then the output latency the
    audio system reports. E.g. "256 frames @ 48000 Hz (5.3 ms per period; asked 64 frames, JACK runs its own)"."""
    text = f"{frames} frames @ {rate} Hz ({1000.0 * frames / rate:.1f} ms per period"
    asked = []
    if asked_frames != frames:
        asked.append(f"{asked_frames} frames")
    if asked_rate is not None and asked_rate != rate:
        asked.append(f"{asked_rate} Hz")
    if asked:
        text += f"; asked {' @ '.join(asked)}, the audio system runs its own"
    if output_latency_s is not None:
        text += f"; output latency {1000.0 * output_latency_s:.1f} ms"
    return text + ")"
