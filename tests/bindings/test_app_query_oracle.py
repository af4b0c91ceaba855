"""`$app`'s query extras in a page against the real PocketBase's JSVM, on the query corpus's project and data.db:
`publicExport()`/`JSON.stringify` of an expanded record, `expandedOne`/`expandedAll`, a back-relation's ids set on
the record, `$app.settings()` (its JSON hides the secrets), `db().newQuery(...).bind().all/one` filling
`DynamicModel`s, `$dbx` expressions in `countRecords`/`findAllRecords`, and `$app.store()`. One snippet runs in a
`routerAdd` handler on the binary and in a page on `pagesvm serve`; the printed data must be equal."""
import json
import os

import pytest

from tests.data.test_query_corpus_oracle import project  # noqa: F401  (the migrated project, module-scoped)
from tests.helpers import PocketBase, start_server, write_site

SNIPPET = r"""
const out = {}
const post = $app.findRecordById("posts", "posthello000001")
out.failed = Object.keys($app.expandRecord(post, ["author", "tags", "nope"], null))
out.export = post.publicExport()
delete out.export.meta  // a json field in the binary's publicExport() is raw bytes (not this test's subject)
out.json = JSON.parse(JSON.stringify(post))
out.one = post.expandedOne("tags").id
out.all = post.expandedAll("tags").map((r) => r.id)
out.none = [post.expandedOne("nothere"), post.expandedAll("nothere").length]
out.authorTwice = post.expandedOne("author") === post.expandedOne("author")
const back = $app.findRecordById("posts", "posthello000001")
$app.expandRecord(back, ["comments_via_post.author"], null)
out.backIds = back.get("comments_via_post")
out.backExport = JSON.parse(JSON.stringify(back)).expand
const listed = $app.findRecordsByFilter("posts", "views >= 10", "id", 0, 0)
$app.expandRecords(listed, ["author"], null)
out.listed = listed.map((r) => JSON.parse(JSON.stringify(r)))
const settings = JSON.parse(JSON.stringify($app.settings()))
out.settings = [$app.settings().meta.appName, $app.settings().meta.appURL, settings.smtp, settings.s3, settings.meta]
const rows = arrayOf(new DynamicModel({ id: "", views: 0, published: false, title: "" }))
$app.db().newQuery("SELECT id, views, published, title FROM posts WHERE views >= {:v} ORDER BY id").bind({ v: 5 }).all(rows)
out.rows = JSON.parse(JSON.stringify(rows))
const row = new DynamicModel({ n: 0, t: "" })
$app.db().newQuery("SELECT count(*) AS n, 'x' AS t FROM [[posts]]").one(row)
out.row = [row.n, row.t]
out.counts = [
  $app.countRecords("posts", $dbx.like("title", "hello")),
  $app.countRecords("posts", $dbx.notLike("title", "hello")),
  $app.countRecords("posts", $dbx.orLike("title", "hello", "world")),
  $app.countRecords("authors", $dbx.like("bio", "100%")),
  $app.countRecords("authors", $dbx.like("bio", "100%").escape()),
  $app.countRecords("posts", $dbx.or($dbx.hashExp({ status: "draft" }), $dbx.not($dbx.in("views", 0, 10)))),
  $app.countRecords("posts", $dbx.and($dbx.hashExp({ published: true, status: ["published", "draft"] }), $dbx.exp("views > {:v}", { v: 1 }))),
  $app.countRecords("posts", $dbx.notIn("id", "posthello000001")),
  $app.countRecords("posts", $dbx.exists($dbx.exp("SELECT 1 FROM comments c WHERE c.post = posts.id"))),
  $app.countRecords("posts", $dbx.notBetween("views", 1, 20)),
]
out.between = $app.findAllRecords("posts", $dbx.between("views", 5, 50)).map((r) => r.id).sort()
out.ids = $app.findRecordsByIds("posts", ["posthello000001", "postagain000002"]).map((r) => r.id).sort()
const store = $app.store()
store.set("k", { a: 1 })
// The binary's app store also holds PocketBase's own entries (its cached collections): not compared.
out.store = [store.get("k"), store.has("k"), store.has("x"), store.getOrSet("k", () => 5), store.getOrSet("n", () => 5)]
store.remove("k")
store.remove("n")
out.storeAfter = [store.has("k"), store.getAll().k === undefined, store.get("k") === undefined]
"""
HOOK = """routerAdd("GET", "/oracle/extras", (e) => {
  try {
%s
    return e.string(200, JSON.stringify(out))
  } catch (err) {
    return e.string(200, JSON.stringify({ thrown: String(err) }))
  }
})
""" % SNIPPET


def _normalised(out: dict) -> dict:
    """Autodate values differ (each side's migration ran at its own time)."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("created", "updated")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return strip(out)


@pytest.fixture(scope="module")
def answers(project):  # noqa: F811
    folder, data = project
    pb = PocketBase(folder, hooks={"extras_oracle.pb.js": HOOK}, migrations=os.path.join(folder, "pb_migrations"))
    try:
        status, binary = pb.call("GET", "/oracle/extras")
        assert status == 200 and "thrown" not in binary, binary
    finally:
        pb.stop()
    site = write_site(os.path.join(folder, "..", "extras_site"),
                      {"index.ejs": "<%% %s %%><%%- JSON.stringify(out) %%>" % SNIPPET})
    server = start_server(site, "--workers", "1", data_dir=data)
    try:
        page = server.get("/")
        assert page.status == 200, page.text[:2000]
        mine = page.json()
    finally:
        server.stop()
    return _normalised(binary), _normalised(mine)


@pytest.mark.parametrize("key", ["failed", "export", "json", "one", "all", "none", "authorTwice", "backIds",
                                 "backExport", "listed", "settings", "rows", "row", "counts", "between", "ids",
                                 "store", "storeAfter"])
def test_pagesvm_answers_as_the_binary(answers, key):
    binary, mine = answers
    assert mine[key] == binary[key], f"\n  pocketbase: {json.dumps(binary[key])}\n  pagesvm:    {json.dumps(mine[key])}"
