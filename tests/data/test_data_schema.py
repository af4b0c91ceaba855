"""The data.db model on its own: ids, field dicts, index SQL, collection saves and transactions."""
import json
import re
import sqlite3

import pytest

from runtime.data.collections import (Collection, CollectionError, all_collections, collection_id, delete_collection,
                                      find_collection_by_name_or_id, save_collection)
from runtime.data.db import Database, NotFoundError, new_record_id
from runtime.data.ddl import index_sql, parse_index
from runtime.data.store import DataStore
from runtime.data.schema_fields import field_id, normalize_field


@pytest.fixture
def db(tmp_path):
    database = Database.open(str(tmp_path / "pb_data"))
    yield database
    database.close()


def table_sql(db, name):
    return db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]


def test_ids_are_crc32_of_type_and_name():
    assert collection_id("auth", "_superusers") == "pbc_3142635823"
    assert collection_id("base", "_mfas") == "pbc_2279338944"
    assert field_id("text", "id") == "text3208210256"
    assert field_id("autodate", "created") == "autodate2990389176"
    assert re.fullmatch(r"[a-z0-9]{15}", new_record_id())


def test_field_dicts_have_every_key_sorted():
    field = normalize_field({"name": "n", "type": "number", "bogus": 1})
    assert list(field) == sorted(field)
    assert field == {"help": "", "hidden": False, "id": "number2013832146", "max": None, "min": None, "name": "n",
                     "onlyInt": False, "presentable": False, "required": False, "system": False, "type": "number"}
    assert "required" not in normalize_field({"name": "c", "type": "autodate", "onCreate": True})
    with pytest.raises(ValueError):
        normalize_field({"name": "x", "type": "nope"})


def test_index_sql_is_normalised_like_the_binary():
    single = parse_index("CREATE UNIQUE INDEX idx_t ON Posts (title)")
    assert index_sql(single, "Posts") == "CREATE UNIQUE INDEX `idx_t` ON `Posts` (`title`)"
    multi = parse_index("create index idx_two on `Posts` (n, flag desc) where n > 1")
    assert index_sql(multi, "Posts") == "CREATE INDEX `idx_two` ON `Posts` (\n  `n`,\n  `flag` DESC\n) WHERE n > 1"
    assert parse_index("not an index") is None


def test_first_open_creates_system_collections_with_fresh_secrets(tmp_path):
    names = []
    secrets = set()
    for folder in ("a", "b"):
        db = Database.open(str(tmp_path / folder))
        names.append([c.name for c in all_collections(db)])
        users = find_collection_by_name_or_id(db, "USERS")
        secrets.add(users.options["authToken"]["secret"])
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        db.close()
        Database.open(str(tmp_path / folder)).close()  # a second open adds nothing
    assert names[0] == ["_mfas", "_otps", "_externalAuths", "_authOrigins", "_superusers", "users"]
    assert len(secrets) == 2 and all(re.fullmatch(r"[A-Za-z0-9]{50}", s) for s in secrets)


def test_missing_collection_is_the_binarys_error(db):
    with pytest.raises(NotFoundError, match="^sql: no rows in result set$"):
        find_collection_by_name_or_id(db, "nope")


def test_base_collection_gets_id_field_and_sorted_columns(db):
    c = save_collection(db, Collection(name="Posts", fields=[{"name": "title", "type": "text"},
                                                            {"name": "tags", "type": "select", "maxSelect": 3}]))
    assert c.id == "pbc_2195335957" and [f["name"] for f in c.fields] == ["id", "title", "tags"]
    assert table_sql(db, "Posts") == ("CREATE TABLE `Posts` (`id` TEXT PRIMARY KEY DEFAULT "
                                      "('r'||lower(hex(randomblob(7)))) NOT NULL, `tags` JSON DEFAULT '[]' NOT NULL, "
                                      "`title` TEXT DEFAULT '' NOT NULL)")
    row = db.execute("SELECT fields, options FROM _collections WHERE id = ?", (c.id,)).fetchone()
    assert json.loads(row[0]) == c.fields and row[1] == "{}"
    assert find_collection_by_name_or_id(db, "posts").to_api() == c.to_api()


