"""`pianogenie serve`: OSC in and out, plus MIDI and audio where this machine has them. Its flags, and the run
loop from start-up banner to the last note-off."""

from __future__ import annotations

import argparse
import contextlib
import gc

from .. import protocol as p
from ..system import BRIDGE_BUDGET_P99_US, SOUND_BUDGET_P99_MS, on_stop_signals
from .options import add_common_arguments, add_models_argument, model_library, run_config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    osc = parser.add_argument_group("OSC")
    osc.add_argument("--host", default=p.DEFAULT_HOST, help=f"interface to listen on (default {p.DEFAULT_HOST}: this machine only)")
    osc.add_argument("--port", type=int, default=p.DEFAULT_LISTEN_PORT, help=f"UDP port to listen on (default {p.DEFAULT_LISTEN_PORT}; 0 = any free port)")
    osc.add_argument("--reply-to", action="append", metavar="HOST:PORT",
                     help=f"fixed address that also gets every reply (default {p.DEFAULT_HOST}:{p.DEFAULT_REPLY_PORT}; repeatable; 'none' = senders only)")
    osc.add_argument("--osc-format", choices=p.OSC_FORMATS, default="genie", help="vkb_midi also sends /vkb_midi/<ch>/note/<pitch> for a DAW")
    osc.add_argument("--oscquery-port", default=None, metavar="PORT",
                     help=f"OSCQuery HTTP server's TCP port (default {p.DEFAULT_OSCQUERY_PORT}, or any free port if "
                          "that one is taken; 0 = any free port; none = off)")
    osc.add_argument("--no-zeroconf", action="store_true", help="do not advertise _osc._udp and _oscjson._tcp by Zeroconf")
    add_models_argument(parser)
    add_common_arguments(parser)


def _osc_options(args: argparse.Namespace) -> tuple[list, object, object]:
    """(reply addresses, OSCQuery port, model library) from the OSC flags; CommandError for a bad one."""
    from pianogenie.errors import CommandError

    from ..osc.announce import AnnounceError, parse_oscquery_port
    from ..osc.transport import StartupError, parse_host_port

    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port must be 0..65535 (0 = any free port), got {args.port}")
    try:
        replies = [] if args.reply_to and args.reply_to[-1] == "none" else [
            parse_host_port(text) for text in (args.reply_to or [f"{p.DEFAULT_HOST}:{p.DEFAULT_REPLY_PORT}"])
        ]
        oscquery_port = parse_oscquery_port(args.oscquery_port or str(p.DEFAULT_OSCQUERY_PORT))
    except (StartupError, AnnounceError) as exc:
        raise CommandError(str(exc)) from None
    return replies, oscquery_port, model_library(args)


def _banner(args: argparse.Namespace, run, transport, replies: list, lines: list) -> None:
    host, port = transport.address
    genie, library = run.genie, run.bridge.library
    reply_text = ", ".join(f"{h}:{rp}" for h, rp in replies) or "none"
    print("Piano Genie bridge", flush=False)
    print(f"  listening   osc udp {host}:{port}  ({p.IN_PRESS} i:button [velocity], ... see docs/osc.md)")
    print(f"  replies     to each sender and to {reply_text}  (format {args.osc_format})")
    print(f"  model       {genie.model_dir.name}  ({genie.model_dir}, {genie.kernel.name} kernel)")
    if library is not None:
        print(f"  models      {library.folder}: {', '.join(library.names()) or 'none yet'}  ({p.IN_MODEL} s:name)")
    for name, line in lines:
        print(f"  {name:<11} {line}")
    print(f"  latency     {latency_line(run.synth)}; idle timeout {args.idle_timeout:g} s")


def latency_line(synth) -> str:
    """The budgets as what they are, with the audio output's own latency as the running stream reports it: the
    sound budget ends where the synth has computed the onset (as `bench osc` measures), and the speaker hears it
    that much later. /genie/status's latency_p99_us measures the first figure."""
    text = (f"budget: press -> note sent p99 <= {BRIDGE_BUDGET_P99_US} us (/genie/status latency_p99_us measures it), "
            f"press -> onset computed p99 <= {SOUND_BUDGET_P99_MS} ms")
    if synth is None:
        return text + " (no audio)"
    latency = getattr(synth, "output_latency_s", None)
    if latency is None:
        return text + ", + the output latency on the audio line"
    return (text + f", + {1000.0 * latency:.1f} ms output latency (as the audio system reports it) = "
                   f"{SOUND_BUDGET_P99_MS + 1000.0 * latency:.1f} ms at the output")


def run(args: argparse.Namespace) -> int:
    from pianogenie.errors import CommandError

    from ..osc.announce import Announce, AnnounceError
    from ..osc.transport import OscTransport, StartupError
    from ..runtime import Run

    config = run_config(args)
    replies, oscquery_port, library = _osc_options(args)
    with Run(config, library=library) as run:
        bridge = run.bridge
        try:
            transport = run.enter(OscTransport(bridge, args.host, args.port, replies, args.osc_format, args.midi_channel))
        except StartupError as exc:
            raise CommandError(str(exc)) from None
        run.open_outputs()
        bridge.connect(run.scheduler.place_link(bridge.link))
        announce = run.enter(Announce())
        try:
            announce.open(bridge, args.host, transport.address, oscquery_port, args.oscquery_port is not None,
                          not args.no_zeroconf)
        except AnnounceError as exc:
            raise CommandError(str(exc)) from None
        on_stop_signals(transport.stop)
        _banner(args, run, transport, replies, run.lines + announce.lines)
        # Everything loaded so far (numpy, numba, the model) lives for the whole run: moving it out of the
        # collector's reach keeps a full collection from stalling a press for milliseconds.
        gc.collect()
        gc.freeze()
        print("pianogenie serve: ready", flush=True)
        transport.serve_forever()
    c = bridge.counters
    with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone: the notes are already off
        print(f"pianogenie serve: stopped; {c.presses} presses, {c.notes_on} notes on, {c.notes_off} notes off "
              f"({run.turned_off} at shutdown), {c.errors} errors"
              + (f", {c.internal_errors} INTERNAL ERRORS" if c.internal_errors else ""), flush=True)
    return 0
