"""Attack (fixed): the request timer's RequestTimeout, raised while Python code called from JavaScript runs
(a `$app.save`, where a save-heavy page spends most of its time), reaches the page as an ordinary catchable JS
error. A loop with the common `try { $app.save(r) } catch (e) { errors.push(e) }` therefore swallows every tick:
the page is never stopped, the watchdog kills the whole worker at --timeout + 1 s of CPU, and the client (and
every other request held by that worker) gets a dropped connection instead of a 504. Now a call answered past
the deadline makes the page spin until the next tick interrupts JavaScript, which no try/catch holds."""
import http.client
import os
import shutil

import pytest

from tests.helpers import SITES, write_site

PAGES = {"pb_hooks/pages/import.ejs": """<%
const errors = []
const r = new Record('posts', {title: 'spam'})
for (let i = 0; ; i++) { try { r.set('views', i); $app.save(r) } catch (e) { errors.push(String(e)) } }
%>"""}


def test_a_page_catching_save_errors_in_a_loop_is_still_stopped_with_504(serve, tmp_path):
    project = write_site(tmp_path / "project", PAGES)
    shutil.copytree(os.path.join(SITES, "records_project", "pb_migrations"), os.path.join(project, "pb_migrations"))
    server = serve(project, "--workers", "1", "--timeout", "0.5", data_dir=tmp_path / "project" / "pb_data")
    try:
        answer = server.get("/import", timeout=20)
    except (http.client.HTTPException, ConnectionError) as exc:
        pytest.fail(f"the connection was dropped ({type(exc).__name__}); the worker was killed")
    assert answer.status == 504
    assert "exited with signal" not in server.log
