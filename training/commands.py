"""The training package's subcommands."""
from __future__ import annotations


def register(registry) -> None:  # registry: engine.cli.Registry
    pass
