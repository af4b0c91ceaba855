"""The pb_hooks realtime hooks around `/api/realtime`, as PocketBase 0.40 fires them, and onRecordEnrich on the
record events a client is sent.

* `onRealtimeConnectRequest` (`e.client`, `e.idleTimeout`, `e.auth`): the stream opens at the chain's last
  `e.next()`; a chain that does not reach it answers 200 with an empty body, a thrown error answers itself.
* `onRealtimeSubscribeRequest` (`e.client`, `e.subscriptions`, `e.auth`): what `e.subscriptions` holds at the
  last `e.next()` is subscribed (204); not reached: 200 and nothing changes; a thrown error answers itself.
* `onRealtimeMessageSend` (`e.client`, `e.message` with `name` and `data` as bytes): what `e.message` holds at
  the last `e.next()` is written; not reached: the message is dropped; a hook that throws ends the stream.
* `onRecordEnrich` on each record event, per client and subscription, with `e.requestInfo.context` "realtime":
  hide/unhide/custom data as for a REST answer; a hook that throws keeps the event from that subscription.

Each runs in a render-queue Job (the same interpreter, `--timeout` and isolation as a hook route; the chain is
js/realtime_hooks.js): the connect and subscribe requests one each; the messages waiting for any client at a turn
of the event loop one Job together; a record event onRecordEnrich may concern one Job, whose delivery runs inside
it so the enrich chain is a nested evaluation. A project without these hooks never builds this object: streams,
subscriptions and record events take their direct path (`RealtimeRoutes.hooks` is None).
"""
from __future__ import annotations

import logging

from tornado.ioloop import IOLoop

from bindings.realtime_api import _snapshot
from bindings.request import lowered_headers

from ..realtime import Message
from .response import Response

log = logging.getLogger("pagesvm")
NAMES = ("onRealtimeConnectRequest", "onRealtimeSubscribeRequest", "onRealtimeMessageSend")


class _Request:
    """What a Job's answer reads of a request it stands for (its log lines)."""

    __slots__ = ("method", "path", "uri", "host", "protocol", "remote_ip")

    def __init__(self, method: str, path: str):
        self.method, self.path, self.uri = method, path, path
        self.host, self.protocol, self.remote_ip = "", "http", ""


class _Exchange:
    """A realtime Job's handler: ``done(response)`` gets the Job's answer unless the chain took the request over."""

    def __init__(self, request, done=None):
        self.request, self.done, self.taken, self._finished = request, done, False, False

    def send(self, response: Response) -> None:
        self._finished = True
        if self.done is not None and not self.taken:
            self.done(response)
        elif response.status >= 500:
            log.error("realtime hook job %s failed: %s", self.request.path, response.status)


def _auth_ref(auth):
    return {"collectionId": auth[0].id, "id": auth[1].id} if auth is not None else None


