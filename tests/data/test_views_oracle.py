"""View collections and field changes, the same migrations run by the real PocketBase and by pagesvm: the fields
each infers from a view's query, the SQL views and tables, the rows after select/relation/file fields change
between single and multiple, and what a migration sees of a view's records."""
import json
import re
import shutil
import sqlite3
import subprocess

import pytest

from runtime.data import migrations
from tests.data.pb_oracle import collection_rows, normalised_collection, schema_sql
from tests.data.test_migrations_oracle import pagesvm_migrate
from tests.helpers import pocketbase_binary

INIT = """migrate((app) => {
  const posts = new Collection({name: "posts", fields: [
    {name: "title", type: "text", required: true, max: 100}, {name: "views", type: "number", onlyInt: true},
    {name: "tags", type: "select", values: ["a", "b", "c"], maxSelect: 3}, {name: "data", type: "json"},
    {name: "created", type: "autodate", onCreate: true}]});
  app.save(posts);
  const comments = new Collection({name: "comments", fields: [
    {name: "post", type: "relation", collectionId: posts.id, maxSelect: 1}, {name: "body", type: "text"}]});
  app.save(comments);
  app.save(new Record(posts, {id: "post00000000001", title: "hello", views: 5, tags: ["a", "b"], data: {x: 1}}));
  app.save(new Record(posts, {id: "post00000000002", title: "two"}));
  app.save(new Record(comments, {id: "comm00000000001", post: "post00000000001", body: "nice"}));
  app.save(new Record(comments, {id: "comm00000000002", post: "post00000000001", body: "ok"}));
})
"""
VIEWS = {
    "v_plain": "SELECT id, title, views FROM posts WHERE views > 0",
    "v_alias": "SELECT id, title AS name, views n, tags, data, created FROM posts",
    "v_join": "SELECT c.id, c.body, p.title AS post_title, c.post, p.id AS pid, title FROM comments c "
              "JOIN posts p ON p.id = c.post",
    "v_agg": "SELECT p.id, p.title, COUNT(c.id) AS total, TOTAL(p.views) AS t, SUM(p.views) AS s FROM posts p "
             "LEFT JOIN comments c ON c.post = p.id GROUP BY p.id",
    "v_lit": "SELECT id, 'x' AS lit, (views + 1) AS v1, CAST(views AS TEXT) AS vt, CAST(views AS INTEGER) vi, "
             "cast(views as real) vr, CAST(views AS BOOLEAN) AS vb, upper(title) AS up FROM posts",
    "v_rownum": "SELECT (ROW_NUMBER() OVER()) AS id, title FROM posts",
    "v_users": "SELECT id, email, verified, created FROM users",
}
VIEWS_JS = "migrate((app) => {\n" + "".join(
    f"  app.save(new Collection({{type: 'view', name: {json.dumps(n)}, viewQuery: {json.dumps(q)}}}));\n"
    for n, q in VIEWS.items()) + "})\n"
CHANGE_JS = """migrate((app) => {
  const posts = app.findCollectionByNameOrId("posts");
  app.save(new Collection({name: "conv", fields: [
    {name: "s", type: "select", values: ["a", "b", "c"], maxSelect: 1},
    {name: "m", type: "select", values: ["a", "b", "c"], maxSelect: 3},
    {name: "r", type: "relation", collectionId: posts.id, maxSelect: 1},
    {name: "rm", type: "relation", collectionId: posts.id, maxSelect: 5},
    {name: "f", type: "file", maxSelect: 1}, {name: "fm", type: "file", maxSelect: 4}, {name: "keep", type: "text"}]}));
  app.db().newQuery("INSERT INTO conv (id, s, m, r, rm, f, fm, keep) VALUES " +
    "('aaaaaaaaaaaaaaa', 'b', '[\\"a\\",\\"c\\"]', 'p1', '[\\"p1\\",\\"p2\\"]', 'x.png', '[\\"y.png\\",\\"z.png\\"]', 'k1'), " +
    "('bbbbbbbbbbbbbbb', '', '[]', '', '[]', '', '[]', 'k2'), " +
    "('ccccccccccccccc', 'c', '[\\"b\\"]', 'p3', '[\\"p4\\"]', 'q.png', 'notjson', 'k3')").execute();
  const c = app.findCollectionByNameOrId("conv");
  for (const [name, n] of [["s", 2], ["m", 1], ["r", 3], ["rm", 1], ["f", 2], ["fm", 1]]) c.fields.getByName(name).maxSelect = n;
  c.fields.getByName("keep").name = "kept";
  c.name = "conv2";
  app.save(c);
  const back = app.findCollectionByNameOrId("conv2");
  back.fields.getByName("s").maxSelect = 1;
  back.name = "conv3";
  app.save(back);
})
"""
RECORDS_JS = """migrate((app) => {
  const r = app.findRecordById("v_alias", "post00000000001");
  const out = [r.getString("name"), r.getInt("n"), r.getStringSlice("tags").join(","), r.collection().name, r.isNew()];
  try { r.set("name", "zz"); app.save(r); out.push("saved"); } catch (e) { out.push(String(e)); }
  try { app.save(new Record(app.findCollectionByNameOrId("v_alias"), {name: "q"})); } catch (e) { out.push(String(e)); }
  try { app.save(new Record(app.findCollectionByNameOrId("v_plain"), {id: "abcabcabcabcabc"})); } catch (e) { out.push(String(e)); }
  try { app.delete(r); out.push("deleted"); } catch (e) { out.push(String(e)); }
  try { app.findRecordById("v_alias", "nope"); } catch (e) { out.push(String(e)); }
  throw new Error(out.join(" | "));
})
"""
_STAMP_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$")
_CLONE_RE = re.compile(r'"_clone_[A-Za-z0-9]{4}"')


