"""`pagesvm migrate …` and the migrations `pagesvm serve` applies once at start-up, as real subprocesses."""
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from tests.helpers import ROOT, start_server

PROJECT = os.path.join(ROOT, "tests", "sites", "migr_project")
FILES = ["1700000000_create_posts.js", "1700000100_change_posts.js"]
BAD = "migrate((app) => {\n  app.save(new Collection({name: \"later\"}));\n  throw new Error(\"boom\");\n})\n"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "runtime.serve.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)


def applied(data):
    conn = sqlite3.connect(os.path.join(str(data), "data.db"))
    try:
        return [r[0] for r in conn.execute("SELECT file FROM _migrations WHERE file LIKE '%.js' ORDER BY applied")]
    finally:
        conn.close()


def tables(data):
    conn = sqlite3.connect(os.path.join(str(data), "data.db"))
    try:
        return {r[0] for r in conn.execute("SELECT name FROM _collections")}
    finally:
        conn.close()


@pytest.fixture
def project(tmp_path):
    return shutil.copytree(PROJECT, tmp_path / "project")


def test_serve_applies_pending_migrations_once_into_project_pb_data(project):
    server = start_server(str(project), "--workers", "1", data_dir=str(project / "pb_data"))
    try:
        assert server.get("/").status == 200
    finally:
        server.stop()
    assert applied(project / "pb_data") == FILES and {"posts", "members"} <= tables(project / "pb_data")
    assert server.log.count("Applied ") == 2
    again = start_server(str(project), "--workers", "2", data_dir=str(project / "pb_data"))
    again.stop()
    assert "Applied " not in again.log and applied(project / "pb_data") == FILES


def test_a_failing_migration_stops_start_up_naming_file_and_line(project):
    (project / "pb_migrations" / "1700000200_bad.js").write_text(BAD)
    done = cli("serve", project, "--port", "0", "--workers", "1")  # --data left to its default
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "pagesvm: error: pb_migrations/1700000200_bad.js:3: Error: boom"
    # one transaction for the run, as the binary: the two good files before it are undone too
    assert applied(project / "pb_data") == [] and not {"posts", "members", "later"} & tables(project / "pb_data")


def test_a_bare_pages_folder_keeps_pagesvm_data(tmp_path):
    from runtime.serve.cli import build_parser
    from runtime.serve.cli_migrate import data_dir_for

    args = build_parser().parse_args(["serve", str(tmp_path)])
    assert data_dir_for(args.site, args.data) == "pagesvm_data"
    assert data_dir_for(PROJECT, args.data) == os.path.join(PROJECT, "pb_data")
    assert data_dir_for(PROJECT, build_parser().parse_args(["serve", "--data", "pagesvm_data"]).data) == "pagesvm_data"


def test_migrate_up_down_history_create(project, tmp_path):
    data = tmp_path / "d"
    up = cli("migrate", "up", project, "--data", data)
    assert up.returncode == 0 and up.stdout.splitlines() == [f"Applied {f}" for f in FILES]
    assert cli("migrate", "up", project, "--data", data).stdout == "No new migrations to apply.\n"
    history = cli("migrate", "history", project, "--data", data).stdout.splitlines()
    assert [line.split()[-1] for line in history][-2:] == FILES and history[0].endswith("1640988000_aux_init.go")
    assert cli("migrate", "down", project, "--data", data).stdout == f"Reverted {FILES[1]}\n"
    assert cli("migrate", "down", "5", project, "--data", data).stdout == f"Reverted {FILES[0]}\n"
    assert cli("migrate", "down", project, "--data", data).stdout == "No migrations to revert.\n"
    assert applied(data) == [] and "posts" not in tables(data)
    made = cli("migrate", "create", "add tags", project)
    assert made.returncode == 0 and made.stdout.startswith('Successfully created file "')
    assert [n for n in os.listdir(project / "pb_migrations") if n.endswith("_add_tags.js")]
    bad = cli("migrate", "down", "x", "y", "--data", data)
    assert bad.returncode == 2 and bad.stderr == "pagesvm: error: N must be a whole number, got 'x'\n"
