"""A delete reaches the record hooks of the collections its cascades delete from and its relations clear
(runtime/hooks/python_saves.py `PythonRecordHooks.wants`/`reaches`, which the REST API's and Python bindings'
deletes ask): tests/data/store_scenario.py's `posts` points at `authors` through a cascading and clearing
relations; the binary's answers are compared in tests/hooks/test_auth_hooks_oracle.py."""
import copy

import pytest

from runtime.data.collections import Collection, save_collection
from runtime.data.db import Database
from runtime.data.store import DataStore
from runtime.hooks.python_saves import PythonRecordHooks
from tests.data.store_scenario import AUTHORS, POSTS


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = Database.open(str(tmp_path_factory.mktemp("reach") / "pb_data"))
    for definition in (AUTHORS, POSTS):
        save_collection(db, Collection.from_api(copy.deepcopy(definition)))
    return DataStore(db)


def _wants(store, table, with_store=True):
    author = store.new_record("authors", {"name": "A"})
    return PythonRecordHooks(lambda: None, table).wants("delete", author, store if with_store else None)


@pytest.mark.parametrize("table, expected", [
    ({}, False),
    ({"onRecordDelete": [["f", 0, ["authors"]]]}, True),
    ({"onRecordDelete": [["f", 0, ["posts"]]]}, True),  # a cascade deletes posts
    ({"onRecordAfterUpdateSuccess": [["f", 0, ["posts"]]]}, True),  # a clear saves posts
    ({"onRecordCreate": [["f", 0, ["posts"]]]}, False),
    ({"onRecordDelete": [["f", 0, ["users"]]]}, False),
])
def test_a_delete_reaches_the_hooks_of_what_it_changes(store, table, expected):
    assert _wants(store, table) is expected


def test_without_a_store_only_the_own_collection_counts(store):
    assert _wants(store, {"onRecordDelete": [["f", 0, ["posts"]]]}, with_store=False) is False
