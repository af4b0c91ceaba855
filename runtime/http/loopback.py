"""A page's `$http.send` to this same server, served in-process: a worker never waits on itself.

A worker renders one request at a time on its IOLoop thread. Had `$http.send` gone out through a socket to
the server's own address, the request could land on that same worker, which cannot accept it while it waits:
with ``--workers 1`` every such call would hang until --timeout. So the http layer hands the binding
(bindings/http_api.py, through ``ctx.options["loopback"]``: dependency injection, the layers' arrows stay
one-way) this callable, which recognises the server's own address and serves the request right here.

The nested request runs through the same pipeline (routing, cross-site check, static files, +404, errors)
but on a second, short-lived interpreter: re-entering the interpreter that is paused inside the calling page
would mix two requests' state. One spare interpreter per nesting level is kept (~25 ms to build), and
nesting stops at ``MAX_DEPTH``. The nested request counts against the caller's --timeout: the caller's
alarm keeps ticking; when it fires inside the nested page, that page answers 504 and the caller is
stopped at the next tick.

"Own address": a loopback or unspecified address (``localhost``, ``127.0.0.1``, ``::1``, ``0.0.0.0``) on a
port this server listens on (``ports``, which the worker fills) or on the Host header's port; or the host and
port the calling request was sent to (its Host header) when that name resolves to an address of this machine.
The Host header is the client's word: believed alone, a visitor sending ``Host: api.partner.com`` would turn
the page's call to that outside API (its key in a header) into a request served here.
"""
from __future__ import annotations

import ipaddress
import socket
import urllib.parse

from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

from ..render.engine import Engine
from ..render.executor import RenderQueue
from ..render.limits import RequestLimits, RequestTimeout

MAX_DEPTH = 3  # a page calling itself calling itself…: a clear error past this


class _Capture:
    """What the pipeline answers through: the nested request and, once sent, its response."""

    _finished = False

    def __init__(self, request):
        self.request = request
        self.response = None

    def send(self, response):
        self.response = response
        self._finished = True


def _loopback_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _names_this_machine(host: str) -> bool:
    """Whether ``host`` resolves to an address of this machine (one a socket can be bound to)."""
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return False
    for family, _, _, _, sockaddr in found:
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as probe:
                probe.bind((sockaddr[0], 0))
            return True
        except OSError:
            continue
    return False


class Loopback:
    """``loopback(ctx, method, url, headers, body)``: (status, [(name, value)], body bytes) when ``url`` is
    this server, else None (the binding sends it over the network)."""

    def __init__(self, runtime):
        self.runtime = runtime
        self.ports: set[int] = set()  # the ports this server listens on (runtime/serve/worker.py adds them)
        self._queues: list[RenderQueue] = []  # one spare per nesting level
        self.depth = 0

    def is_self(self, url: str, calling_host: str) -> bool:
        parts = urllib.parse.urlsplit(url)
        default = 443 if parts.scheme == "https" else 80
        try:
            host, port = (parts.hostname or "").lower(), parts.port or default
        except ValueError:
            return False
        called = urllib.parse.urlsplit("//" + (calling_host or "").lower())
        try:
            called_host, called_port = called.hostname or "", called.port or default
        except ValueError:
            called_host, called_port = "", 0
        if host == called_host and port == called_port and (_loopback_host(host) or _names_this_machine(host)):
            return True
        return _loopback_host(host) and (port in self.ports or (port == called_port and _loopback_host(called_host)))

    def __call__(self, ctx, method: str, url: str, headers: dict, body: bytes):
        if not self.is_self(url, ctx.request.host):
            return None
        if self.depth >= MAX_DEPTH:
            raise OSError(f"pagesvm: $http.send to this same server nested more than {MAX_DEPTH} deep")
        parts = urllib.parse.urlsplit(url)
        sent = HTTPHeaders()
        sent["Host"] = parts.netloc.rpartition("@")[2]
        for name, value in headers.items():
            sent[name] = value
        if body:
            sent["Content-Length"] = str(len(body))
        target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        request = HTTPServerRequest(headers=sent, body=body, host=sent["Host"],
                                    start_line=RequestStartLine(method, target, "HTTP/1.1"))
        request.protocol, request.remote_ip = parts.scheme, "127.0.0.1"
        handler = _Capture(request)
        runtime = self.runtime
        if len(self._queues) <= self.depth:
            engine = runtime.queue.engine
            # Its own interpreter, untimed (the caller's alarm times it), rendering each job at once.
            self._queues.append(RenderQueue(Engine(engine.site, registry=engine.registry, markdown=engine.markdown,
                                                   config=engine.config, router=engine.router, scripts=engine.scripts),
                                            RequestLimits(0, watchdog=False), runtime.answer, immediate=True))
        outer, runtime.queue = runtime.queue, self._queues[self.depth]
        self.depth += 1
        try:
            runtime.serve(handler)
        finally:
            self.depth -= 1
            runtime.queue = outer
        if runtime.limits.overdue():  # the caller's time ran out in the nested page: the caller stops too
            raise RequestTimeout(f"request exceeded --timeout {runtime.limits.timeout:g}s in a call to this same server")
        response = handler.response
        if response is None:
            raise OSError("pagesvm: the in-process request to this same server was not answered")
        data = response.body.encode("utf-8") if isinstance(response.body, str) else bytes(response.body)
        pairs = [("Set-Cookie", c) for c in response.cookies] + list(response.headers)
        pairs.append(("Content-Length", str(len(data))))
        return response.status, pairs, b"" if method == "HEAD" else data
