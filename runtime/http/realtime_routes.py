"""`/api/realtime` over HTTP: the SSE stream (`GET`) and the subscriptions (`POST`), as PocketBase serves them.

`GET` answers 200 `text/event-stream` (`Cache-Control: no-store`, `X-Accel-Buffering: no` so a proxy passes
each event at once) and keeps the answer open: the request's `Exchange.hold()` takes it out of the worker's
in-flight count, of --max-connections and of the idle-answer watch, and each event is one chunk of Tornado's
chunked answer. The first event is `PB_CONNECT` with `{"clientId": id}`; every event carries `id:<clientId>`,
which is where the SDK reads its client id. As PocketBase: a client sent nothing for 5 minutes, or connected
for 30, is ended (the SDK reconnects and subscribes again); a client that hangs up is forgotten at once
(`tornado_glue.watch_hangup`). Streams need pagesvm's own HTTP delegate (`pagesvm serve`); inside a
`tornado.web` Application (`page_rules`) the `GET` is answered 501.

Streams have their own cap, `Admission.max_sse` (`pagesvm serve --max-sse`, per worker): one more `GET` is
answered 503 `{"data":{},"message":"Too many realtime connections, try again later.","status":503}` with
`Retry-After: 1` (the SDK retries a failed connect on its own). A draining worker (SIGTERM, or SIGHUP's reload)
ends its streams with the answer's last chunk, so clients reconnect to the workers still serving.

`/api/oauth2-redirect` (runtime/realtime/oauth2_redirect.py) is served here too: it sends to a realtime client.
The `Broker` (runtime/realtime) is the runtime's (`options["realtime"]`); this module only streams.
"""
from __future__ import annotations

import json
import logging
import socket
import struct
import time

from tornado import httputil
from tornado.ioloop import IOLoop, PeriodicCallback
from tornado.iostream import StreamClosedError

from bindings.request import lowered_headers

from ..api import ApiRequest, ApiResponse
from ..api.exchange import not_found
from ..realtime import Client, Message
from ..realtime.clients import IP_KEY
from ..realtime.directory import RemoteClient
from ..realtime.oauth2_redirect import oauth2_redirect
from ..realtime.subscribe import apply_subscriptions, checked_subscriptions
from . import cors
from .response import RETRY_AFTER, Response
from .tornado_glue import watch_hangup

log = logging.getLogger("pagesvm")

IDLE_TIMEOUT, MAX_LIFETIME = 5 * 60.0, 30 * 60.0  # PocketBase's RealtimeConnectRequestEvent defaults
OWNER_WAIT = 2.0  # seconds a subscription request for another worker's client waits for that worker to apply it
MAX_PENDING = 2 << 20  # bytes of events a client may leave unread before its stream is dropped (it reconnects)
_OK = httputil.ResponseStartLine("HTTP/1.1", 200, "OK")
REALTIME_PATHS = ("/api/realtime", "/api/oauth2-redirect")
TOO_MANY = json.dumps({"data": {}, "message": "Too many realtime connections, try again later.", "status": 503},
                      separators=(",", ":"))


def _no_answer(response) -> None:
    """The subscribe hooks' last e.next() applied the subscriptions; the chain answers (js/realtime_hooks.js)."""
    return None


def schedule_on_loop(fn) -> None:
    """The broker's `schedule`: deliveries run at the event loop's next turn, after the current evaluation."""
    IOLoop.current().add_callback(fn)


