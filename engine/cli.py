"""The `pianogenie` command. Each package registers its own subcommands through the
`pianogenie.commands` entry-point group, so this dispatcher never imports bridge or training."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Callable, Sequence


@dataclass
class Registry:
    """What a package's `register(registry)` receives: add a command, or a target of `pianogenie bench`."""

    commands: argparse._SubParsersAction
    benches: argparse._SubParsersAction

    def command(self, name: str, run: Callable[[argparse.Namespace], int | None], help: str) -> argparse.ArgumentParser:
        parser = self.commands.add_parser(name, help=help, description=help)
        parser.set_defaults(run=run)
        return parser

    def bench(self, name: str, run: Callable[[argparse.Namespace], int | None], help: str) -> argparse.ArgumentParser:
        parser = self.benches.add_parser(name, help=help, description=help)
        parser.set_defaults(run=run)
        return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pianogenie", description="Piano Genie Bridge: 8 buttons in, 88 keys out.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    bench = commands.add_parser("bench", help="run a benchmark", description="Run a benchmark.")
    benches = bench.add_subparsers(dest="target", metavar="TARGET")
    registry = Registry(commands, benches)
    for entry in sorted(entry_points(group="pianogenie.commands"), key=lambda e: e.name):
        try:
            register = entry.load()
        except ImportError as exc:
            # A package whose optional dependencies are missing simply offers no commands.
            print(f"pianogenie: {entry.name} commands unavailable ({exc})", file=sys.stderr)
            continue
        register(registry)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "run", None)
    if run is None:
        parser.print_help()
        return 2
    try:
        return int(run(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
