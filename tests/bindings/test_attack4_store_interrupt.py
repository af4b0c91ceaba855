"""Attack: the `store()` binding's write transaction (bindings/sqlite_db.py) began outside its rollback guard. The
request timer's RequestTimeout is raised by a SIGALRM handler at the next bytecode, so one arriving while
`BEGIN IMMEDIATE` ran was raised right after it returned: store.db stayed write-locked by that worker for its
life (every worker's `store(name, value)` then failed as busy) and the worker's own next write failed with
"cannot start a transaction within a transaction"."""
import sqlite3

import pytest

from bindings import store as store_family
from bindings.sqlite_db import transaction


class Interrupt(BaseException):
    """Stands for RequestTimeout (a BaseException raised from a signal handler)."""


class _AfterBegin:
    """A connection whose BEGIN succeeds and is then interrupted, as a signal handled on its return would."""

    def __init__(self, conn):
        self._conn = conn

    def execute(self, sql, *args):
        cursor = self._conn.execute(sql, *args)
        if sql.strip().upper().startswith("BEGIN"):
            raise Interrupt()
        return cursor

    def __getattr__(self, name):
        return getattr(self._conn, name)


def test_an_interrupt_as_begin_returns_leaves_the_store_writable(tmp_path):
    db = store_family.database(str(tmp_path))
    store_family.write(str(tmp_path), "a", 1)
    conn = db.connection()
    with pytest.raises(Interrupt):
        with transaction(_AfterBegin(conn)):
            pass
    assert not conn.in_transaction
    other = sqlite3.connect(str(tmp_path / "store.db"), timeout=0.2, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another worker can still write
        other.execute("ROLLBACK")
    finally:
        other.close()
    store_family.write(str(tmp_path), "a", 2)
    assert store_family.read(str(tmp_path), "a") == 2
    store_family._DATABASES.pop(str(tmp_path)).close()
