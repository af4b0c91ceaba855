"""PocketBase's realtime API as plain Python: clients, their subscriptions, and what reaches them.

It sits between the bindings and the REST API (… → bindings → realtime → api → data): record events are judged
with the API's rules and exported as the API would answer (runtime.api.rules, runtime.api.export), and the
bindings' `$app.subscriptionsBroker()` hands page code the same `Broker`. Nothing here touches Tornado or
JavaScript: the SSE stream is runtime/http/realtime_routes.py, which gives each client the function writing
its events (`Client.sink`).

* `broker.py`: `Broker` (register, unregister, clients, `publish(payload)` with plain JSON payloads: the seam a
  cross-worker transport plugs into) fed by runtime.data.changes with every committed record write;
* `clients.py`: `Client` (subscriptions with their `?options=`, a store, `send`), `Message` (an SSE event);
* `records.py`: a record event judged per client and subscription (rules, filter, export);
* `subscribe.py`: `POST /api/realtime`.
"""
from .broker import Broker
from .clients import AUTH_KEY, Client, Message, topic_options
from .subscribe import set_subscriptions

__all__ = ["AUTH_KEY", "Broker", "Client", "Message", "set_subscriptions", "topic_options"]
