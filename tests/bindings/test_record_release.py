"""A request's records are freed as the request ends (bindings/record.js, render.js `R.releases`), not left as
cycles for QuickJS's collector: a record and its state hold each other, and the request's wire holds every
state, which holds the wire. Left so, a page of a hundred records left enough behind for QuickJS to walk the whole
runtime every few requests (and pagesvm to walk it again to measure what is live: gc_gate `settle`), ~80 µs a
records page. Counted here: the collections a run of such pages sets off, which must be none."""
from tests.helpers import write_site
from tests.inprocess import collections_during, get, migrated_runtime, text

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


def test_a_run_of_record_pages_sets_off_no_collection(tmp_path, monkeypatch):
    project = tmp_path / "project"
    write_site(project / "pb_hooks" / "pages", {"posts.ejs": PAGE})
    (project / "pb_migrations").mkdir()
    (project / "pb_migrations" / "1700000000_posts.js").write_text(MIGRATION)
    runtime = migrated_runtime(str(project), str(tmp_path / "data"))
    page = get(runtime, "/posts")
    assert page.status == 200 and text(page).startswith("100:"), text(page)[:200]
    assert collections_during(runtime, "/posts", 40, monkeypatch) == (0, 0)
