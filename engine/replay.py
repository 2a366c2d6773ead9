"""Deprecated: the take format and replay are engine/takes.py. Kept only until tests/test_web.py imports from
there (see .coord/NOTES-from-redesign.md)."""

from .takes import PressEvent, load_events, parse_events, replay  # noqa: F401