def test_field_rename_remove_add_and_type_change(db):
    c = save_collection(db, Collection(name="t", fields=[{"name": "a", "type": "text"}, {"name": "b", "type": "bool"},
                                                        {"name": "s", "type": "select", "maxSelect": 1,
                                                         "values": ["v"]}],
                                       indexes=["CREATE INDEX idx_a ON t (a)"]))
    DataStore(db).save(DataStore(db).new_record("t", {"a": "x", "b": True, "s": "v"}))
    c.field("b")["name"] = "renamed"
    c.field("s")["maxSelect"] = 2
    c.fields = [f for f in c.fields if f["name"] != "a"] + [{"name": "c", "type": "number"}]
    c.indexes = ["CREATE INDEX idx_r ON t (renamed)"]
    save_collection(db, c)
    rows = DataStore(db).find_all_records("t")
    assert [(r.get("renamed"), r.get("s"), r.get("c")) for r in rows] == [(True, ["v"], 0)]
    assert "a" not in rows[0].fields
    assert [r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='t' "
                                   "AND name NOT LIKE 'sqlite_%'")] == ["idx_r"]
    c.field("renamed")["type"] = "text"
    with pytest.raises(CollectionError) as err:
        save_collection(db, c)
    assert err.value.data == {"fields": {"1": "Field type cannot be changed."}}


def test_auth_collection_gets_system_fields_and_indexes(db):
    c = save_collection(db, Collection(name="members", type="auth", fields=[{"name": "nick", "type": "text"}]))
    assert [f["name"] for f in c.fields] == ["id", "nick", "password", "tokenKey", "email", "emailVisibility",
                                             "verified"]
    assert c.indexes == [f"CREATE UNIQUE INDEX `idx_tokenKey_{c.id}` ON `members` (`tokenKey`)",
                         f"CREATE UNIQUE INDEX `idx_email_{c.id}` ON `members` (`email`) WHERE `email` != ''"]
    assert list(c.options)[:3] == ["authRule", "manageRule", "authAlert"]
    with pytest.raises(CollectionError):
        save_collection(db, Collection(name="MEMBERS"))


def test_delete_collection_and_system_refusal(db):
    c = save_collection(db, Collection(name="gone"))
    delete_collection(db, c)
    assert not db.has_table("gone")
    with pytest.raises(NotFoundError):
        find_collection_by_name_or_id(db, c.id)
    with pytest.raises(CollectionError):
        delete_collection(db, find_collection_by_name_or_id(db, "_superusers"))


def test_transactions_nest_and_roll_back(db):
    c = save_collection(db, Collection(name="t", fields=[{"name": "a", "type": "text"}]))

    def insert(db, text):
        DataStore(db).save(DataStore(db).new_record(c.name, {"a": text}))

    def inner(db):
        insert(db, "inner")

    def outer(db):
        insert(db, "outer")
        db.run_in_transaction(inner)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        db.run_in_transaction(outer)
    assert DataStore(db).find_all_records("t") == []
    assert db.run_in_transaction(lambda db: (inner(db), "done")[1]) == "done"
    assert [r.get("a") for r in DataStore(db).find_all_records("t")] == ["inner"]
    with pytest.raises(sqlite3.OperationalError):
        db.run_in_transaction(lambda db: db.execute("SELECT * FROM missing_table"))
    assert not db.conn.in_transaction


def test_public_shape_hides_secrets_and_a_resave_keeps_them(db):
    users = find_collection_by_name_or_id(db, "users")
    secret = users.options["authToken"]["secret"]
    public = users.to_api()
    assert public["authToken"] == {"duration": 432000} and public["passwordAuth"]["enabled"] is True
    again = save_collection(db, Collection.from_api(public))
    assert again.options["authToken"] == {"secret": secret, "duration": 432000}
    assert list(again.options) == list(users.options)
