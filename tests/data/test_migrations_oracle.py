"""The same pb_migrations folder run by the real PocketBase and by pagesvm: same collections, same tables,
same `_migrations` files; each side's data.db then taken up by the other without re-running anything."""
import os
import shutil
import sqlite3
import subprocess

import pytest

from runtime.data import migrations
from runtime.data.db import Database
from runtime.render.migrate import run_migration
from tests.data.pb_oracle import collection_rows, normalised_collection, schema_sql
from tests.helpers import ROOT, pocketbase_binary

PROJECT_MIGRATIONS = os.path.join(ROOT, "tests", "sites", "migr_project", "pb_migrations")


def pocketbase_migrate(data, folder, *args):
    done = subprocess.run([pocketbase_binary(), "migrate", *args, "--dir", str(data), "--migrationsDir", folder],
                          input="y\n", capture_output=True, text=True, timeout=60, cwd=str(data.parent))
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def pagesvm_migrate(data, folder, direction="up", count=1):
    db = Database.open(str(data))
    try:
        if direction == "up":
            return migrations.apply_pending(db, folder, run_migration)
        return migrations.revert(db, folder, run_migration, count)
    finally:
        db.close()


def js_files(data):
    conn = sqlite3.connect(os.path.join(str(data), "data.db"))
    try:
        return [r[0] for r in conn.execute("SELECT file FROM _migrations ORDER BY applied, file")]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    pocketbase_binary()
    base = tmp_path_factory.mktemp("oracle")
    pb, pv = base / "pb", base / "pv"
    assert "Applied 1700000100_change_posts.js" in pocketbase_migrate(pb, PROJECT_MIGRATIONS, "up")
    assert pagesvm_migrate(pv, PROJECT_MIGRATIONS) == sorted(os.listdir(PROJECT_MIGRATIONS))
    return pb, pv


def test_same_collections_tables_and_migration_files(both):
    pb, pv = both
    theirs, ours = collection_rows(str(pb / "data.db")), collection_rows(str(pv / "data.db"))
    assert list(ours) == list(theirs)
    for name in theirs:
        assert normalised_collection(ours[name]) == normalised_collection(theirs[name]), name
    assert schema_sql(str(pv / "data.db")) == schema_sql(str(pb / "data.db"))
    assert js_files(pv) == js_files(pb)


def test_each_side_takes_up_the_others_file(both, tmp_path):
    pb, pv = both
    pv_copy, pb_copy = tmp_path / "pv", tmp_path / "pb"
    shutil.copytree(pv, pv_copy)
    shutil.copytree(pb, pb_copy)
    assert pocketbase_migrate(pv_copy, PROJECT_MIGRATIONS, "up").strip() == "No new migrations to apply."
    assert pagesvm_migrate(pb_copy, PROJECT_MIGRATIONS) == []
    # pagesvm reverts what PocketBase applied, and PocketBase applies it again on the same file.
    assert pagesvm_migrate(pb_copy, PROJECT_MIGRATIONS, "down", 2) == sorted(os.listdir(PROJECT_MIGRATIONS))[::-1]
    assert "posts" not in collection_rows(str(pb_copy / "data.db"))
    assert "Applied 1700000000_create_posts.js" in pocketbase_migrate(pb_copy, PROJECT_MIGRATIONS, "up")
    # and PocketBase reverts what pagesvm applied.
    assert "Reverted 1700000100_change_posts.js" in pocketbase_migrate(pv_copy, PROJECT_MIGRATIONS, "down", "1")
    assert pagesvm_migrate(pv_copy, PROJECT_MIGRATIONS) == ["1700000100_change_posts.js"]
    ours, theirs = collection_rows(str(pv_copy / "data.db")), collection_rows(str(pb / "data.db"))
    assert normalised_collection(ours["posts"]) == normalised_collection(theirs["posts"])


def test_a_failing_file_is_told_by_both(both, tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "1700000000_bad.js").write_text('migrate((app) => {\n  app.save(new Collection({name: "x"}));\n'
                                              '\n  throw new Error("boom here");\n})\n')
    done = subprocess.run([pocketbase_binary(), "migrate", "up", "--dir", str(tmp_path / "pb"), "--migrationsDir",
                           str(folder)], capture_output=True, text=True, timeout=60, cwd=str(tmp_path))
    assert done.returncode != 0 and "failed to apply migration 1700000000_bad.js: Error: boom here at " in done.stderr
    assert ":4:" in done.stderr  # the binary's line, which pagesvm names too
    with pytest.raises(migrations.MigrationError) as err:
        pagesvm_migrate(tmp_path / "pv", str(folder))
    assert str(err.value) == "pb_migrations/1700000000_bad.js:4: Error: boom here"
    assert "x" not in collection_rows(str(tmp_path / "pv" / "data.db"))
    assert "x" not in collection_rows(str(tmp_path / "pb" / "data.db"))


def test_a_failure_undoes_the_whole_run_on_both(tmp_path):
    """The binary runs every pending file in one transaction: a failing second file undoes the first."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "1700000000_good.js").write_text('migrate((app) => {\n  app.save(new Collection({name: "kept"}));\n})\n')
    (folder / "1700000001_bad.js").write_text('migrate((app) => {\n  throw new Error("boom");\n})\n')
    done = subprocess.run([pocketbase_binary(), "migrate", "up", "--dir", str(tmp_path / "pb"), "--migrationsDir",
                           str(folder)], capture_output=True, text=True, timeout=60, cwd=str(tmp_path))
    assert done.returncode != 0 and "1700000001_bad.js" in done.stderr
    with pytest.raises(migrations.MigrationError) as err:
        pagesvm_migrate(tmp_path / "pv", str(folder))
    assert str(err.value) == "pb_migrations/1700000001_bad.js:2: Error: boom"
    for side in ("pb", "pv"):
        assert "kept" not in collection_rows(str(tmp_path / side / "data.db")), side
        assert not [f for f in js_files(tmp_path / side) if f.endswith(".js")], side
