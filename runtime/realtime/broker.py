"""`Broker`: the clients of one worker, and the one way anything reaches them, `publish(payload)`.

Everything sent to realtime clients is published as a plain JSON payload:

* `{"type": "record", "action": "create"|"update"|"delete", "collection": id, "record": {column: value}}`: a
  record write, published by the broker itself once the write committed (runtime.data.changes), from any path;
* `{"type": "client", "client": id, "name": topic, "data": text}`: a message server code sent to one client
  (`client.send(new SubscriptionMessage(...))` in JavaScript);
* `{"type": "topic", "name": topic, "data": text}`: a message for every client subscribed to `topic`.

`publish` hands the payload to `transport`, and whoever receives it calls `deliver(payload)`, which judges a
record event for each client here (rules.py: its collection's rules under that client's auth) and sends.
In-process delivery is the default transport: `deliver` runs through `schedule` (the HTTP layer gives the
event loop's `add_callback`, so messages leave once the current evaluation or request is done; tests run it at
once). Since a payload is plain JSON and judged where it is delivered, a transport across worker processes
plugs in here: set `transport` to a function that carries the payload to the supervisor (runtime/serve/
control.py) for every worker, each of which calls its own broker's `deliver`; it should also keep
`listening` on while any worker has clients, since the writes of this worker then matter to others.
"""
from __future__ import annotations

import logging
import os

from runtime.data import changes

from .clients import AUTH_KEY, Client, Message
from .records import RecordEvents

log = logging.getLogger("pagesvm")


def _now(fn) -> None:
    fn()


class Broker:
    """The realtime clients of one data folder in this process, and their messages."""

    def __init__(self, data_dir: str, options: dict | None = None, schedule=None):
        self.data_dir = os.path.abspath(data_dir)
        self.schedule = schedule or _now
        self.transport = self.deliver_later  # publish's way out; see the module's docstring
        self.events = RecordEvents(self.data_dir, options)
        self._clients: dict[str, Client] = {}
        self._db_path = os.path.join(self.data_dir, "data.db")
        self.listening = False

    # -- clients (PocketBase's Broker interface) -------------------------------------------------------------
    def register(self, client: Client) -> None:
        self._clients[client.id] = client
        self._listen(True)

    def unregister(self, client_id: str) -> None:
        client = self._clients.pop(client_id, None)
        if client is not None:
            client.discard()
        if not self._clients:
            self._listen(False)

    def client_by_id(self, client_id: str) -> Client | None:
        return self._clients.get(client_id)

    def clients(self) -> dict[str, Client]:
        return dict(self._clients)

    def total_clients(self) -> int:
        return len(self._clients)

    def _listen(self, on: bool) -> None:
        """Hear of committed record writes only while there is someone to tell (see runtime.data.changes)."""
        if on and not self.listening:
            changes.listen(self._db_path, self._committed)
        elif not on and self.listening:
            changes.unlisten(self._db_path, self._committed)
        self.listening = on

    def _committed(self, events: list) -> None:
        for action, shape, values in events:
            self.publish({"type": "record", "action": action, "collection": shape.get("id", ""),
                          "record": dict(values)})

    # -- publishing and delivering -----------------------------------------------------------------------------
    def publish(self, payload: dict) -> None:
        """Send a payload (plain JSON, see the module's docstring) to whichever clients it concerns."""
        self.transport(payload)

    def send_to(self, client_id: str, name: str, data: str) -> None:
        self.publish({"type": "client", "client": str(client_id), "name": str(name), "data": str(data)})

    def broadcast(self, name: str, data: str) -> None:
        self.publish({"type": "topic", "name": str(name), "data": str(data)})

    def deliver_later(self, payload: dict) -> None:
        self.schedule(lambda: self.deliver(payload))

    def deliver(self, payload: dict) -> None:
        """Send a published payload to the clients of this process it concerns."""
        kind = payload.get("type")
        if kind == "client":
            client = self._clients.get(payload.get("client", ""))
            if client is not None:
                client.send(Message(payload["name"], payload.get("data", "")))
        elif kind == "topic":
            message = Message(payload["name"], payload.get("data", ""))
            for client in list(self._clients.values()):
                if payload["name"] in client.subscriptions:
                    client.send(message)
        elif kind == "record":
            try:
                self._record(payload)
            except Exception:  # noqa: BLE001 - one event failing must not stop the next ones
                log.exception("realtime: delivering a record %s failed", payload.get("action"))

    def _record(self, payload: dict) -> None:
        clients = list(self._clients.values())
        if not clients:
            return
        self.events.auth_changed(clients, payload)
        for client, message in self.events.messages(clients, payload):
            client.send(message)

    def close(self) -> None:
        """Forget every client (their streams are the HTTP layer's to end) and stop listening."""
        for client_id in list(self._clients):
            self.unregister(client_id)

    @staticmethod
    def is_same_auth(a, b) -> bool:
        """PocketBase's isSameAuth over two (collection, record) pairs (None: no auth)."""
        if a is None or b is None:
            return a is None and b is None
        return a[1].id == b[1].id and a[0].id == b[0].id


__all__ = ["AUTH_KEY", "Broker", "Client", "Message"]