class _Stream:
    """One open `GET /api/realtime` answer and its client."""

    __slots__ = ("routes", "connection", "client", "admission", "opened", "last", "closed", "idle", "pending")

    def __init__(self, routes: "RealtimeRoutes", connection, client: Client, admission, idle: float):
        self.routes, self.connection, self.client, self.admission = routes, connection, client, admission
        self.opened = self.last = time.monotonic()
        self.closed = False
        self.idle = idle  # IDLE_TIMEOUT, or what onRealtimeConnectRequest set (e.idleTimeout)
        self.pending = 0  # bytes written but not yet taken by the socket (a client not reading: they pile up)

    def write(self, message: Message) -> None:
        if self.closed:
            return
        self.last = time.monotonic()
        data = message.sse(self.client.id)
        if self.pending + len(data) > MAX_PENDING:
            log.warning("ended a realtime stream whose client reads nothing: %d bytes waiting", self.pending)
            self.abort()
            return
        self.pending += len(data)
        try:
            self.connection.write(data).add_done_callback(lambda future, size=len(data): self._written(future, size))
        except StreamClosedError:
            self.close(hung_up=True)

    def _written(self, future, size: int) -> None:
        self.pending -= size
        if future.exception() is not None:
            self.close(hung_up=True)

    def abort(self) -> None:
        """Drop the connection at once, its unsent events with it (a reset: the kernel's queue is not sent)."""
        self.close(hung_up=True)
        stream = self.connection.stream
        try:
            stream.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except (OSError, AttributeError):
            pass
        stream.close()

    def close(self, hung_up: bool = False) -> None:
        """End the stream (the client left, timed out, or the worker is draining) and forget the client."""
        if self.closed:
            return
        self.closed = True
        self.routes.ended(self)
        try:
            watch_hangup(self.connection, None)
            if not hung_up:
                self.connection.finish()  # the chunked answer's last chunk: the connection may serve again
        except Exception:  # noqa: BLE001 - the client is gone already
            pass


