"""`pianogenie serve`: OSC in and out, plus MIDI and audio where this machine has them. Its flags, and the run
loop from start-up banner to the last note-off."""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from pathlib import Path

from .. import protocol as p
from ..system import BRIDGE_BUDGET_P99_US, SOUND_BUDGET_P99_MS, on_stop_signals
from .options import add_common_arguments, check_common, synth_config


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
    parser.add_argument("--models", type=Path, default=None, metavar="DIR",
                        help=f"folder of model directories that {p.IN_MODEL} s:name switches between, by name")
    add_common_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from ..core import Bridge
    from ..osc.transport import OscTransport, StartupError, parse_host_port
    from ..runtime import FlagError, Outputs, load_genie

    def fail(message: str) -> int:
        print(f"pianogenie serve: {message}", file=sys.stderr)
        return 2

    problem = check_common(args)
    if problem is None and not 0 <= args.port <= 65535:
        problem = f"--port must be 0..65535 (0 = any free port), got {args.port}"
    if problem:
        return fail(problem)
    try:
        replies = [] if args.reply_to and args.reply_to[-1] == "none" else [
            parse_host_port(text) for text in (args.reply_to or [f"{p.DEFAULT_HOST}:{p.DEFAULT_REPLY_PORT}"])
        ]
    except StartupError as exc:
        return fail(str(exc))
    from ..osc.announce import Announce, AnnounceError, parse_oscquery_port
    try:
        oscquery_port = parse_oscquery_port(args.oscquery_port or str(p.DEFAULT_OSCQUERY_PORT))
    except AnnounceError as exc:
        return fail(str(exc))
    library = None
    if args.models is not None:
        from ..models import ModelLibrary
        try:
            library = ModelLibrary(args.models)
        except ValueError as exc:
            return fail(str(exc))
    genie, error = load_genie(args.model)
    if genie is None:
        return fail(error)
    bridge = Bridge(genie, args.temperature, args.seed, args.idle_timeout, library=library)
    try:
        transport = OscTransport(bridge, args.host, args.port, replies, args.osc_format, args.midi_channel)
    except StartupError as exc:
        return fail(str(exc))

    outputs = Outputs()
    announce = Announce()
    try:
        try:
            outputs.open(args, bridge, synth_config(args))
        except FlagError as exc:
            return fail(str(exc))
        bridge.connect(outputs.scheduler.place_link(bridge.link))
        try:
            announce.open(bridge, args.host, transport.address, oscquery_port, args.oscquery_port is not None,
                          not args.no_zeroconf)
        except AnnounceError as exc:
            return fail(str(exc))
        on_stop_signals(transport.stop)
        host, port = transport.address
        reply_text = ", ".join(f"{h}:{rp}" for h, rp in replies) or "none"
        print("Piano Genie bridge", flush=False)
        print(f"  listening   osc udp {host}:{port}  ({p.IN_PRESS} i:button [velocity], ... see docs/osc.md)")
        print(f"  replies     to each sender and to {reply_text}  (format {args.osc_format})")
        print(f"  model       {genie.model_dir.name}  ({genie.model_dir}, {genie.kernel.name} kernel)")
        if library is not None:
            print(f"  models      {library.folder}: {', '.join(library.names()) or 'none yet'}  ({p.IN_MODEL} s:name)")
        for name, line in outputs.lines + announce.lines:
            print(f"  {name:<11} {line}")
        print(f"  latency     budget: press -> note-on p99 <= {BRIDGE_BUDGET_P99_US} us in the bridge, "
              f"press -> sound p99 <= {SOUND_BUDGET_P99_MS} ms; idle timeout {args.idle_timeout:g} s")
        # Everything loaded so far (numpy, numba, the model) lives for the whole run: moving it out of the
        # collector's reach keeps a full collection from stalling a press for milliseconds.
        gc.collect()
        gc.freeze()
        print("pianogenie serve: ready", flush=True)
        transport.serve_forever()
    finally:
        outputs.close_inputs()
        announce.close()
        turned_off = bridge.shutdown()
        outputs.close(bridge)
        transport.close()
    c = bridge.counters
    with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone: the notes are already off
        print(f"pianogenie serve: stopped; {c.presses} presses, {c.notes_on} notes on, {c.notes_off} notes off "
              f"({turned_off} at shutdown), {c.errors} errors"
              + (f", {c.internal_errors} INTERNAL ERRORS" if c.internal_errors else ""), flush=True)
    return 0
