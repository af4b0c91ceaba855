"""runtime.data.migrations with a fake `run`: which files run, how they are recorded, what a failure leaves."""
import os
import time

import pytest

from runtime.data import migrations as m
from runtime.data.db import Database
from runtime.data.schema import SYSTEM_MIGRATIONS


@pytest.fixture
def db(tmp_path):
    database = Database.open(str(tmp_path / "data"))
    yield database
    database.close()


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "pb_migrations"
    path.mkdir()
    for name in ("1700000002_c.js", "1700000000_a.js", "1700000001_b.js", "notes.txt"):
        (path / name).write_text("// " + name)
    (path / "sub.js").mkdir()  # a folder named like a file is not a migration
    return str(path)


class FakeRun:
    """Creates a table per file on `up`, drops it on `down`; fails on the files named in `fail`."""

    def __init__(self, fail=()):
        self.calls, self.fail = [], set(fail)

    def table(self, path):
        return "t_" + os.path.basename(path).split("_", 1)[1][:-3]

    def __call__(self, path, direction, db):
        self.calls.append((os.path.basename(path), direction))
        if direction == "up":
            db.execute(f"CREATE TABLE {self.table(path)} (x)")
        else:
            db.execute(f"DROP TABLE {self.table(path)}")
        if os.path.basename(path) in self.fail:
            raise m.MigrationError("Error: boom", 7)


def files(db):
    return [a.file for a in m.history(db) if a.file.endswith(".js")]


def test_pending_files_run_once_in_name_order_and_are_recorded(db, folder):
    run = FakeRun()
    before = time.time_ns() // 1000
    assert m.apply_pending(db, folder, run) == ["1700000000_a.js", "1700000001_b.js", "1700000002_c.js"]
    assert run.calls == [(f, "up") for f in files(db)]
    rows = m.history(db)
    assert [a.file for a in rows[:len(SYSTEM_MIGRATIONS)]] == list(SYSTEM_MIGRATIONS)
    assert all(before <= a.applied <= time.time_ns() // 1000 for a in rows[-3:])
    assert m.apply_pending(db, folder, run) == [] and len(run.calls) == 3
    assert m.pending(db, folder) == []


def test_a_failure_names_file_and_line_and_undoes_the_whole_run(db, folder):
    run = FakeRun(fail={"1700000001_b.js"})
    with pytest.raises(m.MigrationError) as err:
        m.apply_pending(db, folder, run)
    assert str(err.value) == "pb_migrations/1700000001_b.js:7: Error: boom"
    assert (err.value.file, err.value.line) == ("1700000001_b.js", 7)
    assert files(db) == []  # one transaction for the run, as the binary: the earlier file is undone too
    assert not db.has_table("t_a") and not db.has_table("t_b") and not db.has_table("t_c")
    run.fail.clear()
    assert m.apply_pending(db, folder, run) == ["1700000000_a.js", "1700000001_b.js", "1700000002_c.js"]


def test_any_exception_from_run_is_a_migration_error_without_a_line(db, folder):
    def run(path, direction, db):
        raise KeyError("nope")

    with pytest.raises(m.MigrationError) as err:
        m.apply_pending(db, folder, run)
    assert str(err.value) == "pb_migrations/1700000000_a.js: 'nope'"


def test_down_reverts_the_newest_project_files_only(db, folder):
    run = FakeRun()
    m.apply_pending(db, folder, run)
    assert m.revert(db, folder, run) == ["1700000002_c.js"]
    assert m.revert(db, folder, run, 5) == ["1700000001_b.js", "1700000000_a.js"]
    assert files(db) == [] and [a.file for a in m.history(db)] == list(SYSTEM_MIGRATIONS)
    assert m.revert(db, folder, run, 3) == [] and m.revert(db, folder, run, 0) == []
    assert not db.has_table("t_a")


def test_a_failing_down_keeps_the_file_applied(db, folder):
    run = FakeRun()
    m.apply_pending(db, folder, run)
    run.fail.add("1700000002_c.js")
    with pytest.raises(m.MigrationError):
        m.revert(db, folder, run)
    assert "1700000002_c.js" in files(db) and db.has_table("t_c")


def test_history_sync_forgets_files_that_are_gone(db, folder):
    m.apply_pending(db, folder, FakeRun())
    os.remove(os.path.join(folder, "1700000001_b.js"))
    assert m.sync_history(db, folder) == ["1700000001_b.js"]
    assert files(db) == ["1700000000_a.js", "1700000002_c.js"]


def test_create_writes_a_stub_named_like_the_binary(tmp_path):
    folder = str(tmp_path / "made" / "pb_migrations")
    path = m.create(folder, "Add Posts-Table!", now=1796165864.7)
    assert os.path.basename(path) == "1796165864_add_posts_table.js"
    text = open(path, encoding="utf-8").read()
    assert text.startswith("/// <reference path=\"../pb_data/types.d.ts\" />\nmigrate((app) => {")
    # Names the real binary wrote (observed with `pocketbase migrate create`).
    for name, expected in (("posts thing", "posts_thing"), ("créer table", "cr_er_table"),
                           ("addPostsTable", "add_posts_table"), ("HTTPServer 2x", "httpserver_2x"),
                           ("__a__b__", "a_b")):
        assert m.snake_name(name) == expected
    with pytest.raises(ValueError, match="missing migration file name"):
        m.create(folder, "!!")
