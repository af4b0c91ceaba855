"""Attack: a request's time limit is a SIGALRM whose handler raises RequestTimeout at the next Python bytecode,
so it can land right after `BEGIN IMMEDIATE` (or just before `COMMIT`) returns inside a `$app.save`. Before the
fix that left the worker's connection inside a transaction nobody owned: the write lock of data.db was held for
the worker's life (every other worker's, PocketBase's and the CLI's writes got "database is locked"), and every
later save of the worker failed with "cannot start a transaction within a transaction". Found on a real server:
a page looping `$app.save` under `--timeout 0.3` wedged the database after ~20 requests."""
import signal
import sqlite3
import time

import pytest

from bindings.app_session import RecordSession
from runtime.data import process
from runtime.data.collections import Collection, save_collection

POSTS = {"name": "posts", "type": "base", "fields": [{"name": "title", "type": "text"}]}


class Interrupt(BaseException):
    """Stands for RequestTimeout (a BaseException raised from a signal handler)."""


class _Connection:
    """sqlite3.Connection whose `execute` raises Interrupt around one statement, as a signal would."""

    def __init__(self, conn, statement, after):
        self._conn, self._statement, self._after, self.fired = conn, statement, after, False

    def execute(self, sql, *args):
        hit = not self.fired and sql.strip().upper() == self._statement
        if hit and not self._after:
            self.fired = True
            raise Interrupt()
        cursor = self._conn.execute(sql, *args)
        if hit:
            self.fired = True
            raise Interrupt()
        return cursor

    def __getattr__(self, name):
        return getattr(self._conn, name)


@pytest.fixture
def store(tmp_path):
    found = process.store_for(str(tmp_path))
    save_collection(found.db, Collection.from_api(POSTS))
    yield found
    process.forget(str(tmp_path))


def _lock_is_free(store) -> bool:
    other = sqlite3.connect(store.db.path, timeout=0.2, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def _titles(store):
    return [r.get_string("title") for r in store.find_all_records("posts")]


@pytest.mark.parametrize("statement,after", [("BEGIN IMMEDIATE", True), ("COMMIT", False)])
def test_an_interrupt_around_begin_or_commit_leaves_no_transaction_open(store, statement, after):
    real = store.db.conn
    store.db.conn = _Connection(real, statement, after)
    try:
        with pytest.raises(Interrupt):
            store.save(store.new_record("posts", {"title": "interrupted"}))
        assert store.db.conn.fired
    finally:
        store.db.conn = real
    assert not real.in_transaction and store.db._depth == 0
    assert _lock_is_free(store), "data.db stays write-locked for every other process"
    store.save(store.new_record("posts", {"title": "next request"}))  # the worker's own writes still work
    assert _titles(store) == ["next request"]


def test_an_interrupt_in_run_in_transaction_begin_is_rolled_back_at_the_request_end(store):
    real = store.db.conn
    store.db.conn = _Connection(real, "BEGIN IMMEDIATE", True)
    session = RecordSession(store)
    try:
        with pytest.raises(Interrupt):
            session.begin()
    finally:
        store.db.conn = real
    session.close()
    assert _lock_is_free(store)
    assert "error" not in session.save({"h": 0, "c": "posts", "ops": [["title", "after"]]})
    assert _titles(store) == ["after"]


def test_a_real_timer_landing_anywhere_in_saves_never_wedges_the_database(store):
    """The real thing: SIGALRM raising at a random point of a stream of saves, many times over."""
    def on_alarm(signum, frame):
        raise Interrupt()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    deadline = time.monotonic() + 1.5
    rounds = 0
    try:
        while time.monotonic() < deadline:
            rounds += 1
            session = RecordSession(store)
            try:
                signal.setitimer(signal.ITIMER_REAL, 0.0002 + (rounds % 40) * 0.00003)
                # Python drops an exception raised inside a finalizer ("Exception ignored in ..."), so an alarm
                # landing while one runs is lost: the round ends on its own then instead of spinning for ever
                until = time.monotonic() + 0.5
                while time.monotonic() < until:
                    session.save({"h": 0, "c": "posts", "ops": [["title", "x"]]})
                    session.records.clear()
            except Interrupt:
                pass
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            session.close()
            assert not (store.db.conn.in_transaction and store.db._depth == 0), f"wedged after {rounds} interrupts"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert _lock_is_free(store)
