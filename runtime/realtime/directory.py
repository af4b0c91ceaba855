"""The realtime clients of the other workers, as this worker knows them: PocketBase keeps every client in one
process, pagesvm in several, and server code (`$app.subscriptionsBroker().clients()`, `clientById`, the
realtime plugin's loops) must see them all.

Each worker tells the others (through the supervisor, runtime/serve/realtime_hub.py) of its clients as
*entries*, plain JSON: `{"id", "subs": [topic…], "auth": [collectionId, recordId] | null, "ip"}`, sent when a
client connects, when its subscriptions or auth change (coalesced: one entry per client per loop turn) and
`gone` when it leaves. A `RemoteClient` stands for one such entry: it answers `has_subscription`,
`subscriptions`, `auth` (the record read from data.db when asked) like a local `Client`, and what acts on
the client (`send`, `subscribe`, `set`, `discard`) is published as a payload the owning worker delivers.

Consistency is eventual: a worker sees another's client, and its subscription changes, once the supervisor has
passed the entry on, typically within a loop turn of each process (well under a millisecond on one machine);
a message sent to a client that left meanwhile is dropped, as PocketBase drops one sent to a discarded client.
A remote client's store (`get`/`set` of keys other than `auth`) lives with its owner: `get` reads nothing here.
"""
from __future__ import annotations

from runtime.data.db import NotFoundError
from runtime.data.process import store_for

from .clients import IP_KEY, Client, topic_options


def entry_of(client: Client) -> dict:
    """A local client as the other workers are told of it."""
    auth = client.auth
    return {"id": client.id, "subs": list(client.subscriptions),
            "auth": [auth[0].id, auth[1].id] if auth is not None else None, "ip": client.get(IP_KEY) or ""}


def auth_of(data_dir: str, ids) -> tuple | None:
    """(collection, record) of `[collectionId, recordId]` read from data.db; None for a guest, or a record gone
    since (the client is then a guest, as a token of a deleted record signs nobody in)."""
    if not (isinstance(ids, (list, tuple)) and len(ids) == 2):
        return None
    store = store_for(data_dir)
    try:
        return (store.find_collection_by_name_or_id(str(ids[0])), store.find_record_by_id(str(ids[0]), str(ids[1])))
    except (NotFoundError, LookupError):
        return None


class RemoteClient:
    """A client of another worker (duck-typed as `Client` for the broker's callers)."""

    __slots__ = ("id", "subscriptions", "bases", "auth_ids", "ip", "broker", "_auth")
    discarded = False
    sink = None

    def __init__(self, broker, entry: dict):
        self.broker = broker
        self.id = str(entry["id"])
        self.update(entry)

    def update(self, entry: dict) -> None:
        self.subscriptions = {str(t): topic_options(str(t)) for t in entry.get("subs") or ()}
        self.bases = {t.partition("?")[0] for t in self.subscriptions}
        auth = entry.get("auth")
        self.auth_ids = tuple(auth) if isinstance(auth, list) and len(auth) == 2 else None
        self.ip = str(entry.get("ip") or "")
        self._auth = False  # read again when next asked

    def has_subscription(self, topic: str) -> bool:
        return topic in self.subscriptions

    def matching(self, *prefixes: str) -> dict:
        return Client.matching(self, *prefixes)

    @property
    def auth(self):
        """(collection, record) the client signed in as, read from data.db (None: a guest, or gone since)."""
        if self._auth is False:
            self._auth = auth_of(self.broker.data_dir, self.auth_ids)
        return self._auth

    def get(self, key: str):
        if key == IP_KEY:
            return self.ip
        return self.auth if key == "auth" else None

    # -- what acts on the client: published, delivered by its owner -----------------------------------------
    def send(self, message) -> None:
        self.broker.send_to(self.id, message.name, message.data)

    def _act(self, op: str, **fields) -> None:
        self.broker.publish({"type": op, "client": self.id, **fields})

    def subscribe(self, *topics: str) -> None:
        self._act("subscribe", topics=[str(t) for t in topics if t], on=True)
        self.update({**self._entry(), "subs": list(self.subscriptions) + [t for t in topics if t]})

    def unsubscribe(self, *topics: str) -> None:
        self._act("subscribe", topics=[str(t) for t in topics], on=False)
        kept = [t for t in self.subscriptions if topics and t not in topics]
        self.update({**self._entry(), "subs": kept})

    def set(self, key: str, value) -> None:
        self._act("store", key=str(key), value=value)

    def unset(self, key: str) -> None:
        self._act("store", key=str(key), unset=True)

    def discard(self) -> None:
        self._act("discard")

    def sign_in(self, auth) -> None:
        """Its subscription request landed in this worker: the owner signs it in (ids only cross, the record is
        read there), and this worker's entry follows at once."""
        ids = [auth[0].id, auth[1].id] if auth is not None else None
        self._act("signin", auth=ids)
        self.update({**self._entry(), "subs": list(self.subscriptions), "auth": ids})

    def _entry(self) -> dict:
        return {"id": self.id, "auth": list(self.auth_ids) if self.auth_ids else None, "ip": self.ip}


class Directory:
    """The other workers' clients, kept from the entries the supervisor passes on."""

    def __init__(self, broker):
        self.broker = broker
        self.clients: dict[str, RemoteClient] = {}
        # client id -> [(topics, callback)]: subscription requests served here, answered once the owner has them
        self.waiting: dict[str, list] = {}

    def __len__(self) -> int:
        return len(self.clients)

    def get(self, client_id: str) -> RemoteClient | None:
        return self.clients.get(client_id)

    def known(self, entry: dict) -> None:
        """A client of another worker connected, or changed its subscriptions or auth."""
        found = self.clients.get(str(entry.get("id", "")))
        if found is not None:
            found.update(entry)
        elif entry.get("id"):
            found = self.clients[str(entry["id"])] = RemoteClient(self.broker, entry)
        if found is not None and found.id in self.waiting:
            self._settle(found.id, set(found.subscriptions))

    def gone(self, client_id: str) -> None:
        self.clients.pop(str(client_id), None)
        self._settle(str(client_id), None)

    def await_owner(self, client_id: str, topics, callback) -> None:
        """Call ``callback()`` once the owner of ``client_id`` announces exactly ``topics`` as its subscriptions
        (it has applied the acts this worker sent it, so a write anywhere reaches the client), or the client is gone.
        The caller also answers on its own after a time limit (runtime/http/realtime_routes.py OWNER_WAIT)."""
        self.waiting.setdefault(client_id, []).append((set(topics), callback))

    def _settle(self, client_id: str, subscriptions) -> None:
        waiting = self.waiting.get(client_id)
        if not waiting:
            return
        kept = [(topics, callback) for topics, callback in waiting if subscriptions is not None and topics != subscriptions]
        if kept:
            self.waiting[client_id] = kept
        else:
            del self.waiting[client_id]
        for topics, callback in waiting:
            if subscriptions is None or topics == subscriptions:
                callback()

    def clear(self) -> None:
        self.clients.clear()
        waiting, self.waiting = self.waiting, {}
        for entries in waiting.values():
            for _, callback in entries:
                callback()
