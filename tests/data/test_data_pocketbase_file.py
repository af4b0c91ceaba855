"""A data.db made by the real PocketBase, read by pagesvm; pagesvm's own fresh file compared with it.

One `pocketbase serve` for the module: the collection with every field type and its records are
created through the binary's REST API, then changed through it (rename, remove, add, index), and
pagesvm does the same on its own file; `_collections` rows and table SQL are compared with only
generated secrets and timestamps normalised.
"""
import copy
import json

import pytest

from runtime.data.collections import Collection, all_collections, find_collection_by_name_or_id, save_collection
from runtime.data.db import Database
from runtime.data.store import DataStore
from tests.data.pb_oracle import (COMPARED, EVERYTHING, RECORDS, PocketBase, collection_rows, normalised_collection,
                                  run_cli, schema_sql)


@pytest.fixture(scope="module")
def fresh_pair(tmp_path_factory):
    """(PocketBase's fresh data.db, pagesvm's fresh data.db), neither touched afterwards."""
    root = tmp_path_factory.mktemp("fresh")
    run_cli(str(root / "pb" / "pb_data"), "migrate", "up")
    Database.open(str(root / "pv" / "pb_data")).close()
    return str(root / "pb" / "pb_data" / "data.db"), str(root / "pv" / "pb_data" / "data.db")


@pytest.fixture(scope="module")
def pocketbase(tmp_path_factory):
    data = str(tmp_path_factory.mktemp("pb") / "pb_data")
    run_cli(data, "migrate", "up")
    pb = PocketBase(data)
    status, made = pb.call("POST", "/api/collections", EVERYTHING)
    assert status == 200, made
    for record in RECORDS:
        status, body = pb.call("POST", "/api/collections/Everything/records", record)
        assert status == 200, body
    pb.data = data
    yield pb
    pb.stop()


def test_fresh_system_collections_match_exactly(fresh_pair):
    theirs, ours = (collection_rows(p) for p in fresh_pair)
    assert list(ours) == list(theirs)
    for name in theirs:
        assert normalised_collection(ours[name]) == normalised_collection(theirs[name]), name


def test_fresh_tables_indexes_migrations_and_settings_match(fresh_pair):
    theirs, ours = (Database(p) for p in fresh_pair)
    try:
        assert schema_sql(ours.path) == schema_sql(theirs.path)
        assert [r[0] for r in ours.query("SELECT file FROM _migrations ORDER BY rowid")] == \
               [r[0] for r in theirs.query("SELECT file FROM _migrations ORDER BY rowid")]
        params = "SELECT id, value FROM _params ORDER BY id"
        assert [tuple(r) for r in ours.query(params)] == [tuple(r) for r in theirs.query(params)]
        assert ours.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        ours.close()
        theirs.close()


def test_pocketbase_file_opens_with_every_collection_field_and_record(pocketbase):
    db = Database.open(pocketbase.data)
    try:
        status, listed = pocketbase.call("GET", "/api/collections?perPage=500")
        assert status == 200
        ours = {c.name: c.to_api() for c in all_collections(db)}
        assert {c["name"]: c for c in listed["items"]} == ours
        status, records = pocketbase.call("GET", "/api/collections/Everything/records?sort=created")
        rows = {r.id: r.public_export() for r in DataStore(db).find_all_records("everything")}
        assert len(rows) == len(RECORDS) == records["totalItems"]
        for item in records["items"]:
            assert {k: rows[item["id"]][k] for k in COMPARED} == {k: item[k] for k in COMPARED}
    finally:
        db.close()


def test_same_collection_saved_by_pagesvm_is_stored_the_same(pocketbase, tmp_path):
    db = Database.open(str(tmp_path / "pb_data"))
    try:
        mine = save_collection(db, Collection.from_api(copy.deepcopy(EVERYTHING)))
        theirs_path = pocketbase.data + "/data.db"
        theirs = collection_rows(theirs_path)["Everything"]
        assert normalised_collection(collection_rows(db.path)["Everything"]) == normalised_collection(theirs)
        assert {k: v for k, v in schema_sql(db.path).items() if "Everything" in v} == \
               {k: v for k, v in schema_sql(theirs_path).items() if "Everything" in v}
        assert mine.id == theirs["id"]
    finally:
        db.close()


def _changed(fields: list) -> dict:
    """Rename `n`, drop `site`, add `extra`, point the second index at the renamed column."""
    fields = [f for f in copy.deepcopy(fields) if f["name"] != "site"]
    next(f for f in fields if f["name"] == "n")["name"] = "count"
    fields.append({"name": "extra", "type": "text"})
    return {"fields": fields, "indexes": ["CREATE UNIQUE INDEX idx_everything_title ON Everything (title)",
                                          "create index idx_everything_two on Everything (count, flag desc)"]}


def test_field_changes_match_the_binary(pocketbase, tmp_path):
    db = Database.open(str(tmp_path / "pb_data"))
    try:
        mine = save_collection(db, Collection.from_api(copy.deepcopy(EVERYTHING)))
        status, current = pocketbase.call("GET", "/api/collections/Everything")
        status, updated = pocketbase.call("PATCH", "/api/collections/Everything", _changed(current["fields"]))
        assert status == 200, updated
        change = _changed(mine.fields)
        mine.fields, mine.indexes = change["fields"], change["indexes"]
        save_collection(db, mine)
        theirs_path = pocketbase.data + "/data.db"
        assert normalised_collection(collection_rows(db.path)["Everything"]) == \
               normalised_collection(collection_rows(theirs_path)["Everything"])
        assert {k: v for k, v in schema_sql(db.path).items() if "Everything" in v} == \
               {k: v for k, v in schema_sql(theirs_path).items() if "Everything" in v}
        assert json.loads(json.dumps(find_collection_by_name_or_id(db, "Everything").fields)) == updated["fields"]
    finally:
        db.close()
