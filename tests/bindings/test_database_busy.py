"""A write that waits on another connection's lock gives up before --timeout: 503 with
Retry-After, and the worker goes on serving (SQLite's wait is one C call no timer interrupts)."""
from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager

import pytest

from bindings import sqlite_db
from bindings.sqlite_db import DatabaseBusy, ProcessLocalDB
from tests.helpers import SITES

SITE = f"{SITES}/limits_site"
EXT = f"{SITES}/limits_ext.py"


@contextmanager
def locked(path):
    """An exclusive write lock on the database at ``path``, held by this test process."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


@pytest.fixture
def server(serve, tmp_path):
    running = serve(SITE, "--workers", "1", "--timeout", "1", "--ext", EXT, env={"PAGESVM_BCRYPT_ROUNDS": "4"},
                    data_dir=tmp_path / "data")
    running.data = tmp_path / "data"
    return running


@pytest.mark.parametrize("page, db", [("/counter", "store.db"), ("/register?email={n}@example.com", "data.db")],
                         ids=["store", "registerWithPassword"])
def test_write_held_up_by_a_lock_is_503_with_retry_after_and_the_worker_goes_on(server, page, db):
    first = server.get(page.format(n=1))  # the worker opens (and creates) the database
    assert first.status == 200, first.text
    pid = first.text.split()[-1]
    with locked(server.data / db):
        busy = server.get(page.format(n=2), timeout=30)
    assert busy.status == 503
    assert busy.header("Retry-After") == "1"
    assert "--timeout" not in server.log  # it gave up before the deadline (no 504)
    after = server.get(page.format(n=3))
    assert after.status == 200, after.text
    assert after.text.split()[-1] == pid  # the same worker, not a replacement


def test_busy_timeout_is_half_the_request_timeout_and_at_most_the_old_ten_seconds():
    assert sqlite_db.busy_timeout_for(1) == 0.5
    assert sqlite_db.busy_timeout_for(60) == 10
    assert sqlite_db.busy_timeout_for(0) == 10  # no request timeout: the old wait


def test_a_connection_already_open_takes_a_new_busy_timeout_and_gives_up_by_it(tmp_path):
    db = ProcessLocalDB(tmp_path / "x.db", [(1, "CREATE TABLE t (v INTEGER)")])
    try:
        sqlite_db.set_busy_timeout(30)
        db.connection()
        sqlite_db.set_busy_timeout(0.05)
        with locked(tmp_path / "x.db"):
            with pytest.raises(DatabaseBusy) as busy:
                with db.writing() as conn:
                    conn.execute("INSERT INTO t VALUES (1)")
        assert busy.value.status == 503
        assert isinstance(busy.value, sqlite3.OperationalError)  # `except sqlite3.Error` still catches it
        with db.writing() as conn:  # no transaction was left open
            conn.execute("INSERT INTO t VALUES (2)")
        with db.reading() as conn:
            assert [r[0] for r in conn.execute("SELECT v FROM t")] == [2]
    finally:
        sqlite_db.set_busy_timeout(sqlite_db.BUSY_TIMEOUT_MS / 1000)
        db.close()
