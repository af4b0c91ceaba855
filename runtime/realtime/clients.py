"""A realtime client and the messages it is sent, as PocketBase's `tools/subscriptions` defines them.

A client is one `GET /api/realtime` connection: a random 40-character id, its subscriptions (each topic as the
client sent it, with the options PocketBase reads from a `?options={"query":{..},"headers":{..}}` suffix), a small
store of values (`auth`: who it signed in as, `(collection, record)`), and where its messages go: `sink`, a
function the HTTP layer gives (it writes one SSE event), or, without one, the `outbox` list (tests, and a client
registered by server code). A discarded client (its connection closed) takes no more messages.
"""
from __future__ import annotations

import json
import re
import secrets
import string
import urllib.parse

AUTH_KEY = "auth"  # the store key holding the client's auth, as PocketBase names it
IP_KEY = "pbRealtimeClientIP"
_ID_CHARS = string.ascii_letters + string.digits
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def new_client_id() -> str:
    return "".join(secrets.choice(_ID_CHARS) for _ in range(40))


class Message:
    """One event: `name` (the SSE event name: a topic as subscribed, options suffix included) and `data`, text."""

    __slots__ = ("name", "data")

    def __init__(self, name: str, data: str | bytes = ""):
        self.name = str(name)
        self.data = data.decode("utf-8", "replace") if isinstance(data, (bytes, bytearray)) else str(data)

    def sse(self, event_id: str) -> bytes:
        """The message as PocketBase writes it on the stream (`id:` is the client's id on every event).

        Unlike the binary, which writes the data raw, data holding line breaks (CR, LF, CRLF: each ends an SSE
        line) is written as several `data:` lines, which EventSource joins back with LF: a custom message
        carrying a visitor's text cannot end its event and add events (a forged `@oauth2`) to others' streams.
        A name's line breaks are dropped (the rest of such a name would only be fields of the attacker's)."""
        name, data = self.name, self.data
        if "\n" in name or "\r" in name:
            name = name.replace("\r", "").replace("\n", "")
        if "\n" in data or "\r" in data:
            data = "\ndata:".join(_LINE_BREAK.split(data))
        return f"id:{event_id}\nevent:{name}\ndata:{data}\n\n".encode("utf-8")

    def to_json(self) -> dict:
        return {"name": self.name, "data": self.data}


def _snake(name: str) -> str:
    """PocketBase's inflector.Snakecase for a header name: `X-Token` -> `x_token`."""
    out, previous = [], ""
    for char in name.strip():
        if char.isalnum():
            if char.isupper() and previous and (previous.islower() or previous.isdigit()):
                out.append("_")
            out.append(char.lower())
        elif out and out[-1] != "_":
            out.append("_")
        previous = char
    return "".join(out).strip("_")


def _text(value) -> str:
    """Go's cast.ToString of a decoded JSON value: numbers without a needless `.0`, true/false, "" for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return ""
    return str(value)


def topic_options(topic: str) -> dict:
    """{"query": {..}, "headers": {..}} from a topic's `?options=` suffix (empty maps when none or unreadable)."""
    query, headers = {}, {}
    _, mark, rest = topic.partition("?")
    if mark:
        raw = urllib.parse.parse_qs(rest, keep_blank_values=True).get("options", [""])[0]
        try:
            found = json.loads(raw) if raw else {}
        except ValueError:
            found = {}
        if isinstance(found, dict):
            if isinstance(found.get("query"), dict):
                query = {str(k): _text(v) for k, v in found["query"].items()}
            if isinstance(found.get("headers"), dict):
                headers = {_snake(str(k)): _text(v) for k, v in found["headers"].items()}
    return {"query": query, "headers": headers}


class Client:
    """One subscriber. Its methods are PocketBase's Client interface (`has_subscription`, `subscribe`, …)."""

    __slots__ = ("id", "subscriptions", "bases", "store", "sink", "outbox", "discarded", "watcher")

    def __init__(self, client_id: str | None = None, sink=None):
        self.id = client_id or new_client_id()
        self.subscriptions: dict[str, dict] = {}  # topic as sent -> its options
        self.bases: set[str] = set()  # the topics without their `?…` suffix: what an event is first matched on
        self.store: dict = {}
        self.sink = sink
        self.outbox: list[Message] = []
        self.discarded = False
        self.watcher = None  # told of each change of subscriptions or auth (the broker: for the other workers)

    # -- subscriptions ---------------------------------------------------------------------------------------
    def subscribe(self, *topics: str) -> None:
        for topic in topics:
            if topic:
                self.subscriptions[topic] = topic_options(topic)
        self._index()

    def unsubscribe(self, *topics: str) -> None:
        """The given topics, or every one when none is given."""
        if topics:
            for topic in topics:
                self.subscriptions.pop(topic, None)
        else:
            self.subscriptions.clear()
        self._index()

    def _index(self) -> None:
        self.bases = {topic.partition("?")[0] for topic in self.subscriptions}
        if self.watcher is not None:
            self.watcher(self)

    def has_subscription(self, topic: str) -> bool:
        return topic in self.subscriptions

    def matching(self, *prefixes: str) -> dict:
        """PocketBase's Subscriptions(prefixes…): topics whose `topic + "?"` starts with one of the prefixes."""
        if not prefixes:
            return dict(self.subscriptions)
        return {t: o for t, o in self.subscriptions.items() if any((t + "?").startswith(p) for p in prefixes)}

    # -- store -----------------------------------------------------------------------------------------------
    def get(self, key: str):
        return self.store.get(key)

    def set(self, key: str, value) -> None:
        self.store[key] = value
        if key == AUTH_KEY and self.watcher is not None:
            self.watcher(self)

    def sign_in(self, auth) -> None:
        """The auth its own subscription request carried ((collection, record), or None: a guest)."""
        if auth is None:
            self.unset(AUTH_KEY)
        else:
            self.set(AUTH_KEY, auth)

    def unset(self, key: str) -> None:
        self.store.pop(key, None)
        if key == AUTH_KEY and self.watcher is not None:
            self.watcher(self)

    @property
    def auth(self):
        """(collection, record) the client signed in as, or None."""
        return self.store.get(AUTH_KEY)

    # -- sending ---------------------------------------------------------------------------------------------
    def send(self, message: Message) -> None:
        if self.discarded:
            return
        if self.sink is not None:
            self.sink(message)
        else:
            self.outbox.append(message)

    def discard(self) -> None:
        self.discarded = True
        self.sink = None
