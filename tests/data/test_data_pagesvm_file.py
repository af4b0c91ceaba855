"""A data.db made by pagesvm, opened by the real PocketBase: nothing to migrate, same schema, same records.

One `pocketbase serve` for the module, on a folder pagesvm created, with a collection and records
pagesvm saved (and a user whose bcrypt password PocketBase accepts).
"""
import copy

import bcrypt
import pytest

from runtime.data.collections import Collection, all_collections, find_collection_by_name_or_id, save_collection
from runtime.data.db import Database
from runtime.data.rows import insert_row, read_rows
from tests.data.pb_oracle import COMPARED, EVERYTHING, RECORDS, PocketBase, run_cli


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """pagesvm's folder: (data dir, migrations before PocketBase opened it, `migrate up` output)."""
    data = str(tmp_path_factory.mktemp("pv") / "pb_data")
    db = Database.open(data)
    everything = save_collection(db, Collection.from_api(copy.deepcopy(EVERYTHING)))
    users = find_collection_by_name_or_id(db, "users")
    user = insert_row(db, users, {"email": "ann@example.com", "name": "Ann", "verified": True,
                                  "password": bcrypt.hashpw(b"ann-password", bcrypt.gensalt(10)).decode()})
    for record in RECORDS:
        insert_row(db, everything, {**record, "owner": user["id"], "owners": [user["id"]]})
    migrations = [r[0] for r in db.query("SELECT file FROM _migrations ORDER BY rowid")]
    db.close()
    return data, migrations, run_cli(data, "migrate", "up")


@pytest.fixture(scope="module")
def pocketbase(made):
    pb = PocketBase(made[0])
    yield pb
    pb.stop()


def test_pocketbase_runs_no_migration_on_it(made):
    data, before, output = made
    assert "No new migrations to apply." in output
    db = Database(data + "/data.db")
    try:
        assert [r[0] for r in db.query("SELECT file FROM _migrations ORDER BY rowid")] == before
    finally:
        db.close()


def test_rest_api_lists_the_same_collections(made, pocketbase):
    status, listed = pocketbase.call("GET", "/api/collections?perPage=500")
    assert status == 200
    db = Database(made[0] + "/data.db")
    try:
        assert {c["name"]: c for c in listed["items"]} == {c.name: c.to_api() for c in all_collections(db)}
    finally:
        db.close()


def test_rest_api_lists_the_records_pagesvm_wrote(made, pocketbase):
    db = Database(made[0] + "/data.db")
    try:
        rows = {r["id"]: r for r in read_rows(db, find_collection_by_name_or_id(db, "Everything"))}
    finally:
        db.close()
    status, records = pocketbase.call("GET", "/api/collections/Everything/records")
    assert status == 200 and records["totalItems"] == len(RECORDS)
    for item in records["items"]:
        assert {k: item[k] for k in COMPARED} == {k: rows[item["id"]][k] for k in COMPARED}
        assert item["created"] == rows[item["id"]]["created"]


def test_user_written_by_pagesvm_signs_in_on_pocketbase(pocketbase):
    status, body = pocketbase.call("POST", "/api/collections/users/auth-with-password",
                                   {"identity": "ann@example.com", "password": "ann-password"})
    assert status == 200, body
    assert body["record"]["name"] == "Ann" and body["record"]["verified"] is True


def test_collection_saved_by_pocketbase_later_reads_back_in_pagesvm(made, pocketbase):
    status, made_there = pocketbase.call("POST", "/api/collections", {
        "name": "later", "fields": [{"name": "x", "type": "number"}]})
    assert status == 200, made_there
    db = Database.open(made[0])
    try:
        assert find_collection_by_name_or_id(db, "LATER").to_api() == made_there
    finally:
        db.close()