class RealtimeHooks:
    """The project's realtime hooks and its onRecordEnrich ones, for `RealtimeRoutes` and the `Broker`."""

    def __init__(self, hook_routes, registrations, api_hooks):
        self.jobs, self.api_hooks = hook_routes, api_hooks
        self.refs = {name: [[r.file, r.index] for r in registrations if r.kind == "hook" and r.name == name]
                     for name in NAMES}
        self.unit = registrations[0].file
        self.connects = bool(self.refs["onRealtimeConnectRequest"])
        self.subscribes = bool(self.refs["onRealtimeSubscribeRequest"])
        self.sends = bool(self.refs["onRealtimeMessageSend"])
        self.enriches = api_hooks is not None and "onRecordEnrich" in api_hooks.table
        self._waiting: list = []

    @classmethod
    def of(cls, hook_routes, registrations, api_hooks):
        """The object, or None when the project registers none of these hooks (no cost at all then)."""
        if not registrations:  # hook files that register nothing (yet)
            return None
        made = cls(hook_routes, registrations, api_hooks)
        return made if made.connects or made.subscribes or made.sends or made.enriches else None

    def attach(self, broker) -> None:
        """Record events pass onRecordEnrich: delivered in a Job (`deliver`), enriched by `enrich`."""
        if self.enriches:
            broker.hooks = self
            broker.events.enricher = self

    def _submit(self, exchange, spec: dict, step) -> None:
        headers = getattr(exchange.request, "headers", None) or {}
        self.jobs.submit(exchange, lowered_headers(headers), self.unit, {"realtime": spec}, step)

    # -- connect and subscribe -----------------------------------------------------------------------------------
    def connect(self, handler, client, idle: float, open_stream, refused) -> None:
        """Run the connect chain; ``open_stream(handler, idle)`` at its last `e.next()`, else ``refused()``
        and the chain's answer is sent."""
        exchange = _Exchange(handler.request)

        def step(seconds):
            exchange.taken = True
            open_stream(handler, float(seconds or 0))

        def done(response: Response) -> None:
            refused()
            if response.status == 200 and not response.body:
                response.headers = [("Content-Type", "text/event-stream"), ("Cache-Control", "no-store"),
                                    ("X-Accel-Buffering", "no")]
            response.headers.append(("Access-Control-Allow-Origin", "*"))
            handler.send(response)

        exchange.done = done
        spec = {"kind": "connect", "refs": self.refs["onRealtimeConnectRequest"], "client": _snapshot(client),
                "idle": idle, "auth": None}
        self._submit(exchange, spec, step)

    def subscribe(self, handler, client, topics: list, auth, apply) -> None:
        """Run the subscribe chain; ``apply(topics)`` at its last `e.next()` with what `e.subscriptions` holds."""
        def done(response: Response) -> None:
            response.headers.append(("Access-Control-Allow-Origin", "*"))
            handler.send(response)

        spec = {"kind": "subscribe", "refs": self.refs["onRealtimeSubscribeRequest"], "client": _snapshot(client),
                "subscriptions": list(topics), "auth": _auth_ref(auth),
                "superuser": auth is not None and auth[0].name == "_superusers"}
        self._submit(_Exchange(handler.request, done), spec, lambda chosen: apply(list(chosen or ())))

    # -- messages ----------------------------------------------------------------------------------------------
    def message(self, stream, message: Message) -> None:
        """A message for ``stream``'s client: sent through onRealtimeMessageSend with the others of this turn."""
        if not self._waiting:
            IOLoop.current().add_callback(self._flush)
        self._waiting.append((stream, message))

    def _flush(self) -> None:
        batch, self._waiting = self._waiting, []
        batch = [(s, m) for s, m in batch if not s.closed]
        if not batch:
            return

        def step(results):
            for (stream, _), result in zip(batch, results or ()):
                if result is False:
                    stream.close()
                elif result:
                    stream.write(Message(result[0], result[1]))

        spec = {"kind": "messages", "refs": self.refs["onRealtimeMessageSend"],
                "items": [[_snapshot(s.client), m.name, m.data] for s, m in batch]}
        self._submit(_Exchange(_Request("SSE", "onRealtimeMessageSend")), spec, step)

    # -- record events and onRecordEnrich ---------------------------------------------------------------------------
    def deliver(self, fn) -> None:
        """Run ``fn`` (a record event's delivery) inside a Job, where the enrich chain can run."""
        def step():
            try:
                fn()
            except Exception:  # noqa: BLE001 - one event failing must not stop the next ones
                log.exception("realtime: delivering a record event failed")

        self._submit(_Exchange(_Request("SSE", "onRecordEnrich")), {"kind": "deliver"}, step)

    def wants(self, collection) -> bool:
        return self.api_hooks.wants("onRecordEnrich", collection)

    def enrich(self, call, record, info) -> dict:
        """onRecordEnrich on one event's record for one subscription: what `export` shows of it (ApiError if a
        hook threw)."""
        return self.api_hooks.enrich(call, [record], info)
