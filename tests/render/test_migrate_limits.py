"""A pb_migrations file that loops or eats memory fails like one that throws (runtime.render.migrate's time
limit, on limits.RequestLimits' alarm), and the run's transaction leaves the database as it was."""
import functools
import signal
import time

import pytest

from runtime.data import migrations
from runtime.data.db import Database
from runtime.render.limits import RequestLimits
from runtime.render.migrate import run_migration

GOOD = 'migrate((app) => { app.save(new Collection({name: "first"})) })\n'
LOOPS = {
    "plain": "while (true) {}",
    "catching the interrupt": "while (true) { try { while (true) {} } catch (e) {} }",
    "catching app errors": 'for (;;) { try { app.findCollectionByNameOrId("nope") } catch (e) {} }',
    "catching record saves": ('for (;;) { try { const r = new Record(app.findCollectionByNameOrId("users"));'
                              ' r.set("email", "a@b.c"); app.save(r) } catch (e) {} }'),
    "a backtracking regex": '/(a+)+$/.test("a".repeat(40) + "b")',
}


@pytest.fixture
def db(tmp_path):
    database = Database.open(str(tmp_path / "data"))
    yield database
    database.close()


def snapshot(db):
    return list(db.query("SELECT name, sql FROM sqlite_master ORDER BY name")), \
        [tuple(r) for r in db.query("SELECT * FROM _migrations ORDER BY file")], \
        [tuple(r) for r in db.query("SELECT * FROM _collections ORDER BY id")]


def apply(tmp_path, db, body, timeout=1.0):
    folder = tmp_path / "pb_migrations"
    folder.mkdir(exist_ok=True)
    (folder / "1_first.js").write_text(GOOD)
    (folder / "2_bad.js").write_text(f'migrate((app) => {{\n  app.save(new Collection({{name: "later"}}));\n  {body}\n}})\n')
    return migrations.apply_pending(db, str(folder), functools.partial(run_migration, timeout=timeout))


@pytest.mark.parametrize("body", list(LOOPS.values()), ids=list(LOOPS))
def test_a_looping_migration_is_stopped_at_its_limit_and_the_run_leaves_no_trace(tmp_path, db, body):
    before = snapshot(db)
    started = time.monotonic()
    with pytest.raises(migrations.MigrationError) as err:
        apply(tmp_path, db, body, timeout=0.5)
    assert time.monotonic() - started < 3
    assert str(err.value) == "pb_migrations/2_bad.js: stopped: still running after --migration-timeout 0.5s"
    assert snapshot(db) == before  # neither 1_first.js nor the half of 2_bad.js before its loop


def test_a_migration_out_of_memory_fails_at_its_line_and_the_run_leaves_no_trace(tmp_path, db):
    before = snapshot(db)
    with pytest.raises(migrations.MigrationError) as err:
        apply(tmp_path, db, "const hog = []; while (true) hog.push(new Array(100000).fill(7));")
    # The line is known unless QuickJS had too little memory left to build the error (it throws null)
    assert str(err.value) in ("pb_migrations/2_bad.js:3: InternalError: out of memory", OUT_OF_MEMORY_AS_NULL)
    assert snapshot(db) == before


OUT_OF_MEMORY_AS_NULL = "pb_migrations/2_bad.js: InternalError: out of memory, or the file threw null"


def test_a_migration_that_throws_null_is_reported_as_what_it_may_be(tmp_path, db):
    before = snapshot(db)
    with pytest.raises(migrations.MigrationError) as err:
        apply(tmp_path, db, "throw null;")
    assert str(err.value) == OUT_OF_MEMORY_AS_NULL
    assert snapshot(db) == before


def test_after_the_file_is_fixed_the_run_applies_and_the_alarm_is_put_back(tmp_path, db):
    def mine(signum, frame):
        raise AssertionError("not expected to fire")

    previous = signal.signal(signal.SIGALRM, mine)
    try:
        with pytest.raises(migrations.MigrationError):
            apply(tmp_path, db, "while (true) {}", timeout=0.3)
        assert signal.getsignal(signal.SIGALRM) is mine and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert apply(tmp_path, db, "// fixed") == ["1_first.js", "2_bad.js"]
        assert signal.getsignal(signal.SIGALRM) is mine and signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert {"first", "later"} <= {r["name"] for r in db.query("SELECT name FROM _collections")}


def test_no_limit_at_zero_and_a_quick_file_is_not_disturbed(tmp_path, db):
    busy = "let n = 0; for (let i = 0; i < 200000; i++) n += i; if (n < 0) throw new Error('x');"
    assert apply(tmp_path, db, busy, timeout=0) == ["1_first.js", "2_bad.js"]


def test_release_restores_the_handlers_from_before_the_first_arm():
    before = signal.getsignal(signal.SIGALRM), signal.getsignal(signal.SIGPROF)
    limits = RequestLimits(5)
    limits.arm()
    assert signal.getsignal(signal.SIGALRM) == limits._on_alarm
    limits.release()
    assert (signal.getsignal(signal.SIGALRM), signal.getsignal(signal.SIGPROF)) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    limits.release()  # twice is harmless
