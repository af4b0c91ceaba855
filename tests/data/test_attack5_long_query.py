"""Attack: a statement SQLite spends long on (a search over a big table, a filter joining many relations, or a
page's own raw query) was never stopped by --timeout: SQLite runs it in one C call, Python's alarm handler waits
for it to return, and the CPU watchdog killed the whole worker at --timeout + 1 s, dropping the connection (and
every other request that worker held) instead of answering. data.db's connection now has a progress handler,
so the alarm stops the statement and the worker answers and keeps serving."""
import http.client
import os
import shutil

import pytest

from tests.helpers import SITES, write_site

SLOW = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) "
        "SELECT count(*) AS n FROM c")
PAGES = {
    "pb_hooks/pages/slow.ejs": "<% const rows = $app.db().newQuery(" + repr(SLOW) + ").all() %><%= JSON.stringify(rows) %>",
    "pb_hooks/pages/ok.ejs": "<%= $app.countRecords('posts') %>",
}


def test_a_long_statement_is_stopped_by_the_time_limit_and_the_worker_keeps_serving(serve, tmp_path):
    project = write_site(tmp_path / "project", PAGES)
    shutil.copytree(os.path.join(SITES, "records_project", "pb_migrations"), os.path.join(project, "pb_migrations"))
    server = serve(project, "--workers", "1", "--timeout", "0.5", data_dir=tmp_path / "project" / "pb_data")
    assert server.get("/ok").status == 200
    try:
        answer = server.get("/slow", timeout=20)
    except (http.client.HTTPException, ConnectionError) as exc:
        pytest.fail(f"the connection was dropped ({type(exc).__name__}); the worker was killed")
    assert answer.status == 504, answer.status  # the timeout SQLite swallowed as "interrupted" still counts
    assert server.get("/ok").status == 200
    assert "exited with signal" not in server.log and "died" not in server.log
