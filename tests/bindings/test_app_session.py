"""The Python half of `$app`/`Record` (bindings/app_session.py, bindings/app.py) without an interpreter:
answers in the shape record.js expects, pending sets applied with PocketBase's casts, transactions that a
request's end rolls back, handles that never cross requests, and a family that costs pages nothing."""
import json

import pytest

from bindings import app as app_family
from bindings.app_session import RecordSession
from bindings.builtins import registry
from bindings.context import Context, RequestInfo, ResponseEffects
from runtime.data import process
from runtime.data.collections import Collection, save_collection

from tests.bindings.record_tables import Tables, decoded

POSTS = {"name": "posts", "type": "base", "fields": [
    {"name": "title", "type": "text", "required": True, "max": 10}, {"name": "views", "type": "number"},
    {"name": "meta", "type": "json"}]}


@pytest.fixture
def data_dir(tmp_path):
    store = process.store_for(str(tmp_path))
    save_collection(store.db, Collection.from_api(POSTS))
    yield str(tmp_path)
    process.forget(str(tmp_path))


def _ctx(data_dir):
    request = RequestInfo("GET", "/", "/", {}, {}, {}, None)
    return Context(request=request, response=ResponseEffects(), data_dir=data_dir, site="")


def test_a_new_record_is_saved_with_its_pending_sets_and_answers_its_table(data_dir):
    session = decoded(RecordSession(process.store_for(data_dir)))
    answer = session.save({"h": 0, "c": "posts", "ops": [["title", "hi"], ["views", "12"], ["meta", {"a": 1}]]})
    table = answer["ok"]["t"]
    first = answer["ok"]["h"]
    assert isinstance(first, int) and 0 < first < 2 ** 53 and len(table["id"]) == 15 and table["n"] is False
    assert table["f"]["views"] == [12.0, "12", 12, 12.0, True, "", ["12"]]
    assert table["f"]["meta"][0] == list(b'{"a":1}')  # a json field's get: its raw bytes
    assert json.loads(table["e"])["title"] == "hi" and json.loads(table["e"])["meta"] == {"a": 1}
    again = session.find("posts", table["id"])["ok"]
    assert again["h"] == first + 1 and again["t"]["e"] == table["e"]


def test_errors_are_the_binary_text_with_field_messages(data_dir):
    session = RecordSession(process.store_for(data_dir))
    assert session.save({"h": 0, "c": "posts", "ops": [["title", ""]]}) == {
        "error": "title: cannot be blank.", "fields": {"title": "cannot be blank"},
        "codes": {"title": "validation_required"}}
    assert session.find("posts", "nothere") == {"error": "sql: no rows in result set"}
    assert session.sync({"h": 99, "ops": []}) == {"error": "pagesvm: this Record belongs to another request"}
    assert session.delete({"h": 0, "c": "posts", "ops": []}) == {"error": "sql: no rows in result set"}


def test_a_transaction_left_open_is_rolled_back_when_the_request_ends(data_dir):
    ctx = _ctx(data_dir)
    calls = registry().bindings
    calls["pv_app.begin"].call(ctx, [])
    made = Tables().decode(calls["pv_app.save"].call(ctx, [{"h": 0, "c": "posts", "ops": [["title", "gone"]]}])["ok"])["t"]["id"]
    assert ctx.ends is not None
    ctx.end()
    assert ctx.ends is None
    store = process.store_for(data_dir)
    assert [r.get_string("title") for r in store.find_all_records("posts")] == []
    assert made and not store.db._depth  # the connection is free for the next request
    store.save(store.new_record("posts", {"title": "next"}))


def test_commit_and_nested_levels(data_dir):
    session = RecordSession(process.store_for(data_dir))
    session.begin()
    session.begin()
    session.save({"h": 0, "c": "posts", "ops": [["title", "inner"]]})
    session.rollback()  # an inner level: the outer decides
    session.commit()
    assert [r.get_string("title") for r in session.store.find_all_records("posts")] == ["inner"]


def test_the_family_is_hidden_from_pages_and_opens_nothing_until_used(data_dir):
    reg = registry()
    names = [b.name for b in reg.bindings.values() if b.name.startswith("pv_app.")]
    assert sorted(names) == sorted("pv_app." + m for m in RecordSession.METHODS)
    assert not [b for b in reg.python_bindings() if b.name.startswith("pv_app.")]
    assert not [d for d in reg.describe() if d["name"].startswith("pv_app.")]
    assert app_family.RECORD_JS in reg.js_files
    ctx = _ctx(data_dir)
    assert ctx.ends is None and app_family._SLOT not in ctx.__dict__


def test_two_sessions_never_give_out_the_same_handles(data_dir):
    # A Record kept past its request must not name another request's record (test_attack5_stale_handles.py).
    one, two = (decoded(RecordSession(process.store_for(data_dir))) for _ in range(2))
    made = [s.save({"h": 0, "c": "posts", "ops": [["title", "x"]]})["ok"]["h"] for s in (one, two)]
    assert made[0] != made[1]
    assert "another request" in two.sync({"h": made[0], "ops": []})["error"]
