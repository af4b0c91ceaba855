"""Queries parse a collection's `_collections` row once per distinct row (runtime/data/collections.py
`read_collection`) and read the row again whenever the database may have changed: a collection saved after it
was parsed (a new field, a field that became multiple, a rename), by this connection or another one, is what the
very next query reads, also after a transaction that changed it was rolled back; and records read lazily keep an
exact `original` (an update writes only the columns that changed)."""
import sqlite3

import pytest

from runtime.data import process
from runtime.data.collections import Collection, find_collection_by_name_or_id, save_collection


def _store(tmp_path):
    store = process.store_for(str(tmp_path))
    save_collection(store.db, Collection.from_api({"name": "posts", "fields": [
        {"name": "title", "type": "text"}, {"name": "tags", "type": "select", "values": ["a", "b"], "maxSelect": 1}]}))
    store.save(store.new_record("posts", {"title": "one", "tags": "a"}))
    return store


def test_a_collection_changed_after_a_query_is_read_afresh(tmp_path):
    store = _store(tmp_path)
    try:
        first = store.find_records_by_filter("posts", "title = 'one'")[0]
        assert "extra" not in first.values and first.get("tags") == "a"
        collection = find_collection_by_name_or_id(store.db, "posts")
        collection.fields.append({"name": "extra", "type": "number"})
        next(f for f in collection.fields if f["name"] == "tags")["maxSelect"] = 2
        save_collection(store.db, collection)
        again = store.find_records_by_filter("posts", "title = 'one'")[0]
        assert again.get("extra") == 0.0 and again.get("tags") == ["a"]
        assert again.collection is not first.collection
        assert store.find_record_by_id("posts", again.id).get("tags") == ["a"]
        same = store.find_records_by_filter("posts", "title = 'one'")[0]
        assert same.collection is again.collection  # one shape per distinct row
    finally:
        process.forget(str(tmp_path))


def test_a_record_read_lazily_saves_only_what_changed(tmp_path):
    store = _store(tmp_path)
    try:
        record = store.find_records_by_filter("posts", "")[0]
        assert not record.is_new and record.changed() == []
        record.set("title", "two")
        assert record.changed() == ["title"]
        store.save(record)
        assert record.changed() == [] and store.find_record_by_id("posts", record.id).get("title") == "two"
    finally:
        process.forget(str(tmp_path))


def _tags_max(store) -> int:
    fields = store.find_records_by_filter("posts", "title = 'one'")[0].collection["fields"]
    return next(f for f in fields if f["name"] == "tags")["maxSelect"]


@pytest.mark.parametrize("how", ["this connection", "another connection", "rolled back"])
def test_a_collection_changed_by_any_connection_is_read_afresh(tmp_path, how):
    store = _store(tmp_path)
    try:
        assert _tags_max(store) == 1 and _tags_max(store) == 1  # the second read from what the first read
        collection = find_collection_by_name_or_id(store.db, "posts")
        next(f for f in collection.fields if f["name"] == "tags")["maxSelect"] = 2
        if how == "this connection":
            save_collection(store.db, collection)
            assert _tags_max(store) == 2
        elif how == "another connection":  # another worker, the binary: the same row written by hand
            row = store.db.conn.execute("SELECT fields FROM _collections WHERE name = 'posts'").fetchone()[0]
            other = sqlite3.connect(store.db.path)
            with other:
                other.execute("UPDATE _collections SET fields = ? WHERE name = 'posts'",
                              (row.replace('"maxSelect":1', '"maxSelect":3'),))
            other.close()
            assert _tags_max(store) == 3
        else:
            with pytest.raises(RuntimeError):
                with store.db.transaction():
                    save_collection(store.db, collection)
                    assert _tags_max(store) == 2  # read inside the transaction: what it wrote
                    raise RuntimeError("undo")
            assert _tags_max(store) == 1
    finally:
        process.forget(str(tmp_path))
