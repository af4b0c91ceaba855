"""`$app.subscriptionsBroker()` and `SubscriptionMessage` for page and hook code (realtime_api.js is the JavaScript
half), over the runtime's realtime `Broker` (runtime/realtime, handed over as `ctx.options["realtime"]`).

`clients()` crosses once and hands JavaScript a snapshot of each client (id, subscriptions, auth); asking a
client's subscriptions is then free, and each change (`send`, `set`, `subscribe`…) is one crossing. A message
sent is published through the broker like every realtime message: it leaves once the event loop turns, that
is when the page, hook or job that sent it has finished its evaluation (never in the middle of it), in the order
sent. `get("auth")` is the client's auth record as its fields (email included), or null.
"""
from __future__ import annotations

import json
import os

from .registry import Registry

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
REALTIME_JS = FAMILY.js_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), "realtime_api.js"))
AUTH_KEY = "auth"  # as runtime.realtime names the client's auth


def _broker(ctx):
    broker = ctx.options.get("realtime")
    if broker is None:
        raise RuntimeError("pagesvm: realtime is not available here")
    return broker


def _client(ctx, client_id):
    client = _broker(ctx).client_by_id(str(client_id))
    if client is None:
        raise LookupError(f"no client associated with connection ID {str(client_id)!r}")
    return client


def _auth_fields(record) -> dict:
    from runtime.data import fields as F

    out = {"collectionId": record.collection.get("id", ""), "collectionName": record.collection.get("name", "")}
    for name, field in record.fields.items():
        if name not in ("password", "tokenKey"):
            out[name] = F.export(field, record.values[name])
    return out


def _snapshot(client) -> dict:
    auth = client.auth
    return {"id": client.id, "subscriptions": client.subscriptions,
            "auth": _auth_fields(auth[1]) if auth is not None else None}


def _clients(ctx) -> list:
    return [_snapshot(c) for c in _broker(ctx).clients().values()]


def _one(ctx, client_id):
    client = _broker(ctx).client_by_id(str(client_id))
    return None if client is None else _snapshot(client)


def _send(ctx, client_id, name, data):
    _broker(ctx).send_to(client_id, name, data)


def _get(ctx, client_id, key):
    client = _client(ctx, client_id)
    if key == AUTH_KEY:
        auth = client.auth
        return _auth_fields(auth[1]) if auth is not None else None
    value = client.get(key)
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return None
    return value


def _set(ctx, client_id, key, value):
    if key == AUTH_KEY:
        raise ValueError("pagesvm: a realtime client's auth is set by its subscription request")
    _client(ctx, client_id).set(key, value)


def _unset(ctx, client_id, key):
    _client(ctx, client_id).unset(key)


def _subscribe(ctx, client_id, topics, on):
    client = _client(ctx, client_id)
    if on:
        client.subscribe(*topics)
    else:
        client.unsubscribe(*topics)
    return client.subscriptions


def _unregister(ctx, client_id):
    _broker(ctx).unregister(str(client_id))


def _discarded(ctx, client_id):
    client = _broker(ctx).client_by_id(str(client_id))
    return client is None or client.discarded


for _name, _fn in (("clients", _clients), ("client", _one), ("send", _send), ("get", _get), ("set", _set),
                   ("unset", _unset), ("subscribe", _subscribe), ("unregister", _unregister),
                   ("discarded", _discarded), ("total", lambda ctx: _broker(ctx).total_clients())):
    FAMILY.add(f"pv_realtime.{_name}", _fn, hidden=True)
