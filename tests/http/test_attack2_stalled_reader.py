"""--idle-timeout bounds how long a client may take to send a request, but not how long it may take
to read the answer. A client that asks for a large response (a static file, a big page) and never
reads keeps its connection slot and the whole response in the worker's memory for as long as it
likes: N such clients hold N x the response (80 clients x an 8 MB file: ~650 MB more RSS), and
--max-connections of them refuse everyone else (503) indefinitely."""
from __future__ import annotations

import http.client
import socket

import pytest

from tests.helpers import start_server, wait_for


@pytest.fixture
def server(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.ejs").write_text("hello")
    (site / "video.bin").write_bytes(b"\x7f" * 8_000_000)  # larger than the kernel's socket buffers
    running = start_server(str(site), "--workers", "1", "--max-connections", "4", "--idle-timeout", "1",
                           data_dir=str(tmp_path / "data"))
    yield running
    running.stop()


def probe(server):
    try:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
        conn.request("GET", "/")
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return None


def test_clients_that_never_read_give_their_slots_back(server):
    stalled = []
    try:
        for _ in range(4):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect((server.host, server.port))
            s.sendall(b"GET /video.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            stalled.append(s)
        assert wait_for(lambda: probe(server) == 503, timeout=10)  # the slots are taken
        # 20 times the idle timeout: the stalled readers must have been let go by then
        assert wait_for(lambda: probe(server) == 200, timeout=20, interval=0.5)
    finally:
        for s in stalled:
            s.close()