class RealtimeRoutes:
    def __init__(self, broker, api, hooks=None):
        """``hooks``: the project's realtime hooks (runtime/http/realtime_hooks.py), or None: the direct path."""
        self.broker, self.api, self.hooks = broker, api, hooks
        self.streams: dict[str, _Stream] = {}
        self.idle_timeout, self.max_lifetime = IDLE_TIMEOUT, MAX_LIFETIME
        self._sweeper = None
        if hooks is not None:
            hooks.attach(broker)

    def serve(self, handler) -> bool:
        """Answer `/api/realtime`: the stream, the subscriptions, PocketBase's 404 for any other method."""
        request = handler.request
        method = request.method
        redirect = request.path != "/api/realtime"
        if method == "GET" and not redirect:
            self._open(handler)
            return True
        if method == "POST" or (redirect and method == "GET"):
            headers = request.headers
            call = ApiRequest(method, request.path, request.query, lowered_headers(headers), request.body or b"",
                              headers.get("Content-Type", ""), request.remote_ip)
            if redirect:
                answer = oauth2_redirect(self.broker, call)
            elif self.hooks is not None and self.hooks.subscribes:
                answer = checked_subscriptions(self.broker, self.api, call)
                if not isinstance(answer, ApiResponse):
                    self.hooks.subscribe(handler, *answer, lambda topics: _no_answer(apply_subscriptions(
                        answer[0], topics, answer[2])))
                    return True
            else:
                checked = checked_subscriptions(self.broker, self.api, call)
                if isinstance(checked, ApiResponse):
                    answer = checked
                elif isinstance(checked[0], RemoteClient) and getattr(handler, "hold", None) is not None:
                    self._answer_when_owned(handler, *checked)
                    return True
                else:
                    answer = apply_subscriptions(*checked)
        else:
            answer = not_found().response()
        handler.send(Response(answer.status, answer.body, answer.headers + [cors.ALLOW_ANY]))
        return True

    def _answer_when_owned(self, handler, client, topics, auth) -> None:
        """A client whose stream another worker holds: that worker applies the subscriptions (sent through the
        supervisor), and the 204 waits until it announces them, at most OWNER_WAIT seconds, so a write made
        right after the answer, in whichever worker, reaches the client (PocketBase, one process, has them at
        once)."""
        answer = apply_subscriptions(client, topics, auth)
        sent = []

        def send():
            if not sent:
                sent.append(True)
                handler.send(Response(answer.status, answer.body, answer.headers + [cors.ALLOW_ANY]))
        self.broker.directory.await_owner(client.id, [t for t in topics if t], send)
        IOLoop.current().call_later(OWNER_WAIT, send)

    def _open(self, handler) -> None:
        hold = getattr(handler, "hold", None)
        if hold is None:  # a tornado.web handler: no way to keep the answer open here
            body = json.dumps({"data": {}, "message": "Realtime needs pagesvm serve.", "status": 501})
            handler.send(Response(501, body, [("Content-Type", "application/json"), cors.ALLOW_ANY]))
            return
        request = handler.request
        admission = handler.front.admission
        if admission.max_sse and admission.streams >= admission.max_sse:
            log.warning("refused a realtime stream: %d open (--max-sse)", admission.streams)
            handler.send(Response(503, TOO_MANY, [("Content-Type", "application/json"), ("Retry-After", RETRY_AFTER),
                                                  cors.ALLOW_ANY]))
            return
        client = Client()
        client.set(IP_KEY, request.remote_ip or "")
        if self.hooks is not None and self.hooks.connects:  # the stream opens at the chain's last e.next()
            self.broker.register(client)  # e.client can be sent to, subscribed… meanwhile (its outbox)
            self.hooks.connect(handler, client, self.idle_timeout, lambda h, idle: self._start(h, client, idle, True),
                               lambda: self.broker.unregister(client.id))
            return
        self._start(handler, client, self.idle_timeout)

    def _start(self, handler, client: Client, idle: float, registered: bool = False) -> None:
        """Hold the answer open and stream ``client``'s messages, PB_CONNECT first."""
        admission = handler.front.admission
        connection = handler.hold()
        headers = httputil.HTTPHeaders({"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                        "X-Accel-Buffering": "no", "Access-Control-Allow-Origin": "*",
                                        "Date": httputil.format_timestamp(time.time())})
        stream = _Stream(self, connection, client, admission, idle)
        try:
            connection.write_headers(_OK, headers)
        except StreamClosedError:
            admission.streams -= 1
            self.broker.unregister(client.id)
            return
        self.streams[client.id] = stream
        watch_hangup(connection, lambda: stream.close(hung_up=True))
        hooks = self.hooks
        sink = stream.write if hooks is None or not hooks.sends else (lambda m: hooks.message(stream, m))
        early, client.outbox = client.outbox, []  # what the connect hooks sent before the stream opened
        client.sink = sink
        if not registered:
            self.broker.register(client)
        sink(Message("PB_CONNECT", json.dumps({"clientId": client.id}, separators=(",", ":"))))
        for message in early:
            sink(message)
        self._sweep_later(idle)

    def ended(self, stream: _Stream) -> None:
        if self.streams.pop(stream.client.id, None) is not None:
            self.broker.unregister(stream.client.id)
            stream.admission.streams -= 1

    def _sweep_later(self, idle: float) -> None:
        period = 1000 * min(15.0, max(idle, 0.1) / 4)
        if self._sweeper is not None and self._sweeper.callback_time > period:  # a hook gave a shorter idle time
            self._sweeper.stop()
            self._sweeper = None
        if self._sweeper is None:
            self._sweeper = PeriodicCallback(self.sweep, period)
            self._sweeper.start()

    def sweep(self) -> None:
        """End the streams idle for `idle_timeout` or open for `max_lifetime` (PocketBase's two timers)."""
        now = time.monotonic()
        for stream in list(self.streams.values()):
            if now - stream.last > stream.idle or now - stream.opened > self.max_lifetime:
                stream.close()
        if not self.streams and self._sweeper is not None:
            self._sweeper.stop()
            self._sweeper = None

    def close_all(self) -> None:
        """End every stream (a draining worker): the SDK reconnects, to another worker."""
        for stream in list(self.streams.values()):
            stream.close()
