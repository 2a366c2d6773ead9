"""An attacker on the OSCQuery port, in a process of its own so its work does not share the measuring test's
GIL: `flood PORT N` (N connections that all finish their headers together), `slow PORT N SECONDS` (N clients
trickling one header byte every 0.5 s), `readers PORT N SECONDS` (N honest keep-alive clients reading `GET /`).
Prints one JSON line of what it saw. Loopback only, bounded in count and time."""

from __future__ import annotations

import http.client
import json
import resource
import selectors
import socket
import sys
import threading
import time

REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def flood(port: int, count: int, limit: float = 30.0) -> dict:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, count + 64)), hard))
    sel = selectors.DefaultSelector()
    socks = []
    for _ in range(count):
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        sel.register(sock, selectors.EVENT_WRITE, [b""])
        socks.append(sock)
    answered = refused = 0
    deadline = time.monotonic() + limit
    while sel.get_map() and time.monotonic() < deadline:
        for key, events in sel.select(timeout=0.5):
            sock, got = key.fileobj, key.data
            try:
                if events & selectors.EVENT_WRITE:
                    sock.sendall(REQUEST)
                    sel.modify(sock, selectors.EVENT_READ, got)
                    continue
                data = sock.recv(1 << 16)
            except OSError:
                data = b""
                refused += 1
            if data:
                got[0] += data
                continue
            answered += got[0].startswith(b"HTTP/1.1 200")
            sel.unregister(sock)
            sock.close()
    left = len(sel.get_map())
    for sock in socks:
        sock.close()
    return {"answered": answered, "refused": refused, "unfinished": left}


def slow(port: int, count: int, seconds: float) -> dict:
    """Each client trickles the request one byte each 0.5 s and notes when the server cut it."""
    cut_after: list[float] = []

    def client() -> None:
        sock = socket.create_connection(("127.0.0.1", port), timeout=seconds + 5)
        start = time.monotonic()
        try:
            for byte in (REQUEST[:-4] + b"X-Slow: " + b"a" * 1000):
                if time.monotonic() - start > seconds:
                    return
                sock.send(bytes([byte]))
                time.sleep(0.5)
        except OSError:
            cut_after.append(time.monotonic() - start)
        finally:
            sock.close()

    threads = [threading.Thread(target=client) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"cut": len(cut_after), "latest_cut_s": max(cut_after, default=None)}


def readers(port: int, count: int, seconds: float) -> dict:
    done = [0] * count

    def client(i: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            connection.request("GET", "/")
            response = connection.getresponse()
            body = response.read()  # not parsed: a client elsewhere would parse on its own CPU, not ours
            assert response.status == 200 and body.startswith(b"{\"FULL_PATH\":\"/\"")
            done[i] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"requests": sum(done)}


if __name__ == "__main__":
    mode, port, *rest = sys.argv[1:]
    run = {"flood": lambda: flood(int(port), int(rest[0])),
           "slow": lambda: slow(int(port), int(rest[0]), float(rest[1])),
           "readers": lambda: readers(int(port), int(rest[0]), float(rest[1]))}[mode]
    print(json.dumps(run()), flush=True)
