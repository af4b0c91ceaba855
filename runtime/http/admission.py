"""What a connection or request may be before pagesvm spends work on it.

* ``LimitedHTTPServer``: at most ``max_connections`` open connections per worker; one
  more is answered 503 and closed at once (the client learns why instead of hanging).
  It also keeps each connection's state for draining, and sets connections up without
  Tornado's per-request socket and epoll changes (``_steady``).
* ``Admission.check``: 431 for oversized headers, 413 for a declared body over
  ``max_body`` — both decided from the headers, before any of the body is read, and
  raised as ``Refusal``.
* ``Admission.watch_answer``: an answer the client does not take (no bytes written) for
  ``idle_timeout`` closes its connection, freeing the slot and the buffered response.
* ``ProxyTrust``: X-Forwarded-For / X-Forwarded-Proto are believed only from the
  listed peers; they decide the client IP in logs and whether cookies are Secure.
"""
from __future__ import annotations

import fcntl
import ipaddress
import logging
import struct
import termios

import tornado.httpserver
import tornado.ioloop
from tornado.iostream import StreamClosedError

from .response import Refusal

log = logging.getLogger("pagesvm")

MAX_HEADER = 32 * 1024  # larger request heads are refused with 431
HEADER_HARD_CAP = 256 * 1024  # beyond this Tornado drops the connection while reading
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 1\r\n"
         b"Connection: close\r\nContent-Length: 32\r\n\r\nserver busy: too many connections")


class LimitedHTTPServer(tornado.httpserver.HTTPServer):
    """Tornado's HTTPServer with a cap on simultaneously open connections.

    Its delegate is a worker's ``PagesFront``, whose request reader calls ``mark_busy`` when a
    request's head arrives; with ``start_request`` below, that keeps each connection's state.
    """

    def initialize(self, *args, max_connections: int = 0, **kwargs):
        super().initialize(*args, **kwargs)
        self.max_connections = int(max_connections or 0)

    @property
    def busy_connections(self) -> int:
        """Connections a draining worker must not drop: fresh ones and those mid-request."""
        return sum(1 for conn in self._connections if getattr(conn, "_pv_state", "fresh") != "idle")

    def start_request(self, server_conn, request_conn):
        # Called when a connection starts waiting for its next request: the previous one is answered.
        server_conn._pv_state = "idle" if hasattr(server_conn, "_pv_state") else "fresh"
        return super().start_request(server_conn, request_conn)

    @property
    def open_connections(self) -> int:
        return len(self._connections)  # Tornado's own set, emptied as connections close

    def handle_stream(self, stream, address) -> None:
        if self.max_connections and self.open_connections >= self.max_connections:
            log.warning("refused a connection: %d open (--max-connections)", self.open_connections)
            self._refuse(stream)
            return
        _steady(stream)
        super().handle_stream(stream, address)

    @staticmethod
    def _refuse(stream) -> None:
        try:
            stream.write(_BUSY).add_done_callback(lambda _f: stream.close())
        except StreamClosedError:
            stream.close()


def mark_busy(server_conn) -> None:
    """The connection's request has arrived: a draining worker waits for its answer.

    Each connection's state is ``_pv_state`` on Tornado's connection object (so it lives exactly
    as long, with no weak-keyed table to update twice per request): "fresh" (accepted, first
    request not yet in), "busy" (a request is being answered) or "idle" (keep-alive, between requests).
    """
    server_conn._pv_state = "busy"


def _steady(stream) -> None:
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


def _network(text: str):
    text = text.strip()
    if text == "*":
        return ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")
    return (ipaddress.ip_network(text, strict=False),)


class ProxyTrust:
    """Peers allowed to tell us the client's address and scheme."""

    def __init__(self, enabled: bool = False, allow: str = "127.0.0.1"):
        self.enabled = enabled
        self.networks = []
        for item in (allow or "").split(","):
            if item.strip():
                try:
                    self.networks.extend(_network(item))
                except ValueError:
                    raise ValueError(f"--forwarded-allow-ips: {item.strip()!r} is not an IP address or network") from None

    def trusts(self, ip: str) -> bool:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(addr in net for net in self.networks)

    def apply(self, request) -> None:
        """Rewrite ``remote_ip``/``protocol`` from X-Forwarded-* when the peer is trusted."""
        if not self.enabled or not self.trusts(request.remote_ip):
            return
        forwarded = request.headers.get("X-Forwarded-For", "")
        # The nearest hop not itself a trusted proxy is the client.
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        for hop in reversed(hops):
            try:
                ipaddress.ip_address(hop)
            except ValueError:
                break  # a malformed entry: believe nothing further left
            request.remote_ip = hop
            if not self.trusts(hop):
                break
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            request.protocol = proto


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
        self.done = _written(stream)
        tornado.ioloop.IOLoop.current().call_later(timeout, self.check)

    def check(self) -> None:
        stream = self.stream
        if stream.closed() or not stream.writing():
            return
        done = _written(stream)
        if done == self.done:
            log.warning("closed a connection whose client took no part of its answer for %gs (--idle-timeout)",
                        self.timeout)
            stream.close()
            return
        self.done = done
        tornado.ioloop.IOLoop.current().call_later(self.timeout, self.check)


def _written(stream) -> int:
    """Bytes of the answer the client has taken so far.

    Tornado's own count of bytes handed to the kernel (private, hence here) less what the kernel
    still holds unsent or unacknowledged (TIOCOUTQ, Linux). The kernel count matters: a socket is
    reported writable again only once a third of its send buffer (megabytes) has drained, so a
    slow reader can take bytes for longer than the timeout while Tornado's count stands still.
    """
    written = stream._total_write_done_index
    try:
        queued = struct.unpack("i", fcntl.ioctl(stream.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
    except (OSError, ValueError, TypeError, AttributeError):  # not a socket, or not Linux
        queued = 0
    return written - queued


class Admission:
    """Per-request checks made from the request head alone, and the bound on taking an answer."""

    def __init__(self, max_body: int = 10 * 1024 * 1024, proxy: ProxyTrust | None = None,
                 max_header: int = MAX_HEADER, idle_timeout: float | None = None):
        self.max_body = int(max_body)
        self.max_header = int(max_header)
        self.idle_timeout = float(idle_timeout) if idle_timeout else None
        self.proxy = proxy or ProxyTrust()
        self.in_flight = 0  # requests started and not yet answered (a draining worker waits for 0)

    def enter(self, handler) -> None:
        self.in_flight += 1
        handler._pv_in_flight = True

    def leave(self, handler) -> None:
        if getattr(handler, "_pv_in_flight", False):
            handler._pv_in_flight = False
            self.in_flight -= 1

    def watch_answer(self, connection) -> None:
        """Called once an answer is handed to ``connection`` (Tornado's HTTP1Connection).

        Most answers leave in the write call itself; only one still buffered gets a watch, so the
        common case costs one method call and no timer.
        """
        stream = getattr(connection, "stream", None)
        if self.idle_timeout and stream is not None and stream.writing() and not stream.closed():
            _AnswerWatch(stream, self.idle_timeout)

    def check(self, request) -> None:
        """Raise Refusal if the request is not to be served (the caller answers it with
        ``PagesRuntime.refuse``); apply the proxy's word on the client first."""
        self.proxy.apply(request)
        head = len(request.uri) + sum(len(k) + len(v) + 4 for k, v in request.headers.get_all())
        if head > self.max_header:
            raise Refusal(431, "request headers too large")
        length = request.headers.get("Content-Length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                raise Refusal(400, "bad Content-Length") from None
            if declared > self.max_body:
                raise Refusal(413, f"request body over {self.max_body} bytes")
