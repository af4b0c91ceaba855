"""`ctx.app` (bindings/app_python.py) through real bindings called from pages: Python and the page's `$app` read
and write the same data.db, and a binding called inside the page's `$app.runInTransaction` writes inside that
same transaction (rolled back with it, committed with it)."""
import json

import pytest

from runtime.data import process
from runtime.data.collections import Collection, save_collection
from tests.helpers import start_server, write_site

EXT = '''
from bindings import binding
from runtime.data.db import NotFoundError


@binding("py.add")
def add(ctx, title, views=0):
    record = ctx.app.new_record("posts", {"title": title, "views": views})
    ctx.app.save(record)
    return record.id


@binding("py.titles")
def titles(ctx, filter="", params=None):
    found = ctx.app.find_records_by_filter("posts", filter, "-views,title", 0, 0, params)
    return [r.get_string("title") for r in found]


@binding("py.summary")
def summary(ctx, record_id):
    try:
        one = ctx.app.find_record_by_id("posts", record_id)
    except NotFoundError as exc:
        return {"error": str(exc)}
    first = ctx.app.find_first_record_by_filter("posts", "views >= {:v}", {"v": 5})
    return {"title": one.get_string("title"), "count": ctx.app.count_records("posts", "views > {:v}", {"v": 0}),
            "first": first.get_string("title"), "collection": ctx.app.find_collection_by_name_or_id("posts")["name"]}


@binding("py.bump")
def bump(ctx, record_id):
    def work(app):
        record = app.find_record_by_id("posts", record_id)
        record.set("views", record.get_int("views") + 1)
        app.save(record)
        return record.get_int("views")
    return ctx.app.run_in_transaction(work)


@binding("py.remove")
def remove(ctx, record_id):
    ctx.app.delete(ctx.app.find_record_by_id("posts", record_id))
'''

PAGES = {
    "index.ejs": "ok",
    "add.ejs": "<%= py.add(params.title, params.views || 0) %>",
    "titles.ejs": "<%- JSON.stringify({py: py.titles(), js: $app.findRecordsByFilter('posts', '', '-views,title')"
                  ".map((r) => r.getString('title'))}) %>",
    "summary.ejs": "<%- JSON.stringify(py.summary(params.id)) %>",
    "js_add.ejs": "<% const r = new Record($app.findCollectionByNameOrId('posts'), {title: params.title, views: 7});"
                  " $app.save(r) %><%- JSON.stringify(py.summary(r.id)) %>",
    "tx_fail.ejs": "<% try { $app.runInTransaction((tx) => { py.add('doomed', 1);"
                   " const seen = tx.findRecordsByFilter('posts', \"title = 'doomed'\").length;"
                   " if (seen !== 1) throw new Error('not seen inside: ' + seen); throw new Error('stop') }) }"
                   " catch (e) { %><%= e.message %><% } %>",
    "tx_ok.ejs": "<% let inside; $app.runInTransaction((tx) => { const id = py.add('kept', 2); inside = py.bump(id) })"
                 " %><%= inside %>",
    "remove.ejs": "<% py.remove(params.id) %><%= $app.countRecords('posts') %>",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("pyapp")
    data = str(base / "data")
    store = process.store_for(data)
    save_collection(store.db, Collection.from_api({"name": "posts", "fields": [
        {"name": "title", "type": "text", "required": True}, {"name": "views", "type": "number"}]}))
    process.forget(data)
    ext = base / "py_records_ext.py"
    ext.write_text(EXT)
    site = write_site(base / "site", PAGES)
    running = start_server(site, "--workers", "1", "--ext", str(ext), data_dir=data)
    yield running
    running.stop()


def _get(server, path):
    page = server.get(path)
    assert page.status == 200, page.text
    return page.text


def test_python_writes_and_the_page_reads_and_the_other_way(server):
    first = _get(server, "/add?title=%22from%20python%22&views=3")
    assert len(first) == 15
    _get(server, "/add?title=%22second%22&views=9")
    both = json.loads(_get(server, "/titles"))
    assert both["py"] == both["js"] == ["second", "from python"]
    written_by_js = json.loads(_get(server, "/js_add?title=%22by%20js%22"))
    assert written_by_js == {"title": "by js", "count": 3, "first": "second", "collection": "posts"}
    assert json.loads(_get(server, "/summary?id=%22nope%22")) == {"error": "sql: no rows in result set"}


def test_a_binding_inside_the_pages_transaction_shares_it(server):
    assert _get(server, "/tx_fail") == "stop"  # the binding's row was visible inside, then rolled back with it
    assert "doomed" not in json.loads(_get(server, "/titles"))["py"]
    assert _get(server, "/tx_ok") == "3"
    assert "kept" in json.loads(_get(server, "/titles"))["js"]


def test_delete_from_python(server):
    before = int(_get(server, "/remove?id=%22" + _get(server, "/add?title=%22gone%22") + "%22"))
    assert "gone" not in json.loads(_get(server, "/titles"))["py"] and before >= 1
