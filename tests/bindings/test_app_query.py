"""The Python half of `$app`'s queries (bindings/app_query.py): a list answers in ONE reply carrying every record's
table and each expanded record once, `settings()` never carries the secrets, `findAuthRecordByToken` checks the
token as the binary does (type, signature with the record's tokenKey and the type's secret), and raw queries bind."""
import json

import pytest

from bindings.app_query import find_auth_record_by_token, read_settings
from bindings.app_session import RecordSession
from bindings.tokens import issue_token
from runtime.data import process
from runtime.data.collections import Collection, save_collection

from tests.bindings.record_tables import decoded


@pytest.fixture
def store(tmp_path):
    store = process.store_for(str(tmp_path))
    authors = save_collection(store.db, Collection.from_api({"name": "authors", "fields": [
        {"name": "name", "type": "text"}]}))
    save_collection(store.db, Collection.from_api({"name": "posts", "fields": [
        {"name": "title", "type": "text"},
        {"name": "author", "type": "relation", "collectionId": authors.id, "maxSelect": 1}]}))
    session = decoded(RecordSession(store))
    author = session.save({"h": 0, "c": "authors", "ops": [["name", "ann"]]})["ok"]["t"]["id"]
    for title in ("a", "b", "c"):
        session.save({"h": 0, "c": "posts", "ops": [["title", title], ["author", author]]})
    yield store
    process.forget(str(tmp_path))


def test_a_list_and_its_expands_cross_in_one_reply_each_record_once(store):
    session = decoded(RecordSession(store))
    listed = session.all("posts", [])["ok"]
    assert len(listed["l"]) == 3 and set(listed["m"]) == {str(h) for h in listed["l"]}
    refs = [{"h": h, "ops": []} for h in listed["l"]]
    answer = session.expand(refs, ["author", " nope "])["ok"]
    assert answer["l"] == listed["l"] and list(answer["f"]) == ["nope"]
    author_handles = {tuple(answer["m"][str(h)]["x"]["author"][1]) for h in answer["l"]}
    assert len(author_handles) == 1  # the one author every post points at: one handle, one table
    (author,) = author_handles
    assert json.loads(answer["m"][str(author[0])]["e"])["name"] == "ann" and len(answer["m"]) == 4
    assert answer["m"][str(answer["l"][0])]["x"]["author"][0] is False  # single relation
    again = session.sync({"h": answer["l"][0], "ops": [["title", "z"]]})["ok"]
    assert again["t"]["x"] == answer["m"][str(answer["l"][0])]["x"] and str(author[0]) in again["m"]


def test_counts_and_finds_take_dbx_expressions_and_report_the_binary_errors(store):
    session = RecordSession(store)
    assert session.count("posts", [{"__dbx": "in", "col": "title", "values": ["a", "b"]}]) == {"ok": 2}
    assert session.count("nothere", []) == {"error": "context canceled; failed query: SELECT count(*) FROM "
                                                     "`@@__invalidCollectionModelOrIdentifier`"}
    assert session.by_data("posts", "nope", 1) == {"error": "invalid or missing field nope"}
    assert session.count("posts", [{"__dbx": "hash", "data": {"x) OR (1": 1}}])["error"].startswith("pagesvm: invalid")
    rows = session.query("SELECT title FROM [[posts]] WHERE title > {:t} ORDER BY title", {"t": "a"}, "all")
    assert rows == {"ok": [{"title": "b"}, {"title": "c"}]}
    assert session.query("SELECT 1 WHERE 0", {}, "one") == {"error": "sql: no rows in result set"}


def test_settings_show_the_stored_values_but_never_the_secrets(store):
    stored = json.loads(bytes(store.db.execute("SELECT value FROM _params WHERE id = 'settings'").fetchone()[0]))
    stored["meta"]["appName"] = "Mine"
    stored["smtp"]["password"] = "hunter2"
    stored["s3"]["secret"] = "s3cret"
    stored["backups"]["s3"]["secret"] = "b4ck"
    del stored["logs"]
    store.db.execute("UPDATE _params SET value = ? WHERE id = 'settings'", (json.dumps(stored).encode(),))
    settings = read_settings(store)
    assert settings["meta"]["appName"] == "Mine" and settings["logs"]["maxDays"] == 5
    text = json.dumps(settings)
    assert "hunter2" not in text and "s3cret" not in text and "b4ck" not in text and "password" not in settings["smtp"]


def test_auth_record_by_token_checks_type_and_signature(tmp_path):
    store = process.store_for(str(tmp_path / "auth"))
    try:
        session = decoded(RecordSession(store))
        made = session.save({"h": 0, "c": "users", "ops": [["email", "a@b.co"], ["password", "12345678x"]]})["ok"]
        record = store.find_record_by_id("users", made["t"]["id"])
        users = store.find_collection_by_name_or_id("users")
        token = issue_token(users, record.id, record.token_key(), 60)
        assert find_auth_record_by_token(store, token).id == record.id
        assert find_auth_record_by_token(store, token, ["auth"]).id == record.id
        with pytest.raises(ValueError, match='invalid token type "auth", expects "file"'):
            find_auth_record_by_token(store, token, ["file"])
        with pytest.raises(ValueError, match="signature is invalid"):
            find_auth_record_by_token(store, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
        with pytest.raises(ValueError, match="missing token"):
            find_auth_record_by_token(store, "")
        assert session.by_token("x.y.z", [])["error"].startswith("token is malformed")
        expired = issue_token(users, record.id, record.token_key(), -60)
        assert session.by_token(expired, []) == {"error": "token has invalid claims: token is expired"}
    finally:
        process.forget(str(tmp_path / "auth"))
