"""`$app` and `Record` in a page against the real PocketBase's JSVM: one piece of JavaScript (create, set, typed
getters, save, find by id, a failing save's message and value, a missing record, transactions that roll back or
commit, a callback that returns a value) runs in a `routerAdd` handler on the binary and in a page on
`pagesvm serve`, both on the records_project's migration; what each prints must be the same."""
import json
import os
import shutil

import pytest

from tests.helpers import SITES, oracle_answers

PROJECT = os.path.join(SITES, "records_project")
FIELDS = ["title", "views", "published", "score", "meta", "tags", "when", "missing"]

SNIPPET = """
const out = {}
const FIELDS = %s
const reads = (rec) => {
  const got = {}
  for (const f of FIELDS) {
    got[f] = [JSON.stringify(rec.get(f)), rec.getString(f), rec.getInt(f), rec.getFloat(f), rec.getBool(f),
              rec.getDateTime(f).string(), rec.getDateTime(f).isZero(), rec.getStringSlice(f)]
  }
  return got
}
const strip = (o) => { const c = Object.assign({}, o); for (const k of ["id", "created", "updated", "collectionId"]) delete c[k]; return c }
const failure = (e) => ({ name: e.name, message: e.message, text: String(e), value: JSON.parse(JSON.stringify(e.value)),
                          valueText: String(e.value), keys: Object.keys(e), isError: e instanceof Error })
const posts = $app.findCollectionByNameOrId("posts")
out.collection = [posts.name, posts.type]
const r = new Record(posts, { title: "first", views: "12" })
r.set("published", "true")
r.set("score", "1e3")
r.set("meta", { a: [1, 2], s: "x" })
r.set("tags", ["b", "a", "b"])
r.set("when", "2024-01-02T03:04:05Z")
out.beforeSave = reads(r)
out.newBefore = r.id === ""
$app.save(r)
out.idLength = r.id.length
const found = $app.findRecordById("posts", r.id)
out.sameId = found.id === r.id
out.found = reads(found)
out.foundCollection = found.collection().name
out.export = strip(found.publicExport())
out.json = strip(JSON.parse(JSON.stringify(found)))
out.jsonKeys = Object.keys(JSON.parse(JSON.stringify(found)))  // Go's json.Marshal: sorted
out.text = String(found).replace(found.id, "ID").slice(0, 40)
found.set("views", 7.9)
$app.save(found)
out.updated = [found.getInt("views"), found.getFloat("views"), $app.findRecordById("posts", r.id).get("views")]
out.seeded = $app.findRecordById("posts", "seededbymigrate").getString("title")
try { $app.save(new Record(posts, { title: "", views: -1 })) } catch (e) { out.invalid = failure(e) }
try { $app.save(new Record(posts, { title: "x".repeat(41) })) } catch (e) { out.tooLong = failure(e) }
try { $app.findRecordById("posts", "nothere") } catch (e) { out.missing = failure(e) }
try { $app.findRecordById("nocollection", "nothere") } catch (e) { out.noCollection = e.message }
let rolled = ""
try {
  $app.runInTransaction((txApp) => {
    const q = new Record(txApp.findCollectionByNameOrId("posts"), { title: "rolled back" })
    txApp.save(q)
    rolled = q.id
    throw new Error("stop here")
  })
} catch (e) { out.thrown = [e.name, e.message] }
try { $app.findRecordById("posts", rolled); out.rolledBack = "still there" } catch (e) { out.rolledBack = e.message }
let kept = ""
out.committedReturn = String($app.runInTransaction((txApp) => {
  const q = new Record(posts, { title: "kept" })
  txApp.save(q)
  kept = q.id
}))
out.committed = $app.findRecordById("posts", kept).getString("title")
try { $app.runInTransaction(() => 5) } catch (e) { out.returned = [e.name, e.message] }
const gone = $app.findRecordById("posts", kept)
$app.delete(gone)
try { $app.findRecordById("posts", kept); out.deleted = "still there" } catch (e) { out.deleted = e.message }
""" % json.dumps(FIELDS)

HOOK = 'routerAdd("GET", "/oracle", (e) => {\n%s\nreturn e.json(200, out)\n})\n' % SNIPPET
PAGE = "<%%\n%s\n%%><%%- JSON.stringify(out) %%>" % SNIPPET


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    project = str(tmp_path_factory.mktemp("project") / "records_project")
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("pb_data"))
    with open(os.path.join(project, "pb_hooks", "pages", "oracle.ejs"), "w", encoding="utf-8") as f:
        f.write(PAGE)
    return oracle_answers(str(tmp_path_factory.mktemp("pb")), {"oracle.pb.js": HOOK}, project,
                          str(tmp_path_factory.mktemp("data")), migrations=os.path.join(PROJECT, "pb_migrations"))


@pytest.mark.parametrize("key", ["collection", "beforeSave", "newBefore", "idLength", "sameId", "found",
                                 "foundCollection", "export", "json", "jsonKeys", "text", "updated", "seeded"])
def test_records_read_and_write_as_on_the_binary(answers, key):
    binary, ours = answers
    assert ours[key] == binary[key]


@pytest.mark.parametrize("key", ["invalid", "tooLong", "missing", "noCollection"])
def test_errors_carry_the_binary_text_and_value(answers, key):
    binary, ours = answers
    assert ours[key] == binary[key]


@pytest.mark.parametrize("key", ["thrown", "rolledBack", "committedReturn", "committed", "returned", "deleted"])
def test_transactions_and_delete_as_on_the_binary(answers, key):
    binary, ours = answers
    assert ours[key] == binary[key]


def test_the_answers_are_not_empty(answers):
    binary, ours = answers
    assert set(ours) == set(binary)
    assert binary["invalid"]["message"] == "title: cannot be blank; views: Must be greater or equal than 0."
    assert binary["rolledBack"] == binary["missing"]["message"] == "sql: no rows in result set"

