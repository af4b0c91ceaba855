"""Read the users of a PocketBase data.db (before and after v0.23), read-only.

PocketBase keeps an auth collection in a table named after it. Since v0.23 the
hash column is `password`; before it was `passwordHash`. JSON-typed columns
(json fields, multi-value selects, files, relations) hold JSON text.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

_HASH_COLUMNS = ("password", "passwordHash")
_SYSTEM = {"id", "email", "tokenKey", "verified", "emailVisibility", "created", "updated",
           *_HASH_COLUMNS}


class PocketBaseImportError(ValueError):
    """The file cannot be read as PocketBase data; the message says why."""


def read_pocketbase_users(path, collection: str = "users") -> list[dict]:
    """Every user of `collection` as {id, email, password, tokenKey, verified,
    emailVisibility, created, updated, fields}."""
    path = Path(path)
    if not path.is_file():
        raise PocketBaseImportError(f"{path}: no such file")
    try:
        src = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise PocketBaseImportError(f"{path}: cannot open: {exc}") from None
    try:
        src.row_factory = sqlite3.Row
        columns = _auth_table_columns(src, collection, path)
        hash_col = next((c for c in _HASH_COLUMNS if c in columns), None)
        if "email" not in columns or hash_col is None:
            raise PocketBaseImportError(
                f"{path}: table {collection!r} has no email/password columns")
        rows = src.execute(f'SELECT * FROM "{collection}"').fetchall()
    except sqlite3.DatabaseError as exc:
        raise PocketBaseImportError(f"{path}: not a readable SQLite database ({exc})") from None
    finally:
        src.close()
    return [_to_user(row, columns, hash_col) for row in rows]


def _auth_table_columns(src: sqlite3.Connection, collection: str, path: Path) -> dict:
    """{column: declared type} of the collection's table, checking it is an auth one."""
    tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "_collections" in tables:
        row = src.execute("SELECT type FROM _collections WHERE name = ?", (collection,)).fetchone()
        if row is not None and row[0] != "auth":
            raise PocketBaseImportError(f"{path}: collection {collection!r} is not an auth collection")
    if collection not in tables:
        raise PocketBaseImportError(f"{path}: no {collection!r} table")
    info = src.execute(f'PRAGMA table_info("{collection}")').fetchall()
    return {r["name"]: (r["type"] or "").upper() for r in info}


def _to_user(row: sqlite3.Row, columns: dict, hash_col: str) -> dict:
    def get(name, default=None):
        return row[name] if name in columns else default

    fields = {name: _value(row[name], columns[name])
              for name in columns if name not in _SYSTEM}
    return {
        "id": get("id"), "email": get("email") or "", "password": get(hash_col) or "",
        "tokenKey": get("tokenKey") or "", "verified": bool(get("verified", 0)),
        "emailVisibility": bool(get("emailVisibility", 0)),
        "created": get("created") or "", "updated": get("updated") or "", "fields": fields,
    }


def _value(value, declared: str):
    if declared.startswith("JSON") and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if declared.startswith("BOOL") and value is not None:
        return bool(value)
    return value
