"""The HTTP side of ``pagesvm serve``: Tornado's HTTP/1.1 connection, without ``tornado.web``.

A worker serves exactly one site, so Application routing and the RequestHandler life
cycle (default headers, ETag hashing, per-request coroutine) are work with no use here;
skipping them halves what Tornado spends on a small response (measured: ~61 µs against ~128 µs). Each request gets an ``Exchange``,
which offers what the pipeline uses of a handler (``request``, ``send``), so the same
pipeline also runs behind ``page_rules`` inside a user's own Application.
"""
from __future__ import annotations

import logging
import re
import time
from http.client import responses

from tornado import httputil
from tornado.iostream import StreamClosedError

from .admission import Admission
from .logline import log_request
from .tornado_glue import mark_busy, peer
from .pipeline import PagesRuntime
from .response import Refusal, Response

log = logging.getLogger("pagesvm")

METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
# RFC 3986 host (an IP literal or a registered name) with an optional port; a comma (two Host
# headers folded into one) is refused separately, as Tornado does.
_HOST = re.compile(r"(?:\[[0-9A-Fa-f:.]*\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]*)?")
MAX_QUERY_FIELDS = 1000  # what Tornado's own request object accepts


class _HttpDate:
    """The Date header, formatted once per second instead of once per response."""

    second, text = -1, ""

    @classmethod
    def now(cls) -> str:
        second = int(time.time())
        if second != cls.second:
            cls.second, cls.text = second, httputil.format_timestamp(second)
        return cls.text


class _Request:
    """The request as pagesvm reads it (method, uri, path, query, headers, body, host, remote_ip,
    protocol, request_time): Tornado's HTTPServerRequest also parses the query string into byte
    arguments and deep-copies them, for every request, and nothing here reads them.

    It refuses what HTTPServerRequest refuses (a missing, malformed or repeated Host; more query
    fields than Tornado's limit), with the same HTTPInputError, so Tornado still answers 400.
    """

    __slots__ = ("method", "uri", "version", "headers", "body", "host", "remote_ip", "protocol",
                 "path", "query", "connection", "_start_time")

    def __init__(self, connection, start_line, headers: httputil.HTTPHeaders):
        self.method, self.uri, self.version = start_line
        self.headers = headers
        self.body = b""
        self.connection = connection
        self.remote_ip, self.protocol = peer(connection)
        host = headers.get("Host")
        if host is None:
            if self.version != "HTTP/1.0":
                raise httputil.HTTPInputError("Missing Host header")
            host = "127.0.0.1"
        elif not _HOST.fullmatch(host):
            raise httputil.HTTPInputError(f"Invalid Host header: {host!r}")
        elif "," in host:
            raise httputil.HTTPInputError(f"Multiple host headers not allowed: {host!r}")
        self.host = host
        self.path, _, self.query = self.uri.partition("?")
        if self.query and self.query.count("&") >= MAX_QUERY_FIELDS:
            raise httputil.HTTPInputError("Invalid query string: Max number of fields exceeded")
        self._start_time = time.time()

    def request_time(self) -> float:
        return time.time() - self._start_time


