"""DataStore on a fresh data.db, without the binary: saves, unique indexes, relations, deletes, transactions."""
import copy
import sqlite3
import time

import pytest

from runtime.data.busy import BUSY_TIMEOUT_MS, DatabaseBusyError, set_busy_timeout
from runtime.data.collections import Collection, save_collection
from runtime.data.db import Database, NotFoundError
from runtime.data.store import DataStore, RequiredReferenceError
from runtime.data.validation import ValidationError
from tests.data.store_scenario import AUTHORS, POSTS, aid, pid


@pytest.fixture
def store(tmp_path):
    db = Database.open(str(tmp_path / "pb_data"))
    for definition in (AUTHORS, POSTS):
        save_collection(db, Collection.from_api(copy.deepcopy(definition)))
    events = []
    yield DataStore(db, on_event=lambda name, record: events.append((name, record.id)))
    db.close()


def create(store, collection, id_, **values):
    record = store.new_record(collection, {"id": id_, **values})
    return store.save(record)


def errors(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.data()


NOT_UNIQUE = {"code": "validation_not_unique", "message": "Value must be unique."}


def test_insert_then_find_by_id_or_name(store):
    create(store, "authors", aid(1), name="Ann")
    found = store.find_record_by_id("AUTHORS", aid(1))
    assert found.get("name") == "Ann" and not found.is_new
    assert found.get_string("created") == found.get_string("updated") != ""
    with pytest.raises(NotFoundError, match="^sql: no rows in result set$"):
        store.find_record_by_id("authors", "nope")
    with pytest.raises(NotFoundError, match="^sql: no rows in result set$"):
        store.find_record_by_id("nocollection", aid(1))


def test_update_writes_only_the_changed_columns(store):
    record = create(store, "authors", aid(1), name="Ann", slug="a")
    time.sleep(0.002)  # a later millisecond for `updated`
    statements = []
    store.db.conn.set_trace_callback(statements.append)
    record.set("slug", "b")
    store.save(record)
    store.db.conn.set_trace_callback(None)
    update = [s for s in statements if s.startswith("UPDATE")]
    assert len(update) == 1 and "`slug` = 'b'" in update[0] and "`updated` = " in update[0]
    assert "`name`" not in update[0]
    assert store.find_record_by_id("authors", aid(1)).get("slug") == "b"


def test_unique_and_partial_case_insensitive_unique(store):
    create(store, "authors", aid(1), name="A1", slug="s", kind="x")
    assert errors(lambda: create(store, "authors", aid(2), name="A1")) == {"name": NOT_UNIQUE}
    assert errors(lambda: create(store, "authors", aid(2), name="A2", slug="S", kind="x")) == {"slug": NOT_UNIQUE}
    create(store, "authors", aid(2), name="A2", slug="S", kind="y")  # outside the index's WHERE
    record = store.find_record_by_id("authors", aid(1))
    record.set("slug", "S")  # its own row does not count
    store.save(record)


def test_id_taken_and_the_inserts_own_unique_failure_map_to_not_unique(store, monkeypatch):
    create(store, "authors", aid(1), name="A1")
    with pytest.raises(ValidationError) as caught:
        create(store, "authors", aid(1), name="other")
    assert caught.value.data() == {"id": NOT_UNIQUE} and str(caught.value) == "id: Value must be unique."
    monkeypatch.setattr(DataStore, "_unique", lambda *a: True)  # as if another process inserted meanwhile
    assert errors(lambda: create(store, "authors", aid(2), name="A1")) == {"name": NOT_UNIQUE}


def test_relation_targets_must_exist(store):
    create(store, "authors", aid(1), name="A1")
    missing = {"code": "validation_missing_rel_records",
               "message": "Failed to find all relation records with the provided ids."}
    assert errors(lambda: create(store, "posts", pid(1), title="t", req=aid(9), many=[aid(1)])) == {"req": missing}
    create(store, "posts", pid(1), title="t", req=aid(1), many=[aid(1)])


def test_delete_clears_cascades_and_refuses_as_the_binary(store):
    for n in range(1, 5):
        create(store, "authors", aid(n), name=f"A{n}")
    create(store, "posts", pid(1), title="p1", opt=aid(1), many=[aid(1), aid(2)], req=aid(2))
    create(store, "posts", pid(2), title="p2", casc=aid(3), req=aid(4))
    store.delete(store.find_record_by_id("authors", aid(1)))
    p1 = store.find_record_by_id("posts", pid(1))
    assert p1.get("opt") == "" and p1.get("many") == [aid(2)]
    store.delete(store.find_record_by_id("authors", aid(3)))
    with pytest.raises(NotFoundError):
        store.find_record_by_id("posts", pid(2))
    with pytest.raises(RequiredReferenceError) as refused:
        store.delete(store.find_record_by_id("authors", aid(2)))
    assert str(refused.value) == ("the record cannot be deleted because it is part of a required reference in "
                                  f"record {pid(1)} (posts collection)")
    assert store.find_record_by_id("posts", pid(1)).get("many") == [aid(2)]  # rolled back, nothing cleared


def test_transaction_rolls_back_everything_and_fires_no_after_event(store):
    events = []
    store.on_event = lambda name, record: events.append(name)

    def work(tx):
        create(tx, "authors", aid(1), name="A1")
        create(tx, "authors", aid(2), name="A2")
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        store.run_in_transaction(work)
    assert store.find_all_records("authors") == []
    assert events == ["recordCreate", "recordCreate"]
    events.clear()
    store.run_in_transaction(lambda tx: create(tx, "authors", aid(1), name="A1"))
    assert events == ["recordCreate", "recordAfterCreateSuccess"]


def test_before_hook_can_change_or_stop_the_write(store):
    def hook(name, record):
        if name == "recordCreate":
            if record.get("name") == "stop":
                raise ValueError("stopped by a hook")
            record.set("slug", "from-hook")

    store.on_event = hook
    create(store, "authors", aid(1), name="A1")
    assert store.find_record_by_id("authors", aid(1)).get("slug") == "from-hook"
    with pytest.raises(ValueError):
        create(store, "authors", aid(2), name="stop")
    assert [r.id for r in store.find_all_records("authors")] == [aid(1)]


def test_two_connections_on_one_file_and_a_writer_that_gives_up(store):
    other = DataStore(Database(store.db.path))
    try:
        create(store, "authors", aid(1), name="A1")
        assert other.find_record_by_id("authors", aid(1)).get("name") == "A1"
        create(other, "authors", aid(2), name="A2")
        assert store.find_record_by_id("authors", aid(2)).get("name") == "A2"
        set_busy_timeout(0.05)
        lock = sqlite3.connect(store.db.path, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(DatabaseBusyError, match="the database data.db is busy; try again"):
                create(other, "authors", aid(3), name="A3")
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        create(other, "authors", aid(3), name="A3")
    finally:
        set_busy_timeout(BUSY_TIMEOUT_MS / 1000)
        other.db.close()
