"""A lookup by id, and a filter on a field with a declared index, use the index: SQLite's EXPLAIN QUERY PLAN for
the very SQL findRecordById and findRecordsByFilter run shows a SEARCH, never a full SCAN of the table."""
import pytest

from runtime.data import process
from runtime.data.collections import Collection, save_collection
from runtime.data.store import DataStore


@pytest.fixture
def store(tmp_path):
    store = process.store_for(str(tmp_path))
    save_collection(store.db, Collection.from_api({
        "name": "posts", "indexes": ["CREATE INDEX `idx_posts_slug` ON `posts` (`slug`)"],
        "fields": [{"name": "title", "type": "text"}, {"name": "slug", "type": "text"}]}))
    for n in range(50):
        store.save(store.new_record("posts", {"title": f"t{n}", "slug": f"s{n}"}))
    yield store
    process.forget(str(tmp_path))


class Recording(DataStore):
    """The store with every statement it runs kept (same database, same SQL)."""

    def __init__(self, db):
        super().__init__(db)
        self.statements = []
        outer = self

        class Db:
            def __getattr__(self, name):
                return getattr(db, name)

            def execute(self, sql, params=()):
                outer.statements.append((sql, tuple(params)))
                return db.execute(sql, params)

            def query(self, sql, params=()):
                outer.statements.append((sql, tuple(params)))
                return db.query(sql, params)

            def table(self, sql, params=()):  # records are read through this one
                outer.statements.append((sql, tuple(params)))
                return db.table(sql, params)

        self.db = Db()


def _plan(store, sql, params) -> str:
    return " | ".join(row[-1] for row in store.db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall())


def _records_query(recording) -> tuple:
    (found,) = [s for s in recording.statements if "FROM `posts`" in s[0] or "FROM posts" in s[0]]
    return found


def _assert_searches(store, sql, params, index):
    plan = _plan(store, sql, params)
    assert "SEARCH" in plan and index in plan, plan
    assert "SCAN posts" not in plan and "SCAN `posts`" not in plan, plan


def test_find_record_by_id_uses_the_primary_key(store):
    recording = Recording(store.db)
    some = store.find_all_records("posts")[7]
    assert recording.find_record_by_id("posts", some.id).id == some.id
    _assert_searches(store, *_records_query(recording), "sqlite_autoindex_posts_1")


@pytest.mark.parametrize("filter_, params, index", [
    ("id = {:id}", None, "sqlite_autoindex_posts_1"),
    ("id = 'literal000000x'", {}, "sqlite_autoindex_posts_1"),
    ("slug = {:slug}", {"slug": "s3"}, "idx_posts_slug"),
])
def test_filters_on_indexed_fields_search_the_index(store, filter_, params, index):
    some = store.find_all_records("posts")[3]
    recording = Recording(store.db)
    recording.find_records_by_filter("posts", filter_, params=params if params is not None else {"id": some.id})
    _assert_searches(store, *_records_query(recording), index)


def test_an_unindexed_field_scans_so_the_check_means_something(store):
    recording = Recording(store.db)
    recording.find_records_by_filter("posts", "title = {:t}", params={"t": "t3"})
    assert "SCAN posts" in _plan(store, *_records_query(recording))
