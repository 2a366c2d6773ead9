"""Deprecated, and the engine's one reference to the app shell: the `pianogenie` command is pianogenie/cli.py.
Only tests/test_web.py (owned with web/) still imports Registry from here; delete this file once it imports
`pianogenie.cli.Registry` (see .coord/NOTES-from-redesign.md). The import-graph test allows exactly this edge."""

from pianogenie.cli import Registry  # noqa: F401
