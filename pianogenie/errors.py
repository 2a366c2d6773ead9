"""The one error a command raises for a user's mistake (a bad path, a port in use, a broken file): the shell
(pianogenie.cli) prints it as one line, `pianogenie COMMAND: message`, and exits 2. No traceback, no other code."""

from __future__ import annotations


class CommandError(Exception):
    """A user's input that the command cannot use; the message names the path, port or value and what to do."""
