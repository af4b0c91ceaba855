"""A request's records are freed as the request ends (bindings/record.js, render.js `R.releases`), not left as
cycles for QuickJS's collector: a record and its state hold each other, and the request's wire holds every
state, which holds the wire. Left so, a page of a hundred records left enough behind for QuickJS to walk the whole
runtime every few requests (and pagesvm to walk it again to measure what is live: gc_gate `settle`), ~80 µs a
records page. Counted here: the collections a run of such pages sets off, which must be none."""
import subprocess
import sys

import pytest

from runtime.render import gc_gate
from tests.helpers import write_site

MIGRATION = """
migrate((app) => {
  const authors = new Collection({ type: "base", name: "authors", fields: [{ type: "text", name: "name" }] });
  app.save(authors);
  const posts = new Collection({ type: "base", name: "posts", fields: [
    { type: "text", name: "title" }, { type: "number", name: "views" },
    { type: "relation", name: "author", collectionId: authors.id, maxSelect: 1 }] });
  app.save(posts);
  const ids = [];
  for (let i = 0; i < 10; i++) { const a = new Record(authors, { name: "A" + i }); app.save(a); ids.push(a.id); }
  for (let i = 0; i < 150; i++) app.save(new Record(posts, { title: "P" + i, views: i, author: ids[i % 10] }));
});
"""

PAGE = """<% const posts = $app.findRecordsByFilter("posts", "views >= 0", "-views", 100, 0); \
$app.expandRecords(posts, ["author"], null) %>\
<%= posts.length %>:<%= posts.map((p) => p.getString("title") + "/" + p.expandedOne("author").getString("name")).join(",").length %>"""


@pytest.fixture
def runtime(tmp_path, monkeypatch):
    project = tmp_path / "project"
    write_site(project / "pb_hooks" / "pages", {"posts.ejs": PAGE})
    (project / "pb_migrations").mkdir()
    (project / "pb_migrations" / "1700000000_posts.js").write_text(MIGRATION)
    data = tmp_path / "data"
    subprocess.run([sys.executable, "-m", "runtime.serve.cli", "migrate", "up", str(project), "--data", str(data)],
                   check=True, capture_output=True)
    from runtime.http.build import build_runtime
    from runtime.render.executor import RenderQueue
    from runtime.render.limits import RequestLimits

    built, _ = build_runtime(str(project), data_dir=str(data))
    built.queue = RenderQueue(built.queue.engine, RequestLimits(0, watchdog=False), built.answer, immediate=True)
    if not built.queue.engine.interp.collections.active:
        pytest.skip("dukpy's collections cannot be followed on this platform (gc_gate inactive)")
    return built


def _get(runtime, path: str):
    from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

    from runtime.http.loopback import _Capture

    request = HTTPServerRequest(headers=HTTPHeaders({"Host": "127.0.0.1"}), body=b"",
                                start_line=RequestStartLine("GET", path, "HTTP/1.1"))
    request.protocol, request.remote_ip = "http", "127.0.0.1"
    capture = _Capture(request)
    runtime.serve(capture)
    return capture.response


def test_a_run_of_record_pages_sets_off_no_collection(runtime, monkeypatch):
    first = _get(runtime, "/posts")
    assert first.status == 200 and str(first.body).startswith("100:"), first.body[:200]
    settles = []
    real = gc_gate.Collections.settle
    monkeypatch.setattr(gc_gate.Collections, "settle", lambda self: (settles.append(1), real(self)))
    asked = gc_gate.counts["collected after"]
    for _ in range(40):
        assert _get(runtime, "/posts").body == first.body
    assert (len(settles), gc_gate.counts["collected after"] - asked) == (0, 0)
