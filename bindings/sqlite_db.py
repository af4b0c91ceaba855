"""A SQLite file shared by several worker processes, with versioned migrations.

Each process keeps its own connection, opened lazily and reopened after fork;
the file is in WAL mode, writers wait on a busy timeout, and every write is a
short BEGIN IMMEDIATE transaction.

The busy timeout is below the request's ``--timeout`` (``set_busy_timeout``): SQLite
waits for a lock inside one C call that the request timer cannot interrupt, so a lock
held elsewhere must end the wait first, as a ``DatabaseBusy`` (503, retry later)
rather than a worker frozen to its deadline and a 500.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from runtime.data.busy import (BUSY_TIMEOUT_MS, DatabaseBusyError, busy_errors, busy_timeout_for,  # noqa: F401
                               busy_timeout_ms, set_busy_timeout)

from .registry import BindingError



class DatabaseBusy(BindingError, DatabaseBusyError):
    """Another connection held the database's lock for the whole busy timeout.

    A BindingError (the page's request answers 503) and still an OperationalError, so code
    that handles SQLite's own errors handles this one as before.
    """

    def __init__(self, path):
        BindingError.__init__(self, f"the database {Path(path).name} is busy; try again", 503)


# Keeps a connection inherited over fork alive and untouched: SQLite must not
# close (or otherwise use) a parent's connection in the child.
_INHERITED: list[sqlite3.Connection] = []


def split_statements(sql: str) -> list[str]:
    """Split a script into statements, letting SQLite decide where each one ends."""
    statements, current = [], ""
    for piece in sql.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \t\r\n;"):
                statements.append(current.strip())
            current = ""
    return statements


@contextmanager
def transaction(conn: sqlite3.Connection):
    """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error) on an autocommit connection.

    IMMEDIATE takes the write lock up front, so a writer waits on the busy
    timeout instead of failing with 'database is locked' halfway through.
    """
    try:  # BEGIN inside: a signal raised as it returns (the request timer) must not leave it open
        if conn.in_transaction:  # such a leftover, from before this guard caught it
            conn.execute("ROLLBACK")
        conn.execute("BEGIN IMMEDIATE")
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # a failed COMMIT leaves it open; the next BEGIN must not fail
            conn.execute("ROLLBACK")
        raise


def migrate(conn: sqlite3.Connection, migrations) -> list[int]:
    """Apply the (version, sql) migrations not yet recorded; returns those applied now.

    Each one runs in its own transaction that first re-reads the applied
    versions, so two processes starting together apply it once.
    """
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                 "version INTEGER PRIMARY KEY NOT NULL, applied TEXT NOT NULL)")
    applied_now = []
    for version, sql in sorted(migrations):
        with transaction(conn):
            if conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?",
                            (version,)).fetchone():
                continue
            for statement in split_statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations (version, applied) "
                         "VALUES (?, strftime('%Y-%m-%d %H:%M:%fZ', 'now'))", (version,))
            applied_now.append(version)
    return applied_now


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL, retrying: SQLite answers 'locked' to a journal-mode change
    that races another process's first open without calling the busy handler."""
    deadline = time.monotonic() + busy_timeout_ms() / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def open_database(path: Path, migrations, functions: dict | None = None) -> sqlite3.Connection:
    """Open (creating it 0600, its directory 0700) and migrate the database.

    ``functions`` ({name: one-argument callable}) are registered on the connection for queries
    only: the schema must never use them, so other SQLite clients can still read and write the file.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    conn = sqlite3.connect(path, timeout=busy_timeout_ms() / 1000,
                           isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    for name, function in (functions or {}).items():
        conn.create_function(name, 1, function, deterministic=True)
    conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    _enable_wal(conn)
    conn.execute("PRAGMA synchronous = NORMAL")
    migrate(conn, migrations)
    return conn


class ProcessLocalDB:
    """The current process's connection to one database file."""

    def __init__(self, path, migrations, functions: dict | None = None):
        self.path = Path(path)
        self.migrations = migrations
        self.functions = dict(functions or {})
        self._conn: sqlite3.Connection | None = None
        self._pid: int | None = None
        self._busy_ms = 0  # the busy timeout set on _conn
        self._lock = threading.RLock()  # the connection is shared by this process's threads

    def connection(self) -> sqlite3.Connection:
        with self._lock:
            if self._conn is not None and self._pid != os.getpid():
                _INHERITED.append(self._conn)
                self._conn = None
            if self._conn is None:
                with self._busy():
                    self._conn = open_database(self.path, self.migrations, self.functions)
                self._pid, self._busy_ms = os.getpid(), busy_timeout_ms()
            elif self._busy_ms != busy_timeout_ms():
                self._conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
                self._busy_ms = busy_timeout_ms()
            return self._conn

    def _busy(self):
        """SQLite's busy and locked errors as DatabaseBusy."""
        return busy_errors(self.path, DatabaseBusy)

    @contextmanager
    def reading(self):
        with self._lock, self._busy():
            yield self.connection()

    @contextmanager
    def writing(self):
        with self._lock, self._busy(), transaction(self.connection()) as conn:
            yield conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None
