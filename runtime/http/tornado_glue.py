"""Every use pagesvm makes of Tornado beyond its documented API, in this one module.

Checked against the source of Tornado 6.4, 6.5 and 6.6 (6.6.1 installed); the internals below are
the same in all three, and pyproject.toml keeps Tornado below 6.7 for that reason. A new Tornado
minor means reading this list against its source (and running tests/http/test_internals.py)
before raising the cap. The rest of pagesvm uses only Tornado's public API (HTTPServer's
arguments, IOLoop, the HTTPServerConnectionDelegate/HTTPMessageDelegate/HTTPConnection interfaces,
httputil.HTTPHeaders and ResponseStartLine) and the names defined here.

What it relies on:

* ``HTTPServer._connections``: the set of open ``HTTP1ServerConnection`` objects, added in
  ``handle_stream`` and removed in ``on_close`` (counts of open and busy connections).
* ``HTTPServer.start_request(server_conn, request_conn)`` runs each time a connection starts
  waiting for its next request, with the same ``HTTP1ServerConnection`` for the connection's
  whole life: each connection's drain state is the attribute ``_pv_state`` set on that object.
* ``HTTPServer.conn_params`` is one ``HTTP1ConnectionParameters`` shared by every connection, and
  ``HTTP1Connection._can_keep_alive`` reads its ``no_keep_alive`` as each answer is written: setting
  it ends keep-alive on connections already open too (``TrackedHTTPServer.begin_drain``).
  ``HTTP1Connection._read_message`` reads its ``header_timeout`` as each wait for a request's head
  begins, and with None waits without a timer (``TrackedHTTPServer`` closes idle connections itself).
* ``HTTP1ServerConnection.stream``: the connection's IOStream, closed by the idle sweep.
* ``HTTP1Connection`` calls ``stream.set_nodelay`` around each answer and
  ``stream.set_close_callback`` while an answer is pending; both are looked up on the stream at
  each call, so instance attributes replace them for one stream (``steady``).
* ``IOStream._total_write_done_index``: bytes of output handed to the kernel so far (``written``).
* ``HTTP1Connection.stream`` (the connection's IOStream) and ``HTTP1Connection.context``, which
  HTTPServer makes an ``httpserver._HTTPRequestContext`` with ``remote_ip`` and ``protocol`` (``peer``).
* ``HTTP1Connection._on_connection_close``: what Tornado itself would watch the stream with while an answer
  is pending; ``watch_hangup`` restores that watch (``steady`` turned it off) for a long answer, a realtime
  stream, so a client that leaves is noticed even though nothing is written to it.
* Behaviour connection.py relies on through the public HTTPConnection interface:
  ``write_headers(start, headers, chunk)`` hands the whole answer to the stream at once (most
  answers leave in that call, so ``watch_answer`` finds nothing pending), and raises ``ValueError``
  for a header holding CR or LF before writing anything (so a plain 500 can still be sent).
"""
from __future__ import annotations

import fcntl
import logging
import struct
import termios
import time

import tornado.httpserver
import tornado.ioloop

log = logging.getLogger("pagesvm")

__all__ = ["TrackedHTTPServer", "mark_busy", "peer", "steady", "written", "answer_watcher", "watch_hangup"]


class TrackedHTTPServer(tornado.httpserver.HTTPServer):
    """HTTPServer that knows its open connections, which of them are mid-request, and can drain.

    Its delegate's request reader calls ``mark_busy`` when a request's head arrives; with
    ``start_request`` below, that keeps each connection's state. New connections get ``steady``.

    How long a client may take to send a request's head (``idle_connection_timeout``, Tornado's
    ``header_timeout``) is watched here, not by Tornado: Tornado sets and cancels a timer around every
    wait for a head (``gen.with_timeout``: a future, a timer, a callback; ~6% of a small page's
    requests a second), where one sweep every second (a quarter of the timeout, if shorter) closes the
    connections that have waited longer. A connection is closed between the timeout and one sweep later.
    """

    def initialize(self, *args, **kwargs):
        super().initialize(*args, **kwargs)
        self.idle_timeout = self.conn_params.header_timeout  # Tornado's: idle_connection_timeout or 3600
        self.conn_params.header_timeout = None
        self._sweep = None

    def start_request(self, server_conn, request_conn):
        # Called when a connection starts waiting for its next request: the previous one is answered.
        server_conn._pv_state = "idle" if hasattr(server_conn, "_pv_state") else "fresh"
        server_conn.stream._pv_since = time.monotonic()
        return super().start_request(server_conn, request_conn)

    def handle_stream(self, stream, address) -> None:
        steady(stream)
        stream._pv_since = time.monotonic()
        super().handle_stream(stream, address)
        if self._sweep is None and self.idle_timeout:
            every = min(1.0, self.idle_timeout / 4)
            self._sweep = tornado.ioloop.PeriodicCallback(self.close_idle, every * 1000)
            self._sweep.start()

    def close_idle(self) -> None:
        """Close the connections that have waited longer than the timeout for a request's head (a
        request being answered, a realtime stream included, is never idle); the sweep stops with the
        last connection, and the next one starts it again."""
        if not self._connections:
            self._sweep.stop()
            self._sweep = None
            return
        limit = time.monotonic() - self.idle_timeout
        for conn in list(self._connections):
            if getattr(conn, "_pv_state", "fresh") != "busy" and conn.stream._pv_since <= limit:
                conn.stream.close()

    @property
    def open_connections(self) -> int:
        return len(self._connections)  # Tornado's own set, emptied as connections close

    @property
    def busy_connections(self) -> int:
        """Connections a draining worker must not drop: fresh ones and those mid-request."""
        return sum(1 for conn in self._connections if getattr(conn, "_pv_state", "fresh") != "idle")

    @property
    def draining(self) -> bool:
        return self.conn_params.no_keep_alive

    def begin_drain(self) -> bool:
        """Stop accepting, and close each connection after its next answer; False if already draining.

        ``stop`` closes only this process's copy of the listening socket.
        """
        if self.conn_params.no_keep_alive:
            return False
        self.stop()
        self.conn_params.no_keep_alive = True
        return True


