"""How a list of records crosses (bindings/record_wire.py WireState.pack): the roots of one collection in a row go
straight onto its run, so a list mixing collections, new and stored records, custom values and repeats must still
answer every getter of every record; a record JavaScript holds unchanged is not sent again; handles made in one go
for a find keep the request's limit; and a collection changed on disk is described afresh."""
import pytest

from bindings import app_session
from bindings.app_session import RecordSession
from runtime.data import process
from runtime.data.collections import Collection, save_collection

from tests.bindings.record_tables import Tables

POSTS = {"name": "posts", "type": "base", "fields": [
    {"name": "title", "type": "text"}, {"name": "views", "type": "number"}, {"name": "meta", "type": "json"}]}
TAGS = {"name": "tags", "type": "base", "fields": [{"name": "label", "type": "text"}]}


@pytest.fixture
def store(tmp_path):
    found = process.store_for(str(tmp_path))
    for shape in (POSTS, TAGS):
        save_collection(found.db, Collection.from_api(shape))
    for i in range(3):
        found.save(found.new_record("posts", {"title": f"t{i}", "views": i * 1.5, "meta": {"i": i}}))
    found.save(found.new_record("tags", {"label": "red"}))
    yield found
    process.forget(str(tmp_path))


def test_a_list_mixing_collections_new_records_custom_values_and_repeats_answers_every_getter(store):
    posts = store.find_records_by_filter("posts", "", "title", 0, 0)
    tags = store.find_records_by_filter("tags", "", "", 0, 0)
    fresh = store.new_record("posts", {"title": "new", "views": 7})
    posts[1].set("extra", 5)  # not a field: a custom value
    mixed = [posts[0], posts[1], fresh, tags[0], posts[2], posts[0]]
    session = RecordSession(store)
    decoded = Tables().decode(session.pack(mixed))
    assert len(decoded["l"]) == 6 and decoded["l"][0] == decoded["l"][5]
    for record, handle in zip(mixed, decoded["l"]):
        table = decoded["m"][str(handle)]
        assert table["id"] == record.id and table["n"] is record.is_new
        for name in record.fields:
            assert table["f"][name][1] == record.get_string(name), name
            assert table["f"][name][3] == record.get_float(name), name
    assert decoded["m"][str(decoded["l"][1])]["f"]["extra"][2] == 5
    assert session._pack(mixed)["r"] == []  # JavaScript holds them all as they are
    posts[1].set("extra", 6)
    again = session._pack(mixed)  # only the record whose custom value changed is sent again
    offset = decoded["l"][1] - session.base
    assert [run[2:3] for run in again["r"]] == [[offset]] and again["u"] == [offset, {"extra": 6}]


def test_a_find_past_the_request_limit_is_refused(store, monkeypatch):
    monkeypatch.setattr(app_session, "MAX_RECORDS", 4)
    session = RecordSession(store)
    assert "ok" in session.filter("posts", "", "", 0, 0, None)  # three handles
    assert session.filter("posts", "", "", 0, 0, None) == {"error": "pagesvm: more than 4 records in one request"}


def test_a_collection_changed_on_disk_is_described_afresh(store):
    first = Tables().decode(RecordSession(store).filter("posts", "", "", 0, 0, None)["ok"])
    assert "rank" not in first["t"]["f"]
    changed = Collection.from_api({**POSTS, "id": store.read_collection("posts")[0].id,
                                   "fields": [*POSTS["fields"], {"name": "rank", "type": "number"}]})
    save_collection(store.db, changed)
    second = Tables().decode(RecordSession(store).filter("posts", "", "", 0, 0, None)["ok"])
    assert second["t"]["f"]["rank"][1] == "0"
