"""The `pianogenie` command: the app shell, and the only code that knows all three packages. Each package adds
its own subcommands through `register(registry)`; the shell checks a command's optional dependencies before it
runs, so a missing extra is one line and exit 2, never a traceback; so is a CommandError from any command."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from dataclasses import dataclass
from typing import Callable, Sequence

from .errors import CommandError

# command -> the modules it cannot run without: (import name, pip distribution, setup.cfg extra).
_OSC = ("pythonosc", "python-osc", "osc")
_TORCH = ("torch", "torch", "train")
NEEDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "bench osc": (_OSC,),
    "corpus": (_TORCH, ("music21", "music21", "train")),
    "train": (_TORCH,),
    "evaluate": (_TORCH,),
    "export": (_TORCH,),
    "bench training": (_TORCH,),
}


@dataclass
class Registry:
    """What a package's `register(registry)` receives: add a command, or a target of `pianogenie bench`."""

    commands: argparse._SubParsersAction
    benches: argparse._SubParsersAction

    def command(self, name: str, run: Callable[[argparse.Namespace], int | None], help: str) -> argparse.ArgumentParser:
        parser = self.commands.add_parser(name, help=help, description=help)
        parser.set_defaults(run=run, command_name=name)
        return parser

    def bench(self, name: str, run: Callable[[argparse.Namespace], int | None], help: str) -> argparse.ArgumentParser:
        parser = self.benches.add_parser(name, help=help, description=help)
        parser.set_defaults(run=run, command_name=f"bench {name}")
        return parser


def version() -> str:
    """The installed distribution's version (setup.cfg's [metadata] version)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as distribution_version

    try:
        return distribution_version("pianogenie-bridge")
    except PackageNotFoundError:  # run from a checkout that was never pip-installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    from . import bench_engine
    from .bridge import cli as bridge_cli
    from .training import commands as training_commands

    parser = argparse.ArgumentParser(prog="pianogenie", description="Piano Genie Bridge: 8 buttons in, 88 keys out.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    bench = commands.add_parser("bench", help="run a benchmark", description="Run a benchmark.")
    benches = bench.add_subparsers(dest="target", metavar="TARGET")
    registry = Registry(commands, benches)
    bench_engine.register(registry)
    bridge_cli.register(registry)
    training_commands.register(registry)
    return parser


def missing_extra(command: str) -> str | None:
    """The one line a command prints when an optional dependency it needs is not installed."""
    for module, distribution, extra in NEEDS.get(command, ()):
        if importlib.util.find_spec(module) is None:
            return f"pianogenie {command} needs {distribution}: pip install 'pianogenie-bridge[{extra}]'"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "run", None)
    if run is None:
        parser.print_help()
        return 2
    problem = missing_extra(args.command_name)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        return int(run(args) or 0)
    except CommandError as exc:
        print(f"pianogenie {args.command_name}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
