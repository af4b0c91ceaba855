"""--idle-timeout also bounds how long a client may leave its answer untaken (runtime/http/admission.py
``Admission.watch_answer``, made by runtime/http/tornado_glue.py): no progress writing it for that
long closes the connection; a slow reader that keeps taking bytes is left alone, and an answer
written at once arms no timer."""
from __future__ import annotations

import socket
import time

import pytest
import tornado.ioloop
import tornado.iostream

from runtime.http import tornado_glue
from runtime.http.admission import Admission
from tests.helpers import start_server, wait_for


class _Loop:
    """Records call_later instead of waiting: the test runs each check itself."""

    def __init__(self):
        self.timers = []

    def call_later(self, delay, callback):
        self.timers.append((delay, callback))


class _Stream:
    def __init__(self, writing=True):
        self._writing, self._closed, self._total_write_done_index = writing, False, 0

    def writing(self):
        return self._writing

    def closed(self):
        return self._closed

    def close(self):
        self._closed = True


class _Connection:
    def __init__(self, stream):
        self.stream = stream


@pytest.fixture
def loop(monkeypatch):
    fake = _Loop()
    monkeypatch.setattr(tornado.ioloop.IOLoop, "current", staticmethod(lambda: fake))
    return fake


def run_next(loop):
    _, callback = loop.timers.pop(0)
    callback()


def test_an_answer_written_at_once_arms_no_timer(loop):
    Admission(idle_timeout=5).watch_answer(_Connection(_Stream(writing=False)))
    assert loop.timers == []


def test_without_an_idle_timeout_nothing_is_watched(loop):
    Admission().watch_answer(_Connection(_Stream()))
    assert loop.timers == []


def test_an_answer_the_client_does_not_take_closes_the_connection(loop):
    stream = _Stream()
    Admission(idle_timeout=5).watch_answer(_Connection(stream))
    assert [delay for delay, _ in loop.timers] == [5.0]
    run_next(loop)
    assert stream.closed() and loop.timers == []


def test_a_slow_reader_that_keeps_taking_bytes_is_left_alone(loop):
    stream = _Stream()
    Admission(idle_timeout=5).watch_answer(_Connection(stream))
    for _ in range(3):
        stream._total_write_done_index += 1000  # the client took some of it in this period
        run_next(loop)
        assert not stream.closed() and len(loop.timers) == 1
    stream._writing = False  # all of it was taken
    run_next(loop)
    assert not stream.closed() and loop.timers == []


def test_tornado_streams_still_count_written_bytes():
    """The progress count is Tornado's private ``_total_write_done_index``: fail loudly if it goes."""
    a, b = socket.socketpair()
    try:
        assert tornado_glue.written(tornado.iostream.IOStream(a)) == 0
    finally:
        a.close()
        b.close()


@pytest.fixture
def server(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.ejs").write_text("hello")
    (site / "video.bin").write_bytes(bytes(range(256)) * 16_000)  # ~4 MB, more than socket buffers
    running = start_server(str(site), "--workers", "1", "--idle-timeout", "1", data_dir=str(tmp_path / "data"))
    yield running
    running.stop()


def test_a_slow_reader_still_gets_the_whole_file_and_a_stalled_one_is_logged(server):
    expected = bytes(range(256)) * 16_000
    slow = socket.create_connection((server.host, server.port), timeout=10)
    stalled = socket.create_connection((server.host, server.port), timeout=10)
    try:
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        for s in (slow, stalled):
            s.sendall(b"GET /video.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        # Reads of at most 64 KiB with short pauses (a twentieth of the timeout): slower than the
        # kernel drains a send buffer, so the server's socket stays full, yet taking bytes all along.
        while True:
            chunk = slow.recv(65536)
            if not chunk:
                break
            data += chunk
            time.sleep(0.05)
        assert data.split(b"\r\n\r\n", 1)[1] == expected
        assert wait_for(lambda: "took no part of its answer" in server.log, timeout=20)
    finally:
        slow.close()
        stalled.close()
