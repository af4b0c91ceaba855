"""The store family: ``store(name)`` reads, ``store(name, value)`` writes and returns value.

PocketPages keeps this in the PocketBase process's memory. pagesvm runs several worker
processes, so the values live in SQLite (``<data dir>/store.db``) where every worker
sees every write at once. Values are JSON; a write is one short transaction.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from .registry import BindingError, Registry
from .sqlite_db import ProcessLocalDB

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
binding = FAMILY.binding

DB_FILE = "store.db"
MAX_NAME = 256
MAX_VALUE = 1024 * 1024  # bytes of JSON per value

# Append only: a released version never changes.
MIGRATIONS: list[tuple[int, str]] = [
    (1, """
        CREATE TABLE store (
            name    TEXT PRIMARY KEY NOT NULL,
            value   TEXT NOT NULL,
            updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ', 'now'))
        );
    """),
]

_DATABASES: dict[str, ProcessLocalDB] = {}


def database(data_dir: str) -> ProcessLocalDB:
    """This process's handle on the shared store of ``data_dir``."""
    key = os.path.abspath(data_dir)
    db = _DATABASES.get(key)
    if db is None:
        db = _DATABASES[key] = ProcessLocalDB(Path(key) / DB_FILE, MIGRATIONS)
    return db


def read(data_dir: str, name: str):
    with database(data_dir).reading() as conn:
        row = conn.execute("SELECT value FROM store WHERE name = ?", (name,)).fetchone()
    return None if row is None else json.loads(row[0])


def write(data_dir: str, name: str, value) -> None:
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    if len(text) > MAX_VALUE:
        raise BindingError(f"store: value for {name!r} is over {MAX_VALUE} bytes of JSON", 500)
    with database(data_dir).writing() as conn:
        conn.execute("INSERT INTO store (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET "
                     "value = excluded.value, updated = strftime('%Y-%m-%d %H:%M:%fZ', 'now')", (name, text))


@binding("store")
def store(ctx, name, *value):
    """Shared value NAME (all workers); with VALUE, set it and return it. undefined reads."""
    if not isinstance(name, str) or not name or len(name) > MAX_NAME:
        raise BindingError(f"store: the name must be a non-empty string of at most {MAX_NAME} characters", 500)
    # A JavaScript `undefined` arrives as null: as in PocketPages, that is a read.
    if not value or value[0] is None:
        return read(ctx.data_dir, name)
    write(ctx.data_dir, name, value[0])
    return value[0]
