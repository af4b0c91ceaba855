"""How long a write waits for another connection's lock, and the error when it gives up.

Each worker process has its own connection to a WAL file, so a writer may find the write lock held by another
process. SQLite waits for it inside one C call that no request timer can interrupt: the wait is bounded by a
busy timeout below the request's `--timeout` (`busy_timeout_for`), shared by every connection of the process
(the data layer's data.db and the bindings' files alike), and ends in `DatabaseBusyError` rather than a worker
frozen to its deadline.
"""
from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager

BUSY_TIMEOUT_MS = 10_000  # where no request timeout is known (the CLI commands) and its upper bound
_BUSY_CODES = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (the primary code of every extended one)
_timeout_ms = BUSY_TIMEOUT_MS


class DatabaseBusyError(sqlite3.OperationalError):
    """Another connection held the database's lock for the whole busy timeout; still an OperationalError."""

    def __init__(self, path):
        super().__init__(f"the database {os.path.basename(str(path))} is busy; try again")


def busy_timeout_for(request_timeout: float) -> float:
    """Seconds a write may wait for the lock: half of `--timeout`, at most BUSY_TIMEOUT_MS."""
    if not request_timeout or request_timeout <= 0:
        return BUSY_TIMEOUT_MS / 1000
    return min(request_timeout / 2, BUSY_TIMEOUT_MS / 1000)


def set_busy_timeout(seconds: float) -> None:
    """The busy timeout of this process's connections, open ones included (from their next use)."""
    global _timeout_ms
    _timeout_ms = max(1, int(seconds * 1000))


def busy_timeout_ms() -> int:
    return _timeout_ms


def is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code & 0xFF in _BUSY_CODES
    text = str(exc)
    return "database is locked" in text or "database table is locked" in text or "database is busy" in text


@contextmanager
def busy_errors(path, error=DatabaseBusyError):
    """SQLite's busy and locked errors inside the block raised as `error(path)`."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if isinstance(exc, DatabaseBusyError) or not is_busy(exc):
            raise
        raise error(path) from exc
