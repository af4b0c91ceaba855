"""One DataStore per data folder per process.

A worker opens data.db once and keeps the connection for its life (a connection is cheap to
keep and costly to open per request). A connection must never cross a fork: the supervisor may
have opened the file (migrations) before its workers were forked, so a store made in another
process is left alone (never closed here: its file descriptor belongs to that process's
connection) and a fresh one is opened.
"""
from __future__ import annotations

import os
import threading

from .db import Database
from .store import DataStore

_stores: dict[str, tuple[int, DataStore]] = {}
_lock = threading.Lock()


def store_for(data_dir: str) -> DataStore:
    """The DataStore of `data_dir/data.db` for this process (created, like the binary, on first use)."""
    key = os.path.abspath(data_dir)
    found = _stores.get(key)
    if found is not None and found[0] == os.getpid():
        return found[1]
    with _lock:
        found = _stores.get(key)
        if found is None or found[0] != os.getpid():
            found = _stores[key] = (os.getpid(), DataStore(Database.open(key)))
        return found[1]


def forget(data_dir: str | None = None) -> None:
    """Close this process's store of `data_dir` (all of them when None); tests and shutdown."""
    with _lock:
        for key in [os.path.abspath(data_dir)] if data_dir else list(_stores):
            found = _stores.pop(key, None)
            if found is not None and found[0] == os.getpid():
                found[1].db.close()
