"""--idle-timeout bounds how long a client may take to send a request's head, watched by one sweep (runtime/http/
tornado_glue.py TrackedHTTPServer.close_idle) instead of a timer Tornado sets and cancels around every request:
a silent connection, a head sent in part and a keep-alive connection left idle are closed once the timeout has
passed, while a connection whose requests keep coming, or whose request is being answered, stays open."""
from __future__ import annotations

import socket
import time

import pytest

from runtime.http.tornado_glue import TrackedHTTPServer
from tests.helpers import start_server

TIMEOUT = 1.5


class _Delegate:
    def start_request(self, server_conn, request_conn):
        raise AssertionError("not reached")


def test_no_timer_per_request_and_the_timeout_is_kept():
    server = TrackedHTTPServer(_Delegate(), idle_connection_timeout=7)
    assert server.conn_params.header_timeout is None and server.idle_timeout == 7
    assert TrackedHTTPServer(_Delegate()).idle_timeout == 3600  # Tornado's default, kept


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("idle")
    site = root / "site"
    site.mkdir()
    (site / "index.ejs").write_text("hello")
    (site / "slow.ejs").write_text("<% const end = Date.now() + 2500; while (Date.now() < end) {} %>done")
    running = start_server(str(site), "--workers", "1", "--idle-timeout", str(TIMEOUT), data_dir=str(root / "data"))
    yield running
    running.stop()


def _closed_after(sock) -> float:
    """Seconds until the server closes ``sock`` (reading whatever it sends first)."""
    start = time.monotonic()
    sock.settimeout(10)
    while sock.recv(65536):
        pass
    return time.monotonic() - start


def _ask(sock, path="/") -> bytes:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    data = b""
    while not data.endswith(b"hello") and not data.endswith(b"done"):
        chunk = sock.recv(65536)
        assert chunk, "the server closed a connection that was not idle"
        data += chunk
    return data


@pytest.mark.parametrize("opening", [b"", b"GET / HTTP/1.1\r\nHost: x\r\n"], ids=["silent", "half a head"])
def test_a_connection_that_sends_no_whole_head_is_closed(server, opening):
    with socket.create_connection((server.host, server.port)) as sock:
        sock.sendall(opening)
        assert TIMEOUT - 0.1 <= _closed_after(sock) <= TIMEOUT + 3


def test_keep_alive_stays_while_requests_come_and_closes_once_idle(server):
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        end = time.monotonic() + 2 * TIMEOUT
        while time.monotonic() < end:  # each wait is shorter than the timeout, all of them longer
            assert _ask(sock).startswith(b"HTTP/1.1 200")
            time.sleep(TIMEOUT / 3)
        assert TIMEOUT / 2 <= _closed_after(sock) <= TIMEOUT + 3


def test_a_request_being_answered_is_never_idle(server):
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        assert _ask(sock, "/slow").startswith(b"HTTP/1.1 200")  # 2.5 s of page, more than the timeout
