"""Zeroconf (mDNS/DNS-SD) advertisement of the bridge: `_osc._udp` for its OSC port and `_oscjson._tcp` for its
OSCQuery server, on the interface it listens on, with python-zeroconf.

Registering probes the network for name conflicts, which takes over a second: it runs on a thread of its own,
so start-up and presses never wait for it. A missing package or a network without multicast is one line, never a
traceback."""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
from typing import Any

OSC_SERVICE = "_osc._udp.local."
OSCQUERY_SERVICE = "_oscjson._tcp.local."


def zeroconf_missing() -> str | None:
    """Why advertising cannot work here, or None."""
    try:
        import zeroconf  # noqa: F401
    except ImportError:
        return "off (needs zeroconf: pip install 'pianogenie-bridge[discovery]')"
    return None


class Advertiser:
    """Both services of one bridge, under one instance name (zeroconf renames it on a conflict)."""

    def __init__(self, name: str, host: str, osc_port: int, oscquery_port: int | None):
        self.name = name
        self.host = host
        self.ports = {OSC_SERVICE: osc_port}
        if oscquery_port is not None:
            self.ports[OSCQUERY_SERVICE] = oscquery_port
        self.error: str | None = None
        self.registered = threading.Event()
        self._zeroconf: Any = None
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._register, name="zeroconf", daemon=True)

    def describe(self) -> str:
        services = ", ".join(f"{service.split('.')[0]}.{service.split('.')[1]} port {port}" for service, port in self.ports.items())
        return f'"{self.name}": {services} on {self.host}'

    def start(self) -> None:
        self._thread.start()

    def _register(self) -> None:
        from zeroconf import InterfaceChoice, IPVersion, ServiceInfo, Zeroconf

        # zeroconf logs a warning per failed packet; the one line that matters is ours.
        logging.getLogger("zeroconf").setLevel(logging.CRITICAL)
        wildcard = self.host in ("0.0.0.0", "")
        try:
            with self._lock:
                if self._closed:
                    return
                self._zeroconf = Zeroconf(interfaces=InterfaceChoice.All if wildcard else [self.host],
                                          ip_version=IPVersion.V4Only)
            where = {"parsed_addresses": _own_addresses()} if wildcard else {"addresses": [ipaddress.ip_address(self.host).packed]}
            server = f"{socket.gethostname().split('.')[0] or 'pianogenie'}.local."
            for service, port in self.ports.items():
                info = ServiceInfo(service, f"{self.name}.{service}", port=port, server=server, **where)
                self._zeroconf.register_service(info, allow_name_change=True)
            self.registered.set()
        except Exception as exc:  # no multicast, no interface, a conflict it could not resolve: say so once
            if self._closed:
                return  # stopped while still probing: nothing to say
            self.error = f"{type(exc).__name__}: {exc}"
            print(f"pianogenie serve: zeroconf advertisement failed ({self.error}); "
                  "OSCQuery clients can still connect by address", flush=True)

    def close(self) -> None:
        """Says goodbye on the network (so browsers drop the services at once), a quarter of a second."""
        with self._lock:
            self._closed = True
            zc = self._zeroconf
        if zc is not None:
            try:
                zc.close()
            except Exception:
                pass


def _own_addresses() -> list[str]:
    """This machine's IPv4 addresses, for a bridge listening on all of them."""
    import ifaddr

    found = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str):
                found.append(ip.ip)
    return found or ["127.0.0.1"]
