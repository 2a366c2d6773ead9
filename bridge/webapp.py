"""Deprecated: the web server is bridge/web/server.py and its commands bridge/cli/web.py. This module stays only
until tests/test_web.py (owned with web/) imports from there; see .coord/NOTES-from-redesign.md."""

from .cli.web import register as register_web, run_bench, run_web  # noqa: F401
from .web.server import WEB_ROOT, WebAppError, WebServer, check_web_root, resolve_model_dir  # noqa: F401
