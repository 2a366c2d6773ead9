"""Run inside a network namespace of the test's own (tests/bridge/test_zeroconf_network.py sets up its interfaces):
what the Advertiser puts on the network under --host 0.0.0.0, after an address change, and after a name
conflict, read back with python-zeroconf. Prints one JSON line."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import time

from zeroconf import IPVersion, Zeroconf

import pianogenie.bridge.discovery as discovery
from pianogenie.bridge.discovery import OSC_SERVICE, OSCQUERY_SERVICE, Advertiser, lan_addresses


def addresses_seen(zc: Zeroconf, name: str, service: str) -> list[str]:
    info = zc.get_service_info(service, f"{name}.{service}", timeout=3000)
    return sorted(info.parsed_addresses()) if info else []


def main() -> None:
    discovery.ADDRESS_REFRESH_S = 0.5
    result: dict = {"own": lan_addresses()}
    first = Advertiser("Piano Genie 9000", "0.0.0.0", 9000, 9001)
    first.start()
    assert first.registered.wait(15), first.error
    browser = Zeroconf(interfaces=["10.9.0.1"], ip_version=IPVersion.V4Only)
    try:
        result["advertised"] = addresses_seen(browser, first.name, OSC_SERVICE)
        subprocess.run(["ip", "addr", "add", "10.9.0.2/24", "dev", "eth9"], check=True)
        deadline, changed = time.monotonic() + 10, []
        while time.monotonic() < deadline and "10.9.0.2" not in changed:
            time.sleep(0.5)
            fresh = Zeroconf(interfaces=["10.9.0.1"], ip_version=IPVersion.V4Only)  # an empty cache: what is on the wire now
            try:
                changed = addresses_seen(fresh, first.name, OSC_SERVICE)
            finally:
                fresh.close()
        result["after_change"] = changed
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            second = Advertiser("Piano Genie 9000", "0.0.0.0", 9002, 9003)
            second.start()
            assert second.registered.wait(20), second.error
        result["second_name"] = second.name
        result["second_line"] = out.getvalue().strip()
        info = browser.get_service_info(OSCQUERY_SERVICE, f"{second.name}.{OSCQUERY_SERVICE}", timeout=3000)
        result["second_oscquery_port"] = info.port if info else None
        second.close()
    finally:
        first.close()
        browser.close()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
