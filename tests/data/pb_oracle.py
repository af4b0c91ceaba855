"""The real PocketBase as a test oracle: its CLI on a data folder, and one `serve` process with a superuser.

Nothing here is pagesvm: it runs the installed binary (tests.helpers.pocketbase_binary) and speaks
its REST API, so tests can compare what the binary wrote or answers with what pagesvm does.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess

from tests import helpers
from tests.helpers import pocketbase_binary

_SECRET_KEYS = ("authToken", "passwordResetToken", "emailChangeToken", "verificationToken", "fileToken")


def run_cli(data_dir: str, *args: str) -> str:
    """`pocketbase ARGS --dir DATA` (migrations from an empty folder beside it); its output."""
    migrations = os.path.join(data_dir, "..", "pb_migrations_empty")
    os.makedirs(migrations, exist_ok=True)
    done = subprocess.run([pocketbase_binary(), *args, "--dir", data_dir, "--migrationsDir", migrations],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


class PocketBase(helpers.PocketBase):
    """tests.helpers.PocketBase serving the data folder DATA_DIR itself (its hooks, empty migrations and log
    beside it)."""

    def __init__(self, data_dir: str):
        super().__init__(os.path.dirname(os.path.abspath(data_dir)), data=data_dir)


def normalised_collection(row: dict) -> dict:
    """A `_collections` row (as dict of its columns) with what is random per file replaced."""
    out = dict(row)
    out.pop("created", None)
    out.pop("updated", None)
    options = json.loads(out["options"]) if isinstance(out.get("options"), str) else dict(out.get("options", {}))
    for key in _SECRET_KEYS:
        if isinstance(options.get(key), dict) and "secret" in options[key]:
            secret = options[key]["secret"]
            options[key] = {**options[key], "secret": "<%d alnum>" % len(secret)
                            if re.fullmatch(r"[A-Za-z0-9]+", secret) else secret}
    out["options"] = json.dumps(options)
    return out


def collection_rows(path: str) -> dict[str, dict]:
    """Every `_collections` row of a data.db, by name, in rowid order."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return {r["name"]: dict(r) for r in conn.execute("SELECT * FROM _collections ORDER BY rowid")}
    finally:
        conn.close()


def schema_sql(path: str) -> dict[str, str]:
    """sqlite_master's SQL by object name, whitespace collapsed (the binary indents its own tables)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                            "AND name NOT LIKE 'sqlite_%'").fetchall()
    finally:
        conn.close()
    return {name: re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", " ".join(sql.split()))) for name, sql in rows}


# A collection with every field type, as a site's migration or the dashboard would declare it.
EVERYTHING = {
    "name": "Everything", "type": "base",
    "listRule": "", "viewRule": "", "createRule": "@request.auth.id != ''",
    "fields": [
        {"name": "title", "type": "text", "required": True, "max": 100},
        {"name": "n", "type": "number", "min": 1, "onlyInt": True},
        {"name": "flag", "type": "bool"},
        {"name": "mail", "type": "email", "onlyDomains": ["example.com"]},
        {"name": "site", "type": "url"},
        {"name": "body", "type": "editor"},
        {"name": "when", "type": "date"},
        {"name": "one", "type": "select", "values": ["a", "b"], "maxSelect": 1},
        {"name": "many", "type": "select", "values": ["a", "b", "c"], "maxSelect": 2},
        {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
        {"name": "owners", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 5},
        {"name": "doc", "type": "file", "maxSelect": 1},
        {"name": "docs", "type": "file", "maxSelect": 3, "mimeTypes": ["image/png"]},
        {"name": "data", "type": "json"},
        {"name": "pw", "type": "password"},
        {"name": "geo", "type": "geoPoint"},
        {"name": "created", "type": "autodate", "onCreate": True},
        {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True},
    ],
    "indexes": ["CREATE UNIQUE INDEX idx_everything_title ON Everything (title)",
                "create index idx_everything_two on Everything (n, flag desc)"],
}
RECORDS = [
    {"title": "first", "n": 3, "flag": True, "many": ["a", "c"], "data": {"x": [1, 2], "s": "é"},
     "when": "2024-01-02 03:04:05.000Z", "geo": {"lon": 1.5, "lat": 2}, "one": "b", "body": "<p>hi</p>"},
    {"title": "second"},
]
COMPARED = ("id", "title", "n", "flag", "many", "data", "when", "geo", "one", "body", "owner", "owners", "docs")
