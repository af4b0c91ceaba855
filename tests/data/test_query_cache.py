"""The parse cache (runtime/data/query/cache.py): one parse per filter text, each call's params bound into its own
tree (never another call's), and the schema read afresh on every call, so a collection saved after a filter was
cached compiles against the new fields."""
import threading

import pytest

from runtime.data import process
from runtime.data.collections import Collection, save_collection
from runtime.data.query import FilterError, cache, select


@pytest.fixture
def store(tmp_path):
    store = process.store_for(str(tmp_path))
    save_collection(store.db, Collection.from_api({"name": "posts", "fields": [
        {"name": "title", "type": "text"}, {"name": "views", "type": "number"}]}))
    for title, views in (("a", 1), ("b", 2), ("c", 3)):
        store.save(store.new_record("posts", {"title": title, "views": views}))
    yield store
    process.forget(str(tmp_path))


def _titles(found):
    return sorted(r.get_string("title") for r in found)


def test_the_same_text_is_parsed_once_and_each_call_binds_its_own_params(store):
    cache.clear()
    text = "title = {:t} || views > {:v}"
    assert _titles(store.find_records_by_filter("posts", text, params={"t": "a", "v": 2})) == ["a", "c"]
    assert _titles(store.find_records_by_filter("posts", text, params={"t": "b", "v": 5})) == ["b"]
    assert _titles(store.find_records_by_filter("posts", text, params={"t": "zz", "v": 9})) == []
    info = cache.cache_info()
    assert (info.misses, info.hits) == (1, 2)
    tree = cache._parsed(text, ("t", "v"))  # the cached tree holds names, never a value
    assert {item.right.kind for _, item in tree.items} == {"placeholder"}


def test_the_cache_never_carries_params_into_another_call(store):
    cache.clear()
    text = "title = {:t}"
    assert _titles(store.find_records_by_filter("posts", text, params={"t": "a"})) == ["a"]
    with pytest.raises(FilterError, match="unexpected character '{'"):  # no params: not the last call's "a"
        store.find_records_by_filter("posts", text)
    with pytest.raises(FilterError, match="unexpected character '{'"):
        store.find_records_by_filter("posts", text, params={"other": "a"})
    assert store.count_records("posts", text, {"t": None}) == 0  # null binds as null, not as text "a"
    assert _titles(store.find_records_by_filter("posts", text, params={"t": "' || 1=1 //"})) == []


def test_params_bound_from_threads_stay_apart(store):
    text = "title = {:t}"
    tree_of = {}

    def run(title):
        for _ in range(200):
            tree = cache.parse_cached(text, {"t": title})
            if tree.items[0][1].right.value != title:
                tree_of[title] = tree
                return

    threads = [threading.Thread(target=run, args=(t,)) for t in ("a", "b", "c", "d")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert tree_of == {}


def test_a_schema_change_is_seen_by_a_cached_filter(store):
    cache.clear()
    with pytest.raises(FilterError, match='unknown field \\\\"body\\\\"|unknown field "body"'):
        store.find_records_by_filter("posts", "body = {:b}", params={"b": "x"})
    posts = store.find_collection_by_name_or_id("posts")
    api = posts.to_api()
    api["fields"].append({"name": "body", "type": "text"})
    save_collection(store.db, Collection.from_api(api))  # what a migration's collection save does
    record = store.new_record("posts", {"title": "d", "body": "x"})
    store.save(record)
    assert _titles(store.find_records_by_filter("posts", "body = {:b}", params={"b": "x"})) == ["d"]
    api["fields"] = [f for f in api["fields"] if f["name"] != "views"]
    save_collection(store.db, Collection.from_api(api))
    with pytest.raises(FilterError, match="views"):
        store.find_records_by_filter("posts", "title = {:t} || views > {:v}", params={"t": "a", "v": 2})


# The statement cache (select.cached_select): a find run again reuses its SQL text, keyed by the params' very
# values and types; statements reading another collection or the clock are not kept.
def test_the_same_find_is_compiled_once_and_its_values_stay_bound(store):
    select._STATEMENTS.clear()
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


def test_statements_with_macros_and_unhashable_params_are_not_kept(store):
    select._STATEMENTS.clear()
    store.find_records_by_filter("posts", "views <= @year")
    store.find_records_by_filter("posts", "title = {:t}", params={"t": ["a"]})
    assert not select._STATEMENTS


def test_a_cached_statement_of_a_collection_saved_anew_compiles_against_its_new_fields(store):
    assert _titles(store.find_records_by_filter("posts", "views > 1")) == ["b", "c"]
    collection = store.find_collection_by_name_or_id("posts")
    api = collection.to_api()
    api["fields"] = [f for f in api["fields"] if f["name"] != "views"]
    save_collection(store.db, Collection.from_api(api))
    with pytest.raises(Exception, match='unknown field "views"'):
        store.find_records_by_filter("posts", "views > 1")
