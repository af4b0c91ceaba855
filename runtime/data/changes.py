"""Record writes told to whoever listens, once their transaction committed: the seam realtime listens on.

Every create, update and delete of a record goes through `DataStore._save`/`_delete`, whichever path started it
(the REST API, a page's `$app.save`, a record hook, `ctx.app` in Python, a delete's cascade), so that is where a
write is noted. A noted write waits on its `Database` until the outermost transaction commits, and is dropped if
it rolls back: a listener never hears of a write that did not happen. Nothing is noted while nobody listens
(realtime listens only while it has clients), so a worker without realtime clients pays one dict test per write.

A listener is `fn(events)` with `events` a list of `(action, collection shape, column values)`, the values the
columns hold (or held, for a delete) as plain JSON-able values, in the order the writes were made.
"""
from __future__ import annotations

import logging

log = logging.getLogger("pagesvm")

_listeners: dict[str, list] = {}  # data.db path -> listeners


def listen(db_path: str, fn) -> None:
    _listeners.setdefault(db_path, []).append(fn)


def unlisten(db_path: str, fn) -> None:
    found = _listeners.get(db_path)
    if found and fn in found:
        found.remove(fn)
        if not found:
            del _listeners[db_path]


def note(db, action: str, collection: dict, values: dict) -> None:
    """A write made inside `db`'s open transaction (called by DataStore only when someone listens)."""
    if db.path not in _listeners:
        return
    if db.committed is None:
        db.committed = []
    db.committed.append((action, collection, values))


def committed(db, events: list) -> None:
    """`db`'s outermost transaction committed with these writes: every listener hears of them."""
    for fn in list(_listeners.get(db.path, ())):
        try:
            fn(events)
        except Exception:  # noqa: BLE001 - a listener's failure must not fail a write already committed
            log.exception("a listener of committed record writes failed")
