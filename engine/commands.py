"""The engine's subcommands: `replay` and `bench engine`."""
from __future__ import annotations

from .cli import Registry


def register(registry: Registry) -> None:
    pass