def write(folder, files):
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return str(folder)


def pocketbase_up(data, folder):
    done = subprocess.run([pocketbase_binary(), "migrate", "up", "--dir", str(data), "--migrationsDir", folder],
                          capture_output=True, text=True, timeout=60, cwd=str(data.parent))
    return done.returncode, done.stdout + done.stderr


def rows(data, table):
    conn = sqlite3.connect(str(data / "data.db"))
    try:
        found = conn.execute(f"SELECT * FROM `{table}` ORDER BY id").fetchall()
        return [tuple(_STAMP_RE.sub("<stamp>", v) if isinstance(v, str) else v for v in row) for row in found]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    pocketbase_binary()
    base = tmp_path_factory.mktemp("views")
    folder = write(base / "m", {"1700000000_init.js": INIT, "1700000001_views.js": VIEWS_JS,
                                "1700000002_change.js": CHANGE_JS})
    code, out = pocketbase_up(base / "pb", folder)
    assert code == 0, out
    pagesvm_migrate(base / "pv", folder)
    return base / "pb", base / "pv"


def test_view_fields_and_sql_match_the_binary(both):
    pb, pv = both
    theirs, ours = collection_rows(str(pb / "data.db")), collection_rows(str(pv / "data.db"))
    for name in VIEWS:
        mine, real = normalised_collection(ours[name]), normalised_collection(theirs[name])
        assert _CLONE_RE.sub('"_clone_"', mine["fields"]) == _CLONE_RE.sub('"_clone_"', real["fields"]), name
        assert mine == {**real, "fields": mine["fields"]}, name
        assert _CLONE_RE.search(mine["fields"]) or name in ("v_rownum",) or "json" in mine["fields"], name
    sql_pb, sql_pv = schema_sql(str(pb / "data.db")), schema_sql(str(pv / "data.db"))
    for name in VIEWS:
        assert sql_pv[name] == sql_pb[name], name
        assert rows(pv, name) == rows(pb, name), name


def test_changed_fields_convert_stored_values_and_renames_keep_data(both):
    pb, pv = both
    assert rows(pv, "conv3") == rows(pb, "conv3")
    assert schema_sql(str(pv / "data.db"))["conv3"] == schema_sql(str(pb / "data.db"))["conv3"]
    theirs, ours = collection_rows(str(pb / "data.db")), collection_rows(str(pv / "data.db"))
    assert normalised_collection(ours["conv3"]) == normalised_collection(theirs["conv3"])
    assert "conv" not in ours and "conv2" not in ours


def test_view_records_read_and_refuse_writes_as_the_binary(both, tmp_path):
    pb, pv = both
    shutil.copytree(pb, tmp_path / "pb")
    shutil.copytree(pv, tmp_path / "pv")
    folder = write(tmp_path / "m", {"1700000000_init.js": INIT, "1700000001_views.js": VIEWS_JS,
                                    "1700000002_change.js": CHANGE_JS, "1700000003_records.js": RECORDS_JS})
    code, out = pocketbase_up(tmp_path / "pb", folder)
    assert code != 0
    theirs = re.search(r"failed to apply migration 1700000003_records.js: Error: (.*) at \S+$", out.strip())
    assert theirs, out
    assert "cannot modify v_alias because it is a view" in theirs.group(1)
    with pytest.raises(migrations.MigrationError) as err:
        pagesvm_migrate(tmp_path / "pv", folder)
    assert err.value.message == "Error: " + theirs.group(1)
