"""`--migration-timeout`: a pb_migrations file that loops or runs out of memory stops `pagesvm serve` and
`pagesvm migrate up` with one line and a non-zero status, and the database is exactly as before the run."""
import os
import shutil
import sqlite3
import time

import pytest

from tests.helpers import start_server
from tests.serve.test_migrate_cli import FILES, PROJECT, cli

LOOP = 'migrate((app) => {\n  app.save(new Collection({name: "later"}));\n  while (true) {}\n})\n'
HOG = ('migrate((app) => {\n  app.save(new Collection({name: "later"}));\n'
       '  const hog = []; while (true) hog.push(new Array(100000).fill(7));\n})\n')
GOOD = 'migrate((app) => { app.save(new Collection({name: "third"})) })\n'


@pytest.fixture
def project(tmp_path):
    """The two files of migr_project applied; then a good third file and a bad fourth one pending."""
    folder = shutil.copytree(PROJECT, tmp_path / "project")
    assert cli("migrate", "up", folder).returncode == 0
    (folder / "pb_migrations" / "1700000200_third.js").write_text(GOOD)
    return folder


def dump(project):
    conn = sqlite3.connect(os.path.join(project, "pb_data", "data.db"))
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def applied(project):
    conn = sqlite3.connect(os.path.join(project, "pb_data", "data.db"))
    try:
        return [r[0] for r in conn.execute("SELECT file FROM _migrations WHERE file LIKE '%.js' ORDER BY file")]
    finally:
        conn.close()


def test_a_looping_migration_stops_serve_within_the_limit_and_leaves_the_database_as_it_was(project):
    (project / "pb_migrations" / "1700000300_loop.js").write_text(LOOP)
    before = dump(project)
    started = time.monotonic()
    done = cli("serve", project, "--port", "0", "--workers", "1", "--migration-timeout", "1")
    assert time.monotonic() - started < 15
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "pagesvm: error: pb_migrations/1700000300_loop.js: stopped: still running after --migration-timeout 1s")
    assert dump(project) == before and applied(project) == FILES
    # fixed: start-up applies both pending files and serves
    (project / "pb_migrations" / "1700000300_loop.js").write_text("migrate((app) => {})\n")
    server = start_server(str(project), "--workers", "1", "--migration-timeout", "1",
                          data_dir=str(project / "pb_data"))
    try:
        assert server.get("/").status == 200
    finally:
        server.stop()
    assert applied(project) == FILES + ["1700000200_third.js", "1700000300_loop.js"]


def test_a_migration_out_of_memory_stops_migrate_up_at_its_line(project):
    (project / "pb_migrations" / "1700000300_hog.js").write_text(HOG)
    before = dump(project)
    done = cli("migrate", "up", project, "--migration-timeout", "5")
    assert done.returncode == 2 and done.stdout == ""
    # Without the line when QuickJS had too little memory left to build the error (it throws null then)
    assert done.stderr in ("pagesvm: error: pb_migrations/1700000300_hog.js:3: InternalError: out of memory\n",
                           "pagesvm: error: pb_migrations/1700000300_hog.js: InternalError: out of memory, "
                           "or the file threw null\n")
    assert dump(project) == before


def test_migrate_up_stops_a_loop_too(project):
    (project / "pb_migrations" / "1700000300_loop.js").write_text(LOOP)
    before = dump(project)
    done = cli("migrate", "up", project, "--migration-timeout", "0.5")
    assert done.returncode == 2 and done.stderr.endswith("--migration-timeout 0.5s\n")
    assert dump(project) == before


def test_a_file_the_interrupt_cannot_reach_ends_the_process_with_the_database_untouched(project):
    # Catching its own out-of-memory in a loop: each round is a few slow allocations, and QuickJS
    # polls its interrupt by operation count, so the alarm is not heard. The watchdog (the page
    # limit's, CPU time past the limit + 1 s) ends the process: not a clean line, but no hang, no trace.
    wedged = "migrate((app) => {\n  for (;;) { try { let s = 'x'; while (true) s = s + s; } catch (e) {} }\n})\n"
    (project / "pb_migrations" / "1700000300_wedged.js").write_text(wedged)
    before = dump(project)
    started = time.monotonic()
    done = cli("migrate", "up", project, "--migration-timeout", "0.5")
    assert done.returncode != 0 and time.monotonic() - started < 15
    assert dump(project) == before


@pytest.mark.parametrize("value, message", [("-1", "must be 0 or more seconds"),
                                            ("nan", "must be a number of seconds, got nan")])
def test_a_bad_limit_is_one_line_on_both_commands(project, value, message):
    for command in (["serve", project, "--port", "0"], ["migrate", "up", project]):
        done = cli(*command, "--migration-timeout", value)
        assert done.returncode == 2 and done.stderr == f"pagesvm: error: --migration-timeout {message}\n"
