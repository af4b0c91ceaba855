"""One pb_migrations file run in QuickJS (runtime.render.migrate): the JSVM surface and how failures are told."""
import json

import pytest

from runtime.data.collections import find_collection_by_name_or_id
from runtime.data.db import Database
from runtime.data.migrations import MigrationError
from runtime.render.migrate import run_migration


@pytest.fixture
def db(tmp_path):
    database = Database.open(str(tmp_path / "data"))
    yield database
    database.close()


def run(tmp_path, db, source, direction="up", name="1_test.js"):
    path = tmp_path / name
    path.write_text(source)
    with db.transaction():
        run_migration(str(path), direction, db)


def failure(tmp_path, db, source):
    with pytest.raises(MigrationError) as err:
        run(tmp_path, db, source)
    return err.value.line, err.value.message


def test_fields_and_indexes_as_the_binary_edits_them(tmp_path, db):
    # The expectations below were observed with the real binary's JSVM on the same calls.
    run(tmp_path, db, """migrate((app) => {
  const c = new Collection({name: "probe", fields: [{name: "t", type: "text", max: 5}, {name: "u", type: "number"}]});
  const id = c.fields.getByName("t").id;
  c.fields.add(new TextField({name: "t", min: 2}));     // same name: replaced in place, id kept
  if (c.fields.getByName("t").id !== id || c.fields.getByName("t").max) throw new Error("replace");
  if (c.fields.getByName("zz") !== null) throw new Error("missing is null");
  c.fields.add(new Field({type: "bool", name: "b"}));
  c.addIndex("idx_t", true, "t", "t != ''");
  if (c.getIndex("idx_t") !== "CREATE UNIQUE INDEX `idx_t` ON `probe` (t) WHERE t != ''") throw new Error(c.getIndex("idx_t"));
  app.save(c);
  if (c.fields.fieldNames().join() !== "id,t,u,b" || !c.created) throw new Error(c.fields.fieldNames().join());
  const d = app.findCollectionByNameOrId("PROBE");
  d.fields.addAt(1, new EmailField({name: "e"}));
  d.fields.removeById(d.fields.getByName("u").id);
  d.removeIndex("idx_t");
  unmarshal({listRule: "", viewRule: "t != ''"}, d);
  app.save(d);
})""")
    c = find_collection_by_name_or_id(db, "probe")
    assert [f["name"] for f in c.fields] == ["id", "e", "t", "b"]
    assert c.field("t")["min"] == 2 and c.field("t")["max"] == 0 and c.field("t")["id"] == "text2238339752"
    assert (c.id, c.indexes, c.listRule, c.viewRule) == ("pbc_471388609", [], "", "t != ''")


def test_down_runs_the_second_function_and_raw_sql_binds_params(tmp_path, db):
    source = """migrate((app) => {
  app.save(new Collection({name: "notes", fields: [{name: "body", type: "text"}]}));
}, (app) => {
  app.db().newQuery("INSERT INTO notes (id, body) VALUES ('abc', {:body})").bind({body: "bye"}).execute();
  const rows = app.findAllCollections("base").map((c) => c.name);
  if (rows.indexOf("notes") < 0) throw new Error(rows.join());
})"""
    run(tmp_path, db, source)
    run(tmp_path, db, source, "down")
    assert [tuple(r) for r in db.query("SELECT id, body FROM notes")] == [("abc", "bye")]


def test_a_refused_save_is_told_at_the_migrations_line_like_the_binary(tmp_path, db):
    line, message = failure(tmp_path, db, """migrate((app) => {
  app.save(new Collection({name: "users2"}));

  app.save(new Collection({name: "USERS2"}));
})""")
    assert (line, message) == (4, "name: Collection name must be unique (case insensitive)..")
    assert failure(tmp_path, db, 'migrate((app) => {\n  app.findCollectionByNameOrId("nope")\n})') == (
        2, "sql: no rows in result set")


def test_errors_thrown_by_the_file_keep_their_line_and_name(tmp_path, db):
    assert failure(tmp_path, db, "migrate((app) => {\n\n\n\n  throw new Error('boom here');\n})") == (
        5, "Error: boom here")
    assert failure(tmp_path, db, "migrate((app) => {\n  x.y = 1\n})") == (2, "ReferenceError: x is not defined")
    line, message = failure(tmp_path, db, "migrate((app) => {\n  x.y = 1\n")
    assert message.startswith("SyntaxError") and line in (3, 4)
    assert failure(tmp_path, db, "// nothing\n") == (0, "the file never calls migrate(up, down)")
    # A record's refused save (records in migrations are bindings/record.js, as in pages): its line, Go's text.
    line, message = failure(tmp_path, db, "migrate((app) => {\n  app.save(new Record(app.findCollectionByNameOrId('users')))\n})")
    assert (line, message) == (2, "email: cannot be blank; password: cannot be blank.")


def test_each_file_has_its_own_top_level_names(tmp_path, db):
    body = "const shared = 1;\nmigrate((app) => { app.save(new Collection({name: 'n%d'})) })"
    run(tmp_path, db, body % 1, name="1_a.js")
    run(tmp_path, db, body % 2, name="2_b.js")
    assert json.loads(db.query("SELECT fields FROM _collections WHERE name = 'n2'")[0][0])[0]["name"] == "id"


def test_settings_saved_back_as_the_auth_starters_first_migration_does(tmp_path, db):
    # `app.settings()` leaves out the SMTP password; saving it back keeps the stored one.
    db.execute("UPDATE _params SET value = json_set(value, '$.smtp.password', 'kept') WHERE id = 'settings'")
    run(tmp_path, db, """migrate((app) => {
  const settings = app.settings();
  if (settings.smtp.password !== undefined) throw new Error("secret shown");
  settings.smtp.enabled = true;
  settings.smtp.host = "localhost";
  settings.smtp.port = 1025;
  settings.meta.appName = "Starter";
  app.save(settings);
  if (app.settings().smtp.port !== 1025) throw new Error("not saved");
})""")
    stored = json.loads(bytes(db.execute("SELECT value FROM _params WHERE id = 'settings'").fetchone()[0]))
    assert stored["smtp"] == {"enabled": True, "port": 1025, "host": "localhost", "username": "", "password": "kept",
                              "authMethod": "", "tls": False, "localName": ""}
    assert stored["meta"]["appName"] == "Starter" and stored["meta"]["appURL"] == "http://localhost:8090"


def test_save_still_refuses_a_plain_object(tmp_path, db):
    assert failure(tmp_path, db, "migrate((app) => {\n  app.save({smtp: {}});\n})") == (
        2, "Error: app.save() takes a Collection or a Record")
