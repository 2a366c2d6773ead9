"""The `pianogenie` command: the app shell, and the only code that knows all three packages. Each package adds
its own subcommands through `register(registry)`, as import paths: a command's module (and what it imports) loads
only when that command runs or its flags are parsed, so `--help` imports no numpy and no engine. The shell checks a command's optional dependencies before it
runs, so a missing extra is one line and exit 2, never a traceback; so is a CommandError from any command."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Command:
    """One command, declared once: its name ("serve", "bench osc"), its help, and where its code is, as
    "module:function" import paths, so that listing the commands imports none of them. `arguments(parser)`
    adds its flags; it is imported only when that command's parser is built."""

    name: str
    help: str
    run: str
    arguments: str | None = None


@dataclass
class Registry:
    """What a package's `register(registry)` receives: declare a command, or a target of `pianogenie bench`."""

    declared: list[Command] = field(default_factory=list)

    def command(self, name: str, help: str, run: str, arguments: str | None = None) -> None:
        self.declared.append(Command(name, help, run, arguments))

    def bench(self, name: str, help: str, run: str, arguments: str | None = None) -> None:
        self.command(f"bench {name}", help, run, arguments)


def load(path: str) -> Callable:
    """The function a "module:function" import path names."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def version() -> str:
    """The installed distribution's version (setup.cfg's [metadata] version)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as distribution_version

    try:
        return distribution_version("pianogenie-bridge")
    except PackageNotFoundError:  # run from a checkout that was never pip-installed
        return "unknown (not installed)"


def commands() -> list[Command]:
    """Every command of the three packages, as each package's `register` declares them (imports no command)."""
    from .bridge import cli as bridge_cli
    from .training import cli as training_cli

    registry = Registry()
    registry.bench("engine", "press -> key latency against a PyTorch eager step, one thread",
                   "pianogenie.bench_engine:run_command", "pianogenie.bench_engine:add_arguments")
    bridge_cli.register(registry)
    training_cli.register(registry)
    return registry.declared


def chosen(argv: Sequence[str]) -> str | None:
    """The command argv names ("serve", "bench osc"), read before parsing: the shell's own options take no
    value, so it is the first word that is not an option (and, after `bench`, the next)."""
    words = [word for word in argv if not word.startswith("-")]
    if words[:1] == ["bench"]:
        return " ".join(words[:2])
    return words[0] if words else None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line. With argv, only the command it names gets its flags (and so its module
    imported): `pianogenie --help` imports no command, `pianogenie serve --help` only serve's flags."""
    parser = argparse.ArgumentParser(prog="pianogenie", description="Piano Genie Bridge: 8 buttons in, 88 keys out.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    bench = subparsers.add_parser("bench", help="run a benchmark", description="Run a benchmark.")
    benches = bench.add_subparsers(dest="target", metavar="TARGET")
    every = argv is None
    wanted = None if every else chosen(argv)
    for command in commands():
        group, name = (benches, command.name[len("bench "):]) if command.name.startswith("bench ") else (subparsers, command.name)
        sub = group.add_parser(name, help=command.help, description=command.help)
        sub.set_defaults(declared=command, command_name=command.name)
        if command.arguments and (every or wanted == command.name):
            load(command.arguments)(sub)
    return parser


def missing_extra(command: str) -> str | None:
    """The one line a command prints when an optional dependency it needs is not installed."""
    for module, distribution, extra in NEEDS.get(command, ()):
        if importlib.util.find_spec(module) is None:
            return f"pianogenie {command} needs {distribution}: pip install 'pianogenie-bridge[{extra}]'"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    command = getattr(args, "declared", None)
    if command is None:
        parser.print_help()
        return 2
    problem = missing_extra(args.command_name)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        return int(load(command.run)(args) or 0)
    except CommandError as exc:
        print(f"pianogenie {args.command_name}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # A reader that stopped early (`pianogenie plugins | head`): what it took is all it wanted. stdout goes to
        # /dev/null so that the interpreter's own flush at exit finds no broken pipe either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
