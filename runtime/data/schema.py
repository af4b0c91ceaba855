"""What a new data.db holds before any user migration, matching a fresh PocketBase 0.40.6 folder.

The bookkeeping tables (`_migrations`, `_params`, `_collections`), the binary's own migrations marked
as applied (so it runs none of them again on this file), its default settings row, the system
collections and their tables; and `auxiliary.db` with the `_logs` table the binary's first migration
puts there (the migration is recorded in data.db, so the binary would not create it itself).
"""
from __future__ import annotations

import sqlite3
import time

from .collections import save_collection
from .db import Database, dump_json, now_stamp
from .system_collections import system_collections

_STAMP_DEFAULT = "DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL"
_ID_DEFAULT = "TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL"

# The binary's built-in migrations, in the order it records them.
SYSTEM_MIGRATIONS = (
    "1640988000_aux_init.go",
    "1640988000_init.go",
    "1717233556_v0.23_migrate.go",
    "1717233557_v0.23_migrate2.go",
    "1717233558_v0.23_migrate3.go",
    "1717233559_v0.23_migrate4.go",
    "1763020353_update_default_auth_alert_templates.go",
    "1778828400_normalize_indexes.go",
)

_TABLES = (
    "CREATE TABLE `_migrations` (file VARCHAR(255) PRIMARY KEY NOT NULL, applied INTEGER NOT NULL)",
    f"CREATE TABLE `_params` (`id` {_ID_DEFAULT}, `value` JSON DEFAULT NULL, "
    f"`created` TEXT {_STAMP_DEFAULT}, `updated` TEXT {_STAMP_DEFAULT})",
    f"CREATE TABLE `_collections` (`id` {_ID_DEFAULT}, `system` BOOLEAN DEFAULT FALSE NOT NULL, "
    "`type` TEXT DEFAULT \"base\" NOT NULL, `name` TEXT UNIQUE NOT NULL, "
    "`fields` JSON DEFAULT \"[]\" NOT NULL, `indexes` JSON DEFAULT \"[]\" NOT NULL, "
    "`listRule` TEXT DEFAULT NULL, `viewRule` TEXT DEFAULT NULL, `createRule` TEXT DEFAULT NULL, "
    "`updateRule` TEXT DEFAULT NULL, `deleteRule` TEXT DEFAULT NULL, `options` JSON DEFAULT \"{}\" NOT NULL, "
    f"`created` TEXT {_STAMP_DEFAULT}, `updated` TEXT {_STAMP_DEFAULT})",
    "CREATE INDEX idx__collections_type on `_collections` (`type`)",
)

_AUX_TABLES = (
    "CREATE TABLE `_logs` (`id` " + _ID_DEFAULT + ", `level` INTEGER DEFAULT 0 NOT NULL, "
    "`message` TEXT DEFAULT \"\" NOT NULL, `data` JSON DEFAULT \"{}\" NOT NULL, `created` TEXT " + _STAMP_DEFAULT + ")",
    "CREATE INDEX idx_logs_level on `_logs` (`level`)",
    "CREATE INDEX idx_logs_message on `_logs` (`message`)",
    "CREATE INDEX idx_logs_created_hour on `_logs` (strftime('%Y-%m-%d %H:00:00', `created`))",
)


def _s3() -> dict:
    return {"enabled": False, "bucket": "", "region": "", "endpoint": "", "accessKey": "", "forcePathStyle": False}


def default_settings() -> dict:
    """The `settings` row of a fresh folder, keys in the binary's order."""
    return {
        "superuserIPs": [],
        "smtp": {"enabled": False, "port": 587, "host": "smtp.example.com", "username": "", "password": "",
                 "authMethod": "", "tls": False, "localName": ""},
        "backups": {"cron": "", "cronMaxKeep": 3, "s3": _s3()},
        "s3": _s3(),
        "meta": {"accentColor": "#1055c9", "appName": "Acme", "appURL": "http://localhost:8090",
                 "senderName": "Support", "senderAddress": "support@example.com", "hideControls": False},
        "rateLimits": {"rules": [
            {"label": "*:auth", "audience": "", "duration": 3, "maxRequests": 2},
            {"label": "*:create", "audience": "", "duration": 5, "maxRequests": 20},
            {"label": "/api/batch", "audience": "", "duration": 1, "maxRequests": 3},
            {"label": "/api/", "audience": "", "duration": 10, "maxRequests": 300},
        ], "excludedIPs": [], "enabled": False},
        "trustedProxy": {"headers": [], "useLeftmostIP": False},
        "batch": {"enabled": False, "maxRequests": 50, "timeout": 3, "maxBodySize": 0},
        "logs": {"maxDataSize": 0, "maxDays": 5, "minLevel": 0, "logIP": True, "logAuthId": False},
    }


def record_migration(db: Database, file: str) -> None:
    """Mark `file` applied now (microseconds since the epoch, as the binary stores it)."""
    db.execute("INSERT INTO _migrations (file, applied) VALUES (?, ?)", (file, time.time_ns() // 1000))


def initialise(db: Database) -> None:
    """Create everything a fresh folder holds; runs inside the caller's transaction."""
    for sql in _TABLES:
        db.execute(sql)
    for collection in system_collections():
        save_collection(db, collection)
    stamp = now_stamp()
    db.execute("INSERT INTO _params (id, value, created, updated) VALUES ('settings', ?, ?, ?)",
               (dump_json(default_settings()).encode("utf-8"), stamp, stamp))  # a BLOB, as the binary stores it
    for file in SYSTEM_MIGRATIONS:
        record_migration(db, file)


def ensure_auxiliary(path: str) -> None:
    """auxiliary.db with its `_logs` table, created when missing (WAL, like data.db)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)  # workers may open a new folder together
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_logs'").fetchone() is None:
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_logs'").fetchone() is None:
                for sql in _AUX_TABLES:
                    conn.execute(sql)
            conn.execute("COMMIT")
    finally:
        conn.close()

