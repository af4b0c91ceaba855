"""The same record writes through pagesvm's DataStore and through the real PocketBase's REST API, compared.

One `pocketbase serve` for the module on its own data folder, pagesvm on another; both get the collections of
tests/data/store_scenario.py created the same way, then every operation of its OPS: each answer (saved, the
validation error's data, a refused delete) and finally every row of both tables must be the same, timestamps
aside (only their form is compared).
"""
import copy
import re
import sqlite3

import pytest

from runtime.data.collections import Collection, save_collection
from runtime.data.db import Database
from runtime.data.store import DataStore
from tests.data.pb_oracle import PocketBase
from tests.data.store_scenario import AUTHORS, OPS, POSTS, through_store

STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z")
REFUSED = "Failed to delete record. Make sure that the record is not part of a required relation reference."


@pytest.fixture(scope="module")
def pocketbase(tmp_path_factory):
    data = tmp_path_factory.mktemp("pb") / "pb_data"
    pb = PocketBase(str(data))
    pb.data_db = str(data / "data.db")
    yield pb
    pb.stop()


def through_rest(pb, op, collection, id_, body):
    path = f"/api/collections/{collection}/records"
    if op == "create":
        status, answer = pb.call("POST", path, {"id": id_, **body})
    elif op == "update":
        status, answer = pb.call("PATCH", f"{path}/{id_}", body)
    else:
        status, answer = pb.call("DELETE", f"{path}/{id_}")
    if status in (200, 204):
        return ("saved",)
    if answer.get("message") == REFUSED:
        return ("refused",)
    return ("invalid", answer["data"])


def table_rows(path, table):
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in conn.execute(f"SELECT * FROM `{table}` ORDER BY id")]
    finally:
        conn.close()
    for row in rows:
        for key in ("created", "updated"):
            assert STAMP.fullmatch(row[key]), row
            row[key] = "<stamp>"
    return rows


@pytest.fixture(scope="module")
def both(pocketbase, tmp_path_factory):
    """Each operation's answer on both sides, and the two data.db paths."""
    db = Database.open(str(tmp_path_factory.mktemp("pv") / "pb_data"))
    for definition in (AUTHORS, POSTS):
        status, made = pocketbase.call("POST", "/api/collections", copy.deepcopy(definition))
        assert status == 200, made
        save_collection(db, Collection.from_api(copy.deepcopy(definition)))
    store = DataStore(db)
    answers = [(op, through_rest(pocketbase, *op), through_store(store, *op)) for op in OPS]
    db.close()
    return answers, pocketbase.data_db, db.path


def test_every_operation_answers_the_same(both):
    for op, binary, ours in both[0]:
        assert ours == binary, op


def test_the_scenario_covers_each_kind_of_answer(both):
    kinds = {binary[0] for _, binary, _ in both[0]}
    assert kinds == {"saved", "invalid", "refused"}


@pytest.mark.parametrize("table", ["authors", "posts"])
def test_every_row_is_the_same(both, table):
    _, theirs, ours = both
    assert table_rows(ours, table) == table_rows(theirs, table)