def mark_busy(server_conn) -> None:
    """The connection's request has arrived: a draining worker waits for its answer.

    Each connection's state is ``_pv_state`` on Tornado's connection object (so it lives exactly
    as long, with no weak-keyed table to update twice per request): "fresh" (accepted, first
    request not yet in), "busy" (a request is being answered) or "idle" (keep-alive, between requests).
    """
    server_conn._pv_state = "busy"


def peer(connection) -> tuple:
    """(remote_ip, protocol) of the client on ``connection``, as HTTPServer recorded them."""
    try:
        context = connection.context
        return context.remote_ip, context.protocol
    except AttributeError:  # not an HTTPServer connection (a test's stand-in)
        context = getattr(connection, "context", None)
        return getattr(context, "remote_ip", None), getattr(context, "protocol", "http")


def steady(stream) -> None:
    """Per-connection settings that spare three or four system calls per request.

    * TCP_NODELAY stays on. Tornado turns it on as each response finishes and off again after
      it (two setsockopt calls); a worker writes each response in one piece, so what is sent
      is the same.
    * No hang-up watch. Tornado asks the stream to report a client that closes while its answer
      is pending, which makes the stream listen for reads between requests and stop when the
      next one arrives (an epoll change each time). It serves nothing here: the page is rendered
      at the next turn of the loop whatever the client does, and a client that left is noticed
      when its answer is written or its next request read.
    """
    stream.set_nodelay(True)

    def keep_nodelay(value: bool) -> None:
        pass

    def no_close_watch(callback) -> None:
        pass

    stream.set_nodelay = keep_nodelay
    stream.set_close_callback = no_close_watch


def written(stream) -> int:
    """Bytes of the answer the client has taken so far.

    Tornado's own count of bytes handed to the kernel less what the kernel still holds unsent or
    unacknowledged (TIOCOUTQ, Linux). The kernel count matters: a socket is reported writable
    again only once a third of its send buffer (megabytes) has drained, so a slow reader can take
    bytes for longer than the timeout while Tornado's count stands still.
    """
    done = stream._total_write_done_index
    try:
        queued = struct.unpack("i", fcntl.ioctl(stream.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
    except (OSError, ValueError, TypeError, AttributeError):  # not a socket, or not Linux
        queued = 0
    return done - queued


class _AnswerWatch:
    """Closes a connection whose answer the client stopped reading.

    Tornado bounds how long a client may take to send a request (``idle_connection_timeout``,
    ``body_timeout``) but not how long it may take to read the answer: a client that never reads
    keeps its connection slot and the whole buffered response for as long as it likes. This check
    runs every ``timeout`` seconds while the answer is still being written; a period in which no
    byte of it left the buffer closes the stream (Tornado then ends the request and forgets the
    connection). A slow reader that keeps taking bytes is left alone.
    """

    __slots__ = ("stream", "timeout", "done")

    def __init__(self, stream, timeout: float):
        self.stream, self.timeout = stream, timeout
        self.done = written(stream)
        tornado.ioloop.IOLoop.current().call_later(timeout, self.check)

    def check(self) -> None:
        stream = self.stream
        if stream.closed() or not stream.writing():
            return
        done = written(stream)
        if done == self.done:
            log.warning("closed a connection whose client took no part of its answer for %gs (--idle-timeout)",
                        self.timeout)
            stream.close()
            return
        self.done = done
        tornado.ioloop.IOLoop.current().call_later(self.timeout, self.check)


def _no_watch(connection) -> None:
    pass


def answer_watcher(timeout: float | None):
    """The function to call once an answer is handed to a connection (Tornado's HTTP1Connection).

    Most answers leave in the write call itself; only one still buffered gets a watch, so the
    common case costs one call and no timer. Without a timeout it does nothing.
    """
    if not timeout:
        return _no_watch

    def watch_answer(connection) -> None:
        stream = getattr(connection, "stream", None)
        if stream is not None and stream.writing() and not stream.closed():
            _AnswerWatch(stream, timeout)

    return watch_answer


def watch_hangup(connection, callback) -> None:
    """Call ``callback()`` once the client closes ``connection`` while its answer is still open (a realtime
    stream): the stream's own close watch, which ``steady`` switched off for ordinary answers, put back for this
    one answer (the stream then listens for the hang-up while idle, as Tornado would). ``callback=None`` ends it."""
    stream = connection.stream
    connection.set_close_callback(callback)
    type(stream).set_close_callback(stream, connection._on_connection_close if callback is not None else None)
