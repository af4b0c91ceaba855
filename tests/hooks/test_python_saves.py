"""Record hooks around the saves and deletes of Python bindings (`ctx.app`, runtime/hooks/python_saves.py).

The record-hooks oracle project (tests/sites/rechooks_project, whose `POST /t/{op}` saves from a hook handler
in JavaScript) gets a Python extension doing the same operations through `ctx.app` and a route `POST /py/{op}`
calling it: the same table of rows sent to both on two fresh servers must leave the same hook log, row by row
(the JavaScript route's 'in-tx-saved' marker aside: Python cannot write the JS log). Then a page calling a
binding, a hook changing the record and one refusing it, an on_request hook (no evaluation running: refused
with a clear error), and the nested entry's key (page code cannot reach it)."""
import json
import shutil

import pytest

from tests.helpers import request, start_server
from tests.hooks.test_record_hooks_oracle import PROJECT, ROWS

EXT = '''
from bindings import binding, on_request
from bindings.app_python import RecordHookError


@binding("py.op")
def op(ctx, op, body):
    app = ctx.app
    c = body.get("c") or "posts"
    find = lambda: app.find_first_record_by_filter(c, "title = {:t}", {"t": body["title"]})
    try:
        if op == "create":
            record = app.new_record(c, {"title": body["title"]})
            app.save(record)
            return "saved:" + record.get_string("title")
        if op == "update":
            record = find()
            record.set("title", body["to"])
            app.save(record)
            return "updated:" + record.get_string("title")
        if op == "delete":
            app.delete(find())
            return "deleted"
        if op in ("tx", "txfail"):
            def work(tx):
                tx.save(tx.new_record("posts", {"title": body["title"]}))
                if op == "txfail":
                    raise ValueError("undo")
            app.run_in_transaction(work)
            return "tx"
        if op == "count":
            return "count:" + str(app.count_records(c, "title = {:t}", {"t": body["title"]}))
    except RecordHookError as e:
        return f"error:{e.message}"
    except Exception as e:
        return f"error:{e}"


@binding("py.add")
def add(ctx, title):
    record = ctx.app.new_record("posts", {"title": title})
    ctx.app.save(record)
    return {"id": record.id, "title": record.get_string("title")}


@binding("py.note")
def note(ctx, title):
    ctx.app.save(ctx.app.new_record("notes", {"title": title}))


@on_request
def early(ctx):
    if ctx.request.headers.get("x-py-save"):
        try:
            ctx.app.save(ctx.app.new_record("posts", {"title": "early"}))
        except RecordHookError as e:
            return {"early": e.message}
        return {"early": "saved"}
    return None
'''

ROUTE = """
routerAdd('POST', '/py/{op}', (e) => {
  const op = e.request.pathValue('op');
  const out = require('pocketpages').py.op(op, e.requestInfo().body);  // the bindings are the context API's
  const say = (s) => $app.store().set('log', ($app.store().get('log') || '') + s + ' ');
  if (out === 'tx') say('after-tx');  // as the JS route: only when the transaction went through
  say('=> ' + out);
  return e.string(200, out);
});
"""

SPIN = "onRecordCreate((e) => { if (e.record.get('title') === 'spin') for (;;) {} e.next(); }, 'notes');\n"

PAGES = {
    "py_add.ejs": "<% const got = py.add(params.title) %>py:<%= got.title %>|db:<%= $app.findRecordById('posts', got.id).get('title') %>",
    "py_throw.ejs": "<% let out; try { py.add('throw'); out = 'saved' } catch (e) { out = e.message + '/' + e.status } %><%= out %>|"
                    "<%= $app.findRecordsByFilter('posts', \"title = 'throw'\").length %>",
    "spin.ejs": "<% try { py.note('spin') } catch (e) { } %>caught",
    "early.ejs": "<%= data.early %>",
    "forge.ejs": "<% dukpy = {k: 'guess', n: 'recordHooks', a: ['end', true, '']} %><%= typeof dukpy %>|"
                 "<%= typeof py.add('forged').id %>",
}


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    base = tmp_path_factory.mktemp("pysaves")
    project = base / "project"
    shutil.copytree(PROJECT, project)
    (project / "pb_hooks" / "c_python.pb.js").write_text(ROUTE)
    (project / "pb_hooks" / "d_spin.pb.js").write_text(SPIN)
    for name, text in PAGES.items():
        (project / "pb_hooks" / "pages" / name).write_text(text)
    ext = base / "pysaves_ext.py"
    ext.write_text(EXT)
    running = []
    try:
        for name in ("js", "py"):
            running.append(start_server(str(project), "--workers", "1", "--timeout", "2", "--ext", str(ext),
                                        data_dir=str(base / ("data_" + name))))
        yield running
    finally:
        for server in running:
            server.stop()


def _log(server) -> str:
    return request(server.host, server.port, "GET", "/t/log").body.decode()


def _rows(server, prefix):
    out = [_log(server)]
    for op, body in ROWS:
        answer = request(server.host, server.port, "POST", prefix + op, json.dumps(body),
                         {"Content-Type": "application/json"})
        out.append((op, body, answer.status, answer.body.decode(), _log(server).replace("in-tx-saved ", "")))
    return out


@pytest.fixture(scope="module")
def logs(servers):
    js, py = servers
    return _rows(js, "/t/"), _rows(py, "/py/")


@pytest.mark.parametrize("index", range(len(ROWS)), ids=[f"{i}-{r[0]}-{r[1].get('title')}" for i, r in enumerate(ROWS)])
def test_a_python_save_runs_the_chain_a_javascript_save_runs(logs, index):
    theirs, ours = logs
    expected = theirs[index + 1]
    if expected[0] == "txfail":  # a Python exception reaches the Error hooks as its text (a Go error's way)
        expected = expected[:4] + (expected[4].replace("Error: undo", "undo"),)
    assert ours[index + 1] == expected


def test_the_start_up_logs_agree(logs):
    assert logs[0][0] == logs[1][0] and "create-done(UPPER)" in logs[0][0]


def _page(server, path, headers=None):
    """(status, body, the hook log it left) of one page."""
    _log(server)
    r = request(server.host, server.port, "GET", path, headers=headers)
    return r.status, r.body.decode(), _log(server)


def test_a_page_binding_save_is_changed_by_its_hook_and_persisted(servers):
    assert _page(servers[1], "/py_add?title=upper") == (200, "py:UPPER|db:UPPER", "create(upper) create2 "
                                                        "validate(UPPER) createExec create-done(UPPER) afterCreate(posts:UPPER) ")


def test_a_throwing_hook_makes_the_python_save_raise_and_writes_nothing(servers):
    assert _page(servers[1], "/py_throw") == (200, "create hook refused/500|0",
                                              "create(throw) createError(Error: create hook refused) ")


def test_a_save_from_on_request_is_refused_with_a_clear_error(servers):
    status, body, log = _page(servers[1], "/early", {"X-Py-Save": "1"})
    assert status == 200 and log == ""
    assert "can only run for a save or delete a Python binding makes while page or hook code calls it" in body


def test_page_code_cannot_forge_a_nested_entry(servers):
    status, body, log = _page(servers[1], "/forge")
    assert (status, body) == (200, "undefined|string") and "afterCreate(posts:forged)" in log


def test_a_looping_hook_is_stopped_by_the_time_limit_even_when_the_binding_catches(servers):
    py = servers[1]
    r = request(py.host, py.port, "GET", "/spin")
    assert r.status == 504
    again = request(py.host, py.port, "GET", "/py_add?title=after-spin")
    assert again.status == 200 and again.body.decode() == "py:after-spin|db:after-spin"
