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
# Under --host 0.0.0.0 the advertised addresses follow the machine's: a laptop that changes networks mid-gig
# stays findable within this many seconds.
ADDRESS_REFRESH_S = 10.0
# Interfaces whose addresses no other machine on the LAN can reach: VPN and point-to-point tunnels.
_TUNNEL_PREFIXES = ("tun", "tap", "wg", "ppp", "tailscale", "zt", "utun", "ipsec", "docker", "veth", "virbr", "br-")


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
        self._stop = threading.Event()
        self._infos: list[Any] = []
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
            addresses = lan_addresses() if wildcard else [self.host]
            server = f"{socket.gethostname().split('.')[0] or 'pianogenie'}.local."
            wanted = self.name
            for service, port in self.ports.items():
                info = ServiceInfo(service, f"{self.name}.{service}", port=port, server=server,
                                   addresses=[ipaddress.ip_address(a).packed for a in addresses])
                self._zeroconf.register_service(info, allow_name_change=True)
                # A name taken on the network is renamed ("... (2)"): both services keep the one it got.
                self.name = info.name[:-len(service) - 1]
                self._infos.append(info)
            self.registered.set()
            if self.name != wanted:
                print(f'pianogenie serve: zeroconf: "{wanted}" is taken on this network; advertised as "{self.name}"',
                      flush=True)
        except Exception as exc:  # no multicast, no interface, a conflict it could not resolve: say so once
            if self._closed:
                return  # stopped while still probing: nothing to say
            self.error = f"{type(exc).__name__}: {exc}"
            print(f"pianogenie serve: zeroconf advertisement failed ({self.error}); "
                  "OSCQuery clients can still connect by address", flush=True)
            return
        if wildcard:
            self._follow_addresses(addresses)

    def _follow_addresses(self, addresses: list[str]) -> None:
        """Re-announce with the machine's current addresses whenever they change (a new network, a lost one)."""
        while not self._stop.wait(ADDRESS_REFRESH_S):
            current = lan_addresses()
            if current == addresses:
                continue
            addresses = current
            try:
                for info in self._infos:
                    info.addresses = [ipaddress.ip_address(a).packed for a in addresses]
                    self._zeroconf.update_service(info)
            except Exception:  # closing meanwhile, or no network at all: the next change tries again
                if self._closed:
                    return

    def close(self) -> None:
        """Says goodbye on the network (so browsers drop the services at once), a quarter of a second."""
        with self._lock:
            self._closed = True
            self._stop.set()
            zc = self._zeroconf
        if zc is not None:
            try:
                zc.close()
            except Exception:
                pass


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses that the LAN can reach, for a bridge listening on all of them: not loopback
    (a peer resolving it would reach itself), not link-local, not a VPN's or a container bridge's; loopback only
    when there is nothing else. Without ifaddr (Zeroconf's dependency), what the host name resolves to."""
    try:
        import ifaddr
    except ImportError:
        try:
            named = socket.gethostbyname_ex(socket.gethostname())[2]
        except OSError:
            named = []
        return sorted(a for a in set(named) if not ipaddress.ip_address(a).is_loopback) or ["127.0.0.1"]

    found = []
    for adapter in ifaddr.get_adapters():
        if adapter.nice_name.lower().startswith(_TUNNEL_PREFIXES) or adapter.name.lower().startswith(_TUNNEL_PREFIXES):
            continue
        for ip in adapter.ips:
            if not isinstance(ip.ip, str):
                continue
            address = ipaddress.ip_address(ip.ip)
            if not (address.is_loopback or address.is_link_local) and ip.ip not in found:
                found.append(ip.ip)
    return sorted(found) or ["127.0.0.1"]
