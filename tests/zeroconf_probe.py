"""Run by tests/bridge/test_bridge_oscquery.py inside a network namespace of its own (multicast on its loopback): starts
`pianogenie serve` with Zeroconf on, finds its services with python-zeroconf's ServiceBrowser, reads it with
python-oscquery's client where that installs, stops it, and prints what it saw as one JSON line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from zeroconf import IPVersion, ServiceBrowser, ServiceListener, Zeroconf

REPO = Path(__file__).resolve().parents[1]
TYPES = ("_osc._udp.local.", "_oscjson._tcp.local.")


class Seen(ServiceListener):
    def __init__(self) -> None:
        self.added: dict[str, str] = {}
        self.removed: set[str] = set()

    def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self.added[type_] = name

    def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self.removed.add(type_)

    def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        pass


def main() -> int:
    serve = subprocess.Popen([sys.executable, "-m", "pianogenie", "serve", "--port", "0", "--oscquery-port", "0",
                              "--reply-to", "none", "--audio", "none", "--midi-out", "none", *sys.argv[1:]],
                             cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    banner = ""
    for line in serve.stdout:
        banner += line
        if line.startswith("pianogenie serve: ready"):
            break
    result: dict = {"banner": banner}
    zc = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    try:
        seen = Seen()
        browsers = [ServiceBrowser(zc, kind, seen) for kind in TYPES]
        deadline = time.monotonic() + 15
        while len(seen.added) < len(TYPES) and time.monotonic() < deadline:
            time.sleep(0.05)
        infos = {}
        for kind, name in seen.added.items():
            info = zc.get_service_info(kind, name, timeout=3000)
            infos[kind] = info
            result[kind] = {"name": name, "port": info.port if info else None,
                            "addresses": info.parsed_addresses() if info else None}
        try:
            from pythonoscquery.osc_query_client import OSCQueryClient
        except ImportError:
            result["client"] = None
        else:
            client = OSCQueryClient(infos["_oscjson._tcp.local."])
            host_info = client.get_host_info()
            temperature = client.query_node("/genie/temperature")
            model = client.query_node("/genie/model")
            result["client"] = {
                "host_info": [host_info.name, host_info.osc_ip, host_info.osc_port, host_info.osc_transport],
                "temperature": [temperature.full_path, temperature.value, int(temperature.access)],
                "model": [model.full_path, model.value, model.description],
                "missing": client.query_node("/genie/nope"),
            }
        serve.send_signal(signal.SIGINT)
        serve.wait(20)
        deadline = time.monotonic() + 5  # the goodbye packets: browsers drop the services at once
        while len(seen.removed) < len(TYPES) and time.monotonic() < deadline:
            time.sleep(0.05)
        result["removed"] = sorted(seen.removed)
        for browser in browsers:
            browser.cancel()
    finally:
        zc.close()
        if serve.poll() is None:
            serve.kill()
    result["rest"] = serve.stdout.read()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
