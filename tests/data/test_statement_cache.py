"""The statement cache (runtime/data/query/select.py cached_select): a find run again reuses its SQL text, but the
entry is keyed by the params' very values and types (never another call's), statements that read another
collection or the clock are not kept, and a collection saved anew compiles afresh."""
import pytest

from runtime.data import process
from runtime.data.collections import Collection, save_collection
from runtime.data.query import select


@pytest.fixture
def store(tmp_path):
    store = process.store_for(str(tmp_path))
    save_collection(store.db, Collection.from_api({"name": "posts", "fields": [
        {"name": "title", "type": "text"}, {"name": "views", "type": "number"}]}))
    for title, views in (("a", 1), ("b", 2), ("c", 3)):
        store.save(store.new_record("posts", {"title": title, "views": views}))
    select._STATEMENTS.clear()
    yield store
    process.forget(str(tmp_path))


def _titles(found):
    return sorted(r.get_string("title") for r in found)


def test_the_same_find_is_compiled_once_and_its_values_stay_bound(store):
    text = "views >= {:v}"
    assert _titles(store.find_records_by_filter("posts", text, "-views", 2, 0, {"v": 2})) == ["b", "c"]
    assert len(select._STATEMENTS) == 1
    assert _titles(store.find_records_by_filter("posts", text, "-views", 2, 0, {"v": 2})) == ["b", "c"]
    assert len(select._STATEMENTS) == 1
    (entry,) = select._STATEMENTS.values()
    assert "?" in entry[1] and "2" not in entry[1]  # the value is bound, never in the text
    assert _titles(store.find_records_by_filter("posts", text, "-views", 2, 0, {"v": 3})) == ["c"]
    assert _titles(store.find_records_by_filter("posts", text, "-views", 2, 0, {"v": True})) == ["b", "c"]
    assert len(select._STATEMENTS) == 3  # another value (or type) is another entry


def test_macros_and_unhashable_params_are_not_kept(store):
    store.find_records_by_filter("posts", "views <= @year")
    store.find_records_by_filter("posts", "title = {:t}", params={"t": ["a"]})
    assert not select._STATEMENTS


def test_a_collection_saved_anew_compiles_against_its_new_fields(store):
    assert _titles(store.find_records_by_filter("posts", "views > 1")) == ["b", "c"]
    collection = store.find_collection_by_name_or_id("posts")
    api = collection.to_api()
    api["fields"] = [f for f in api["fields"] if f["name"] != "views"]
    save_collection(store.db, Collection.from_api(api))
    with pytest.raises(Exception, match='unknown field "views"'):
        store.find_records_by_filter("posts", "views > 1")
