"""A data.db made by pagesvm, opened by the real PocketBase: nothing to migrate, same schema, same records.

One `pocketbase serve` for the module, on a folder pagesvm created, with collections and records pagesvm's
DataStore saved (tests/data/store_scenario.py's writes among them, and a user whose bcrypt password PocketBase
accepts).
"""
import copy

import pytest

from runtime.data.collections import Collection, all_collections, find_collection_by_name_or_id, save_collection
from runtime.data.db import Database
from runtime.data.store import DataStore
from tests.data.pb_oracle import COMPARED, EVERYTHING, RECORDS, PocketBase, run_cli
from tests.data.store_scenario import AUTHORS, OPS, POSTS, through_store


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """pagesvm's folder: (data dir, migrations before PocketBase opened it, `migrate up` output)."""
    data = str(tmp_path_factory.mktemp("pv") / "pb_data")
    db = Database.open(data)
    for definition in (EVERYTHING, AUTHORS, POSTS):
        save_collection(db, Collection.from_api(copy.deepcopy(definition)))
    store = DataStore(db)
    user = store.new_record("users", {"email": "ann@example.com", "name": "Ann", "verified": True})
    user.set_password("ann-password")
    store.save(user)
    for record in RECORDS:
        store.save(store.new_record("Everything", {**record, "owner": user.id, "owners": [user.id]}))
    for op in OPS:
        through_store(store, *op)
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
        rows = {r.id: r.public_export() for r in DataStore(db).find_all_records("Everything")}
    finally:
        db.close()
    status, records = pocketbase.call("GET", "/api/collections/Everything/records")
    assert status == 200 and records["totalItems"] == len(RECORDS)
    for item in records["items"]:
        assert {k: item[k] for k in COMPARED} == {k: rows[item["id"]][k] for k in COMPARED}
        assert item["created"] == rows[item["id"]]["created"]


@pytest.mark.parametrize("collection", ["authors", "posts", "users"])
def test_rest_api_lists_every_record_the_store_wrote_with_the_same_values(made, pocketbase, collection):
    db = Database(made[0] + "/data.db")
    try:
        # the oracle signs in as a superuser, who sees an auth record's email whatever emailVisibility says
        ours = [{**r.public_export(), **({"email": r.email()} if r.is_auth() else {})}
                for r in DataStore(db).find_all_records(collection)]
    finally:
        db.close()
    status, listed = pocketbase.call("GET", f"/api/collections/{collection}/records?sort=id&perPage=500")
    assert status == 200 and listed["totalItems"] == len(ours) > 0
    assert listed["items"] == sorted(ours, key=lambda r: r["id"])


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
