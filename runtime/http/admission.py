"""What a connection or request may be before pagesvm spends work on it.

* ``LimitedHTTPServer``: at most ``max_connections`` open connections per worker; one
  more is answered 503 and closed at once (the client learns why instead of hanging).
  Each connection's drain state, and its setup without Tornado's per-request socket and
  epoll changes, come from ``tornado_glue`` (the one module touching Tornado internals).
* ``Admission.check``: 431 for oversized headers, 413 for a declared body over
  ``max_body`` — both decided from the headers, before any of the body is read, and
  raised as ``Refusal``.
* ``Admission.watch_answer``: an answer the client does not take (no bytes written) for
  ``idle_timeout`` closes its connection, freeing the slot and the buffered response
  (``tornado_glue.answer_watcher``).
* Realtime streams (``GET /api/realtime``) are held open by ``Exchange.hold``: they leave ``in_flight``,
  get no ``watch_answer`` and are not counted by ``LimitedHTTPServer`` (``Admission.streams``); they have their
  own cap, ``max_sse`` (--max-sse), past which ``GET /api/realtime`` is answered 503.
* ``ProxyTrust``: X-Forwarded-For / X-Forwarded-Proto are believed only from the
  listed peers; they decide the client IP in logs and whether cookies are Secure.
"""
from __future__ import annotations

import ipaddress
import logging

from tornado.iostream import StreamClosedError

from .response import Refusal
from .tornado_glue import TrackedHTTPServer, answer_watcher

log = logging.getLogger("pagesvm")

MAX_HEADER = 32 * 1024  # larger request heads are refused with 431
HEADER_HARD_CAP = 256 * 1024  # beyond this Tornado drops the connection while reading
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 1\r\n"
         b"Connection: close\r\nContent-Length: 32\r\n\r\nserver busy: too many connections")


class LimitedHTTPServer(TrackedHTTPServer):
    """Tornado's HTTPServer with a cap on simultaneously open connections.

    Its delegate is a worker's ``PagesFront``. Counting connections, their drain state and
    draining itself come from ``tornado_glue.TrackedHTTPServer`` (the Tornado internals they need).
    """

    def initialize(self, *args, max_connections: int = 0, admission: "Admission | None" = None, **kwargs):
        super().initialize(*args, **kwargs)
        self.max_connections = int(max_connections or 0)
        self.admission = admission  # its ``streams`` (open realtime streams) do not count against the cap

    def handle_stream(self, stream, address) -> None:
        held = self.admission.held if self.admission is not None else 0
        if self.max_connections and self.open_connections - held >= self.max_connections:
            log.warning("refused a connection: %d open (--max-connections)", self.open_connections)
            self._refuse(stream)
            return
        super().handle_stream(stream, address)

    def on_close(self, server_conn) -> None:
        super().on_close(server_conn)
        if getattr(server_conn.stream, "_pv_held", False) and self.admission is not None:
            self.admission.held -= 1

    @staticmethod
    def _refuse(stream) -> None:
        try:
            stream.write(_BUSY).add_done_callback(lambda _f: stream.close())
        except StreamClosedError:
            stream.close()


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


class Admission:
    """Per-request checks made from the request head alone, and the bound on taking an answer."""

    def __init__(self, max_body: int = 10 * 1024 * 1024, proxy: ProxyTrust | None = None,
                 max_header: int = MAX_HEADER, idle_timeout: float | None = None, max_sse: int = 10000):
        self.max_body = int(max_body)
        self.max_header = int(max_header)
        self.idle_timeout = float(idle_timeout) if idle_timeout else None
        self.proxy = proxy or ProxyTrust()
        self.in_flight = 0  # requests started and not yet answered (a draining worker waits for 0)
        self.streams = 0  # realtime streams held open (Exchange.hold), counted against --max-sse
        # Their connections, until Tornado drops each from its own set (LimitedHTTPServer.on_close): the stream
        # ends a few loop turns before that, and counting it off earlier would refuse a connection meanwhile.
        self.held = 0
        self.max_sse = int(max_sse)  # ... but against this (--max-sse; 0: no cap)
        # watch_answer(connection), called once an answer is handed to a connection: closes it if the
        # client takes none of the answer for idle_timeout (a function made once, so a call costs no more).
        self.watch_answer = answer_watcher(self.idle_timeout)

    def enter(self, handler) -> None:
        self.in_flight += 1
        handler._pv_in_flight = True

    def leave(self, handler) -> None:
        if getattr(handler, "_pv_in_flight", False):
            handler._pv_in_flight = False
            self.in_flight -= 1

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
