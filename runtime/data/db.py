"""Open (or create) `DATA/data.db` as PocketBase 0.40 does, and run work inside one transaction.

The file is PocketBase's own: on first open of an empty folder the bookkeeping tables, the
migrations the binary expects and the system collections are written (runtime.data.schema), so
the real binary later opens it without re-running anything. WAL journal like the binary, so a
PocketBase process and pagesvm can read the same file.
"""
from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import secrets
import sqlite3
import sys
import threading
import time

from . import changes
from .busy import busy_errors, busy_timeout_ms

NO_ROWS = "sql: no rows in result set"
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
# What the binary sets on every connection; only journal_mode is stored in the file itself.
_PRAGMAS = ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL",
            "PRAGMA foreign_keys = ON", "PRAGMA temp_store = MEMORY", "PRAGMA cache_size = -32000")


class NotFoundError(LookupError):
    """A lookup that found nothing; its text is the binary's (`sql: no rows in result set`)."""

    def __init__(self, message: str = NO_ROWS):
        super().__init__(message)


def new_record_id() -> str:
    """15 random characters of [a-z0-9], like the binary's record ids."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(15))


def now_stamp() -> str:
    """The current UTC time in PocketBase's stored form: `2024-01-02 03:04:05.678Z`."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%d %H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def dump_json(value) -> str:
    """JSON as the binary stores it: compact, non-ASCII and HTML characters left as they are."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@contextlib.contextmanager
def _folder_lock(data_dir: str):
    """flock on the folder itself (no file added to it): workers opening one folder together take turns,
    so only one makes its data.db, and none holds a connection to a file while another renames it."""
    fd = os.open(data_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _retry_locked(fn, tries: int = 200):
    """Switching a new file to WAL needs a lock SQLite's busy handler does not wait for: workers opening a
    new folder together retry for a few seconds instead of failing."""
    for attempt in range(tries):
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(0.02)


_PROGRESS_STEPS = 5_000  # SQLite VM steps between two calls of _let_signals_run (well under a millisecond)


def _let_signals_run() -> int:
    """SQLite's progress handler: calling into Python lets a pending signal run, so the request timer's alarm
    stops a long statement (its exception here makes SQLite abandon it as `interrupted`) instead of waiting for
    it in C until the watchdog kills the whole worker with every request it holds."""
    return 0


# The exception a signal handler raised inside _let_signals_run: sqlite3 does not propagate a callback's
# exception (the statement only fails as `interrupted`), it hands it to sys.unraisablehook. Kept here and
# raised in place of that `interrupted` (Database._run), so the request timer's exception still ends a loop
# of statements that catches database errors. Main thread only, as signal handlers are.
_dropped: list = []
_previous_hook = None


def _keep_dropped(unraisable) -> None:
    if unraisable.object is _let_signals_run:
        _dropped[:] = [unraisable.exc_value]
        return
    _previous_hook(unraisable)


def _catch_dropped() -> None:
    """Put _keep_dropped in front of whatever hook is there now (at each connection: a test runner swaps it)."""
    global _previous_hook
    if sys.unraisablehook is not _keep_dropped:
        _previous_hook = sys.unraisablehook
        sys.unraisablehook = _keep_dropped
    sqlite3.enable_callback_tracebacks(True)  # a callback's exception reaches the hook instead of vanishing


class Database:
    """One connection to data.db. `transaction()` nests: inner calls join the outer transaction."""

    def __init__(self, path: str):
        self.path = path
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.set_progress_handler(_let_signals_run, _PROGRESS_STEPS)
        _catch_dropped()
        self._busy_ms = busy_timeout_ms()
        self.conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
        for pragma in _PRAGMAS:
            _retry_locked(lambda: self.conn.execute(pragma))
        self._lock = threading.RLock()
        self._depth = 0
        self.collection_reads: dict = {}  # collections.read_collection's: key -> what it read, None -> when
        self.committed = None  # record writes waiting for the outermost commit (changes.note), None: none

    @classmethod
    def open(cls, data_dir: str) -> "Database":
        """data.db in `data_dir` (folder made when missing), initialised like the binary on first open, or
        upgraded from an older pagesvm's users store (runtime.data.legacy_users)."""
        from . import schema

        os.makedirs(data_dir, exist_ok=True)
        with _folder_lock(data_dir):  # one process at a time makes or upgrades a folder's file
            db = cls(os.path.join(data_dir, "data.db"))
            if not db.has_table("_collections"):
                if db.has_table("schema_migrations") and db.has_table("users"):  # pagesvm's old users store
                    from .legacy_users import upgrade

                    db = upgrade(db)
                else:
                    db.run_in_transaction(schema.initialise)
            schema.ensure_auxiliary(os.path.join(data_dir, "auxiliary.db"))
        return db

    def close(self) -> None:
        self.conn.close()

    def has_table(self, name: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?",
                                (name,)).fetchone()
        return row is not None

    def execute(self, sql: str, params=()) -> sqlite3.Cursor:
        return self._run(lambda: self.conn.execute(sql, params))

    def query(self, sql: str, params=()) -> list[sqlite3.Row]:
        return self._run(lambda: self.conn.execute(sql, params).fetchall())

    def table(self, sql: str, params=()) -> tuple[tuple, list[tuple]]:
        """(column names, rows as plain tuples): what records are read from, without a Row object per row."""
        def step():
            cursor = self.conn.cursor()
            cursor.row_factory = None
            rows = cursor.execute(sql, params).fetchall()
            return tuple(d[0] for d in cursor.description or ()), rows
        return self._run(step)

    @staticmethod
    def _run(step):
        """`step()`; a statement a signal handler's exception interrupted raises that exception (the timer's)."""
        _dropped.clear()  # never one left from an earlier statement
        try:
            return step()
        except sqlite3.OperationalError:
            if _dropped:
                raise _dropped.pop() from None
            raise

    @contextlib.contextmanager
    def transaction(self):
        """One transaction around the block; committed at the outermost exit, rolled back on an exception."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            if self._busy_ms != busy_timeout_ms():  # the process's timeout changed (set_busy_timeout)
                self._busy_ms = busy_timeout_ms()
                self.conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
            # BEGIN and COMMIT sit inside the try: a signal arriving during either (the request timer's
            # RequestTimeout) is raised as soon as the call returns, and must never leave the connection
            # holding the write lock with no transaction of ours open (every process's writes would wait
            # on it for the worker's life). A transaction still open here is one such leftover.
            try:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                with busy_errors(self.path):  # another process holds the write lock past the busy timeout
                    self.conn.execute("BEGIN IMMEDIATE")
                self._depth = 1
                yield self
                self._depth = 0
                self.conn.execute("COMMIT")
            except BaseException:
                self._depth = 0
                self.committed = None
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        if self.committed is not None:  # writes someone listens for (runtime.data.changes), told once committed
            events, self.committed = self.committed, None
            changes.committed(self, events)

    def run_in_transaction(self, fn):
        """`fn(db)` inside one transaction (joining an open one); its result, or its exception after rollback."""
        with self.transaction():
            return fn(self)
