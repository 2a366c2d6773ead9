"""Which web pages may read the OSCQuery server's answers from a browser (CORS): a page served from this machine
or the local network by an IP address or `localhost` (`pianogenie web --bridge` on its own port is another
origin), never one from a domain name, so a web site visited in the same browser cannot read the bridge's tree.
The websocket itself is not covered by CORS: browsers open it from any page."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOCAL_NAMES = ("localhost",)


def local_origin(origin: str) -> bool:
    """Whether an Origin header names an http(s) page on an IP address or localhost."""
    try:
        url = urlsplit(origin.strip())
        host = url.hostname or ""
        url.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        return False
    if url.scheme not in ("http", "https") or not host:
        return False
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