class Exchange:
    """One request and its answer: the pipeline hands ``send`` one Response, written at once."""

    def __init__(self, front: "PagesFront", connection, request: _Request):
        self.front = front
        self.connection = connection
        self.request = request
        self._finished = False
        self._status_code = 200
        # Realtime across workers: what the broker posts from now on is this request's, and its answer waits
        # until the other workers have it (runtime/realtime/broker.py); None: one worker, nothing to wait for.
        broker = getattr(front, "broker", None)
        self._posted = broker.posted() if broker is not None and broker.link is not None else None

    def _dispatch(self) -> None:
        request = self.request
        if request.method not in METHODS:
            return self.front.runtime.refuse(self, 405, "method not allowed")
        try:
            self.front.runtime.serve(self)
        except Exception:  # noqa: BLE001 - a bug in pagesvm must cost one request, not the worker
            log.exception("%s %s failed", request.method, request.path)
            if not self._finished:
                self.front.runtime.internal_error(self)

    def get_status(self) -> int:
        return self._status_code

    def hold(self):
        """Keep this answer open past the request (a realtime stream, runtime/http/realtime_routes.py): ``send``
        is never called for it, it stops counting as in flight and against --max-connections (``admission.
        streams``), and the Tornado connection to write its head and chunks on is returned."""
        self._finished = True
        admission = self.front.admission
        admission.leave(self)
        admission.streams += 1
        admission.held += 1  # until the server drops the connection (admission.LimitedHTTPServer.on_close)
        self.connection.stream._pv_held = True
        return self.connection

    def send(self, response: Response) -> None:
        if self._finished:
            raise RuntimeError("send() called twice")
        self._finished = True
        self._status_code = response.status
        if self._posted is not None and not self.front.broker.answer_after(self._posted, lambda: self._write(response)):
            return  # written once the realtime messages this request sent are in the other workers' channels
        self._write(response)

    def _write(self, response: Response) -> None:
        status = response.status
        headers = httputil.HTTPHeaders()
        headers["Date"] = _HttpDate.now()
        chunk = response.framed(headers, self.request.method)
        start = _START_LINES.get(status) or _start_line(status)
        try:
            try:
                self.connection.write_headers(start, headers, chunk)
            except StreamClosedError:
                raise
            except Exception:  # noqa: BLE001 - headers Tornado cannot write; it wrote nothing yet
                log.exception("%s %s: the response could not be written", self.request.method, self.request.path)
                self._write_plain_500()
            else:
                self.connection.finish()
                self.front.admission.watch_answer(self.connection)
        except StreamClosedError:
            pass  # the client left; the page still ran, as it would have for a slow client
        finally:
            self.front.admission.leave(self)
        log_request(self)

    def _write_plain_500(self) -> None:
        """A last answer when the response itself could not be written, so the client gets one."""
        self._status_code = 500
        headers = httputil.HTTPHeaders({"Content-Type": "text/plain; charset=utf-8", "Date": _HttpDate.now(),
                                        "Content-Length": "22"})
        try:
            self.connection.write_headers(_START_LINES.get(500) or _start_line(500), headers, b"Internal Server Error\n")
            self.connection.finish()
        except Exception:  # noqa: BLE001 - nothing more can be said on this connection
            self.connection.close()


_START_LINES: dict[int, httputil.ResponseStartLine] = {}


def _start_line(status: int) -> httputil.ResponseStartLine:
    """The status line for ``status``, made once per status code."""
    line = _START_LINES[status] = httputil.ResponseStartLine("HTTP/1.1", status, responses.get(status, "Unknown"))
    return line


class _Incoming(httputil.HTTPMessageDelegate):
    """Reads one request off the connection (Tornado calls it), then hands it to an Exchange.

    It marks its connection busy (``mark_busy``) for LimitedHTTPServer's drain accounting.
    """

    def __init__(self, front: "PagesFront", server_conn, connection):
        self.front, self.server_conn, self.connection = front, server_conn, connection
        self.exchange: Exchange | None = None
        self._chunks: list[bytes] = []

    def headers_received(self, start_line, headers):
        mark_busy(self.server_conn)
        request = _Request(self.connection, start_line, headers)
        self.exchange = exchange = Exchange(self.front, self.connection, request)
        admission = self.front.admission
        admission.enter(exchange)
        try:
            admission.check(request)
        except Refusal as e:
            self.front.runtime.refuse(exchange, e.status, e.reason)
        return None

    def data_received(self, chunk: bytes):
        if not self.exchange._finished:
            self._chunks.append(chunk)
        return None

    def finish(self) -> None:
        exchange = self.exchange
        if exchange._finished:
            return  # already answered from the headers (413, 431…)
        exchange.request.body = b"".join(self._chunks)
        self._chunks = []
        exchange._dispatch()

    def on_connection_close(self) -> None:
        if self.exchange is not None:
            self.front.admission.leave(self.exchange)


class PagesFront(httputil.HTTPServerConnectionDelegate):
    """What a worker's HTTPServer hands each new request to."""

    def __init__(self, runtime: PagesRuntime, admission: Admission | None = None):
        self.runtime = runtime
        self.admission = admission or Admission()
        self.broker = runtime.options.get("realtime")  # its answers wait for realtime messages (Exchange.send)

    def start_request(self, server_conn, request_conn) -> _Incoming:
        return _Incoming(self, server_conn, request_conn)

    def on_close(self, server_conn) -> None:
        pass
