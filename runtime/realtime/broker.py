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
once). Since a payload is plain JSON and judged where it is delivered, any worker can deliver any payload.

Across workers (`pagesvm serve --workers N`), `attach(link)` joins this broker to the others through the
supervisor (runtime/serve/realtime_hub.py; `link.post(message)` writes one control-channel message, never a
network socket): a payload is delivered here at once and posted as `{"rt": payload}` only when another worker
has a client it may concern (the directory says so), and the supervisor passes it to the other workers, whose
`on_link` delivers it. The clients themselves are announced the same way (`{"rtc": entry}`, `{"rtc_gone": id}`;
directory.py), so `clients()`, `client_by_id` and `total_clients` see every worker's clients, and this broker
listens to committed writes while any worker has clients. Payloads acting on one client of another worker
(`subscribe`, `store`, `discard`, besides `client` messages) are delivered by its owner.

Order across workers, as in PocketBase's one process: a payload whose request was answered reaches every
client before any payload of a request begun after that answer. The link holds such an answer until the
supervisor has written the request's payloads into the other workers' channels (`answer_after`; nothing is
held when nothing was posted), and this broker has its link queue what its channel holds (`link.drain()`)
before it queues a payload of its own for its clients, so what came from another worker before goes first.
The link (runtime/serve/worker_control.py `Link`) offers `post`, `drain`, `posted` and `hold`.
"""
from __future__ import annotations

import logging
import os

from runtime.data import changes

from .clients import AUTH_KEY, Client, Message
from .directory import Directory, auth_of, entry_of
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
        self.directory = Directory(self)  # the other workers' clients
        self.link = None  # the way to the other workers (attach), or None: this process alone
        self._dirty: dict[str, None] = {}  # clients to announce again at the next turn
        self.hooks = None  # onRecordEnrich's: record events are then delivered through hooks.deliver (an evaluation)

    # -- clients (PocketBase's Broker interface) -------------------------------------------------------------
    def register(self, client: Client) -> None:
        self._clients[client.id] = client
        client.watcher = self._changed
        self._changed(client)
        self._listen(True)

    def unregister(self, client_id: str) -> None:
        """Forget a client of this worker (one of another worker's is discarded by its owner)."""
        client = self._clients.pop(client_id, None)
        if client is not None:
            client.discard()
            if self.link is not None:
                self.link.post({"rtc_gone": client.id})
        elif client_id in self.directory.clients:
            self.directory.get(client_id).discard()
        self._relisten()

    def client_by_id(self, client_id: str) -> Client | None:
        return self._clients.get(client_id) or self.directory.get(client_id)

    def clients(self) -> dict[str, Client]:
        """Every worker's clients (those of other workers as `RemoteClient`s; see directory.py)."""
        return {**self.directory.clients, **self._clients} if self.directory.clients else dict(self._clients)

    def total_clients(self) -> int:
        return len(self._clients) + len(self.directory)

    def local_clients(self) -> dict[str, Client]:
        """This worker's own clients."""
        return dict(self._clients)

    def _relisten(self) -> None:
        self._listen(bool(self._clients) or len(self.directory) > 0)

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
        elif kind in ("subscribe", "store", "discard", "signin"):
            client = self._clients.get(payload.get("client", ""))
            if client is not None:
                self._act(client, kind, payload)

    def _act(self, client: Client, kind: str, payload: dict) -> None:
        """What another worker's code did to a client of this one."""
        if kind == "discard":
            self.unregister(client.id)
        elif kind == "subscribe":
            topics = [str(t) for t in payload.get("topics") or ()]
            (client.subscribe if payload.get("on") else client.unsubscribe)(*topics)
        elif kind == "signin":  # its subscription request, served by another worker (subscribe.py)
            client.sign_in(auth_of(self.data_dir, payload.get("auth")))
        elif payload.get("key") != AUTH_KEY:  # auth is set by the client's own subscription request only
            if payload.get("unset"):
                client.unset(str(payload.get("key")))
            else:
                client.set(str(payload.get("key")), payload.get("value"))

    # -- across workers (see the module's docstring) -------------------------------------------------------------
    def attach(self, link) -> None:
        """Join the other workers through `link` (its `post(message)` reaches the supervisor)."""
        self.link = link
        self.transport = self._across
        for client in self._clients.values():
            self._changed(client)

    def detach(self) -> None:
        """Alone again (the supervisor went away): forget the other workers' clients."""
        self.link, self.transport = None, self.deliver_later
        self.directory.clear()
        self._relisten()

    def _across(self, payload: dict) -> None:
        if _concerns(payload, self._clients):
            self.link.drain()  # what other workers sent first is delivered first (see the module's docstring)
        self.deliver_later(payload)
        if self._for_others(payload):
            self.link.post({"rt": payload})

    def posted(self) -> int:
        """How many payloads this worker has posted to the others so far (0 alone): taken as a request begins."""
        return self.link.posted if self.link is not None else 0

    def answer_after(self, since: int, callback) -> bool:
        """A request begun when `posted()` was `since` is about to be answered. True: answer now; else
        `callback()` answers it once its payloads are in the other workers' channels (or after a bounded wait)."""
        return self.link is None or self.link.hold(since, callback)

    def _for_others(self, payload: dict) -> bool:
        return _concerns(payload, self.directory.clients)

    def on_link(self, message: dict) -> None:
        """One message from the supervisor: a payload to deliver, or a client of another worker known or gone."""
        if "rt" in message and isinstance(message["rt"], dict):
            self.deliver(message["rt"])
        elif isinstance(message.get("rtc"), dict):
            self.directory.known(message["rtc"])
            self._relisten()
        elif "rtc_gone" in message:
            self.directory.gone(str(message["rtc_gone"]))
            self._relisten()

    def _changed(self, client: Client) -> None:
        """A client of this worker connected or changed its subscriptions or auth: announced at the next turn."""
        if self.link is None:
            return
        first = not self._dirty
        self._dirty[client.id] = None
        if first:
            self.schedule(self._announce)

    def _announce(self) -> None:
        dirty, self._dirty = self._dirty, {}
        for client_id in dirty:
            client = self._clients.get(client_id)
            if client is not None:
                self.link.post({"rtc": entry_of(client)})

    def _record(self, payload: dict) -> None:
        clients = list(self._clients.values())
        if not clients:
            return
        if self.hooks is not None:
            self.hooks.deliver(lambda: self._judged(clients, payload))
        else:
            self._judged(clients, payload)

    def _judged(self, clients: list, payload: dict) -> None:
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


def _concerns(payload: dict, clients) -> bool:
    """Whether ``payload`` may concern one of ``clients`` (ids): a record or topic payload any of them, when there is
    one; another, the client it names."""
    if not clients:
        return False
    return payload.get("type") in ("record", "topic") or payload.get("client") in clients


__all__ = ["AUTH_KEY", "Broker", "Client", "Message"]
