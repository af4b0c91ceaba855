"""1,000 idle realtime clients on one worker of a real `pagesvm serve --workers 1`: each gets PB_CONNECT, all
receive one record event, the worker's RSS is reported and bounded, and once the streams close the worker
counts no client. Raw sockets and epoll, so the whole test takes a few seconds."""
from __future__ import annotations

import http.client
import json
import resource
import selectors
import socket
import time

import pytest

from tests.helpers import wait_for
from tests.realtime.serve_helpers import create_post, rss_kib, serve_flow, shout, workers

CLIENTS = 1000
RSS_CEILING_MIB = 400  # the whole worker (interpreter, site) with 1,000 streams open
PER_CLIENT_CEILING_KIB = 64


def _open_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * CLIENTS + 200  # the test's sockets; the server inherits the limit (and the worker raises its own)
    if hard != resource.RLIM_INFINITY and hard < need:
        pytest.skip(f"the open-files hard limit is {hard}, the test needs {need}")
    if soft != resource.RLIM_INFINITY and soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need if hard == resource.RLIM_INFINITY else min(hard, need), hard))
    return soft, hard


def _read_until(socks: list, done, timeout: float = 20.0) -> None:
    """Read every socket until done(sock) holds for each (what arrived is kept on `sock.buffer`)."""
    waiting = [s for s in socks if not done(s)]
    with selectors.DefaultSelector() as selector:  # epoll: file descriptors past select's 1024
        for sock in waiting:
            selector.register(sock, selectors.EVENT_READ)
        left, deadline = len(waiting), time.monotonic() + timeout
        while left and time.monotonic() < deadline:
            for key, _ in selector.select(1.0):
                sock = key.fileobj
                chunk = sock.recv(65536)
                if not chunk:
                    raise AssertionError("a stream closed")
                sock.buffer += chunk
                if done(sock):
                    selector.unregister(sock)
                    left -= 1
    assert not left, f"{left} streams did not get there in {timeout}s"


class _Sock(socket.socket):
    buffer = b""


def _open_streams(port: int, count: int, socks: list, timeout: float = 20.0) -> None:
    """`count` streams opened on one worker's port into `socks` (the caller's, closed by it whatever happens), each
    read up to its PB_CONNECT."""
    for _ in range(count):
        sock = _Sock(socket.AF_INET, socket.SOCK_STREAM)
        socks.append(sock)
        sock.connect(("127.0.0.1", port))
        sock.sendall(b"GET /api/realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    _read_until(socks, lambda s: b"event:PB_CONNECT" in s.buffer and s.buffer.endswith(b"\n\n\r\n"), timeout)


def _subscribe_all(port: int, socks: list, topics: list) -> None:
    """Each stream's client subscribed to `topics` over one keep-alive connection, the streams' buffers emptied."""
    ids = [s.buffer.split(b"id:", 1)[1].split(b"\n", 1)[0].decode() for s in socks]
    assert len(set(ids)) == len(socks)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for client_id in ids:
        conn.request("POST", "/api/realtime", json.dumps({"clientId": client_id, "subscriptions": topics}),
                     {"Content-Type": "application/json"})
        assert conn.getresponse().read() == b""
    conn.close()
    for sock in socks:
        sock.buffer = b""


def test_a_thousand_idle_clients_on_one_worker(tmp_path):
    before = _open_files()
    server = serve_flow(tmp_path, "--workers", "1", "--max-sse", str(CLIENTS))
    socks: list = []
    try:
        (worker,) = workers(server)
        baseline = rss_kib(worker)
        started = time.monotonic()
        _open_streams(server.port, CLIENTS, socks)
        connected = time.monotonic() - started
        _subscribe_all(server.port, socks, ["posts/*"])
        sent = time.monotonic()
        assert create_post(server, "to all").status == 200
        _read_until(socks, lambda s: b'"title":"to all"' in s.buffer and s.buffer.endswith(b"\n\n\r\n"))
        delivered = time.monotonic() - sent
        rss = rss_kib(worker)
        per_client = (rss - baseline) / CLIENTS
        print(f"\n{CLIENTS} idle SSE clients on one worker: RSS {rss / 1024:.1f} MiB (from {baseline / 1024:.1f} MiB: "
              f"{per_client:.1f} KiB a client); connected in {connected:.2f}s; one create delivered to all in "
              f"{1000 * delivered:.0f} ms")
        assert rss < RSS_CEILING_MIB * 1024 and per_client < PER_CLIENT_CEILING_KIB
        for sock in socks:
            sock.close()
        socks = []
        assert wait_for(lambda: shout(server) == 0, timeout=10)  # the worker forgot every client
    finally:
        for sock in socks:
            sock.close()
        server.stop()
        resource.setrlimit(resource.RLIMIT_NOFILE, before)
