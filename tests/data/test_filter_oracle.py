"""Filters, sorts, limits and offsets answered by the real PocketBase (`$app.findRecordsByFilter` in a routerAdd
hook) and by DataStore.find_records_by_filter on the very same data.db, compared as id lists (or error texts).

The collections and records of tests/data/filter_scenario.py are made through the binary's REST API; pagesvm
then opens the binary's own file. Sorted cases compare in order, the others as sets (no ORDER BY: row order is
the database's choice on both sides).
"""
import copy
import json

import pytest

from runtime.data.db import Database, NotFoundError
from runtime.data.query import FilterError
from runtime.data.store import DataStore
from tests.data.filter_scenario import CASES, COLLECTIONS, RECORDS
from tests.helpers import PocketBase

HOOK = """
routerAdd("POST", "/filter-oracle", (e) => {
  const b = e.requestInfo().body;
  try {
    const found = $app.findRecordsByFilter(b.collection, b.filter, b.sort, b.limit, b.offset, b.params || {});
    return e.json(200, {ids: found.map((r) => r.id)});
  } catch (err) {
    return e.json(200, {error: String(err.value ? err.value.error() : err)});
  }
});
"""


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    folder = tmp_path_factory.mktemp("filters")
    pb = PocketBase(str(folder), hooks={"filters.pb.js": HOOK})
    try:
        for definition in COLLECTIONS:
            status, made = pb.call("POST", "/api/collections", copy.deepcopy(definition))
            assert status == 200, made
        for collection, body in RECORDS:
            status, made = pb.call("POST", f"/api/collections/{collection}/records", body)
            assert status == 200, made
        db = Database(str(folder / "pb_data" / "data.db"))
        yield pb, DataStore(db)
        db.close()
    finally:
        pb.stop()


def _binary(pb, case):
    collection, filter_, sort, limit, offset, params = case
    status, answer = pb.call("POST", "/filter-oracle", {"collection": collection, "filter": filter_, "sort": sort,
                                                        "limit": limit, "offset": offset, "params": params})
    assert status == 200, answer
    return answer


def _ours(store, case):
    collection, filter_, sort, limit, offset, params = case
    try:
        return {"ids": [r.id for r in store.find_records_by_filter(collection, filter_, sort, limit, offset, params)]}
    except FilterError as exc:
        return {"error": str(exc)}


@pytest.mark.parametrize("case", CASES, ids=[json.dumps(c[1:3]) for c in CASES])
def test_same_answer_as_the_binary(sides, case):
    pb, store = sides
    theirs, ours = _binary(pb, case), _ours(store, case)
    if "error" in theirs:
        assert "error" in ours, (theirs, ours)
        assert ours["error"] == theirs["error"]
        return
    assert "ids" in ours, (theirs, ours)
    if case[2] or case[3] or case[4]:
        assert ours["ids"] == theirs["ids"]
    else:
        assert sorted(ours["ids"]) == sorted(theirs["ids"])


def test_the_cases_find_something_and_nothing(sides):
    """The corpus is not vacuous: most filters match some but not all records."""
    pb, _ = sides
    answers = [_binary(pb, c) for c in CASES]
    partial = [a for a in answers if "ids" in a and 0 < len(a["ids"]) < 5]
    assert len(partial) > len(CASES) // 3


def test_count_and_first_use_the_same_filter(sides):
    _, store = sides
    assert store.count_records("posts", "editors.name ?= 'Ann'") == 2
    assert store.count_records("posts") == 5
    assert store.find_first_record_by_filter("posts", "title = {:t}", {"t": "Hello World"}).id == "p00000000000001"
    with pytest.raises(NotFoundError, match="^sql: no rows in result set$"):
        store.find_first_record_by_filter("posts", "title = 'none'")
