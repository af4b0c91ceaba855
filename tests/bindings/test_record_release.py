"""A request's records are freed as the request ends (bindings/record.js, render.js `R.releases`), not left as
cycles for QuickJS's collector: a record and its state hold each other, and the request's wire holds every
state, which holds the wire. Left so, a page of a hundred records left enough behind for QuickJS to walk the whole
runtime every few requests (and pagesvm to walk it again to measure what is live: gc_gate `settle`), ~80 µs a
records page. Counted here: the collections a run of such pages sets off, which must be none."""
from tests.helpers import write_site
from tests.inprocess import collections_during, get, get_together, migrated_runtime, text

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


STORE_HOOKS = r"""
routerAdd("GET", "/keep", (e) => {
  const posts = $app.findRecordsByFilter("posts", "views >= 0", "-views", 2, 0);
  $app.expandRecords(posts, ["author"], null);
  $app.store().set("kept", posts[0]);
  if (!$app.store().has("list")) $app.store().set("list", []);
  return e.string(200, "kept");
});
routerAdd("GET", "/push", (e) => {  // a record reaches the store through an array it holds, no set()
  const posts = $app.findRecordsByFilter("posts", "views >= 0", "views", 1, 0);
  $app.expandRecords(posts, ["author"], null);
  $app.store().get("list").push(posts[0]);
  return e.string(200, "pushed");
});
routerAdd("GET", "/read", (e) => {
  const show = (r) => r.getString("title") + "/" + r.expandedOne("author").getString("name");
  return e.string(200, show($app.store().get("kept")) + " " + $app.store().get("list").map(show).join(","));
});
"""


def test_records_kept_in_the_app_store_stay_whole(tmp_path):
    """`$app.store()` outlives requests by design (PocketBase's app store): a record put there, or in an array it
    holds, is read whole by later requests, its expanded relations included, in the same evaluation or not."""
    project = tmp_path / "project"
    write_site(project / "pb_hooks", {"store.pb.js": STORE_HOOKS})
    (project / "pb_migrations").mkdir()
    (project / "pb_migrations" / "1700000000_posts.js").write_text(MIGRATION)
    runtime = migrated_runtime(str(project), str(tmp_path / "data"))
    assert [text(r) for r in get_together(runtime, "/keep", "/push", "/read")] == ["kept", "pushed", "P149/A9 P0/A0"]
    assert text(get(runtime, "/read")) == "P149/A9 P0/A0"
