"""Users brought into an auth collection as they are (hash, tokenKey, id, dates), and the one-time
upgrade of a data folder written by pagesvm before its data.db was PocketBase's.

Up to issue 14 pagesvm kept its own `users` table (custom fields in a JSON column `fields`) in
`DATA/data.db`, with a `schema_migrations` table and no `_collections`. The first open of such a folder
renames that file to `data.db.pagesvm-users-v1` (kept, never deleted), makes a fresh PocketBase data.db
and copies every user into its `users` collection with the same id, bcrypt hash, tokenKey, flags and
dates: passwords keep working, while old cookies, signed with the retired server secret, no longer
verify and read as signed out. Copying is also what `pagesvm users import-pocketbase` does.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import urllib.parse

from .ddl import quote
from .fields import PasswordValue

log = logging.getLogger("pagesvm.data")
LEGACY_SUFFIX = ".pagesvm-users-v1"
_SYSTEM = ("id", "email", "tokenKey", "verified", "emailVisibility", "created", "updated")
# The old store's schema, kept so tests (and anyone curious) can make a folder to upgrade.
LEGACY_SCHEMA = """
    CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY NOT NULL, applied TEXT NOT NULL);
    INSERT INTO schema_migrations VALUES (1, '2024-01-01 00:00:00.000Z');
    CREATE TABLE users (id TEXT PRIMARY KEY NOT NULL, email TEXT NOT NULL, password TEXT NOT NULL,
        tokenKey TEXT NOT NULL, verified INTEGER NOT NULL DEFAULT 0, emailVisibility INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL, updated TEXT NOT NULL, fields TEXT NOT NULL DEFAULT '{}');
    CREATE UNIQUE INDEX users_email ON users (email COLLATE NOCASE);
"""


def add_user(store, collection_key: str, user: dict):
    """Insert `user` ({id, email, password: bcrypt hash, tokenKey, verified, emailVisibility, created,
    updated, fields: {name: value}}) as it is: no new hash, no new key, the fields the collection has."""
    record = store.new_record(collection_key)
    for name, value in (user.get("fields") or {}).items():
        if name in record.fields and name not in _SYSTEM and name != "password":
            record.set(name, value)
    for name in ("id", "email", "tokenKey", "verified", "emailVisibility"):
        if user.get(name) not in (None, ""):
            record.set(name, user[name])
    record.values["password"] = PasswordValue(user["password"], "")
    record.prepare()  # a missing id or tokenKey is made, as on any save
    for name in ("created", "updated"):
        if user.get(name) and name in record.fields:
            record.set_raw(name, user[name])
    values = record.column_values()
    names = list(values)
    store.db.execute(f"INSERT INTO {quote(record.collection['name'])} ({', '.join(map(quote, names))}) "
                     f"VALUES ({', '.join('?' * len(names))})", [values[n] for n in names])
    record.mark_saved()
    return record


def _legacy_users(path: str) -> list[dict]:
    # immutable: read as a plain file (checkpointed, and nobody writes it any more), no -wal/-shm beside it
    conn = sqlite3.connect(f"file:{urllib.parse.quote(os.path.abspath(path))}?immutable=1", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT * FROM users ORDER BY created, rowid").fetchall()
    finally:
        conn.close()
    return [{**dict(r), "fields": json.loads(r["fields"] or "{}")} for r in rows]


def upgrade(old):
    """Replace `old` (a Database on pagesvm's old users store, under Database.open's folder lock) by a new
    PocketBase data.db holding its users; the old file is kept beside it. Returns the new Database."""
    from .db import Database
    from .schema import initialise
    from .store import DataStore

    path = old.path
    old.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything into the main file before it moves
    old.close()
    kept = path + LEGACY_SUFFIX
    while os.path.exists(kept):
        kept += "~"
    os.rename(path, kept)
    for extra in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.rename(path + extra, kept + extra)
    users = _legacy_users(kept)
    db = Database(path)
    store = DataStore(db)

    def fill(db):
        initialise(db)
        for user in users:
            add_user(store, "users", user)
    db.run_in_transaction(fill)
    dropped = sorted({k for u in users for k in u["fields"]} - {"name"})
    log.warning("upgraded %s: %d users copied into the users collection; the old file is kept as %s%s",
                path, len(users), os.path.basename(kept),
                f" (custom fields not in the collection stay there: {', '.join(dropped)})" if dropped else "")
    return db
