"""The application settings PocketBase keeps in `_params` (id `settings`), read over the binary's defaults.

One reader for every layer: `$app.settings()` (bindings/app_query.py, which then drops the secrets), the mail
transport (SMTP host and credentials) and the auth mails of the REST API (`meta.appName`, `meta.appURL`, the
sender). A row that is missing or unreadable reads as the defaults, as a fresh folder's.
"""
from __future__ import annotations

import json

from .db import dump_json, now_stamp
from .schema import default_settings


def merged(defaults: dict, stored: dict) -> dict:
    """`stored` over `defaults`, object by object, so a partial row keeps every default it leaves out."""
    out = dict(defaults)
    for key, value in stored.items():
        out[key] = merged(defaults[key], value) if isinstance(value, dict) and isinstance(defaults.get(key),
                                                                                          dict) else value
    return out


def load_settings(store) -> dict:
    """Every setting, secrets included (server side only); `store` is a runtime.data DataStore."""
    return _read(store.db)


def save_settings(db, changed: dict) -> dict:
    """`app.save(app.settings())`: `changed` over what is stored, object by object, so a secret the reader
    left out (`smtp.password`) keeps its stored value; written as the binary writes the row (a JSON BLOB)."""
    if not isinstance(changed, dict):
        raise ValueError("settings must be an object")
    value = merged(_read(db), changed)
    stamp = now_stamp()
    db.execute("INSERT INTO _params (id, value, created, updated) VALUES ('settings', ?, ?, ?) "
               "ON CONFLICT(id) DO UPDATE SET value = excluded.value, updated = excluded.updated",
               (dump_json(value).encode("utf-8"), stamp, stamp))
    return value


def _read(db) -> dict:
    row = db.execute("SELECT value FROM _params WHERE id = 'settings'").fetchone()
    stored = {}
    if row is not None and row[0]:
        try:
            stored = json.loads(row[0].decode("utf-8") if isinstance(row[0], bytes) else row[0])
        except (ValueError, UnicodeDecodeError):
            stored = {}
    return merged(default_settings(), stored if isinstance(stored, dict) else {})
