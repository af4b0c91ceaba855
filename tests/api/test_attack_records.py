"""A hostile client against the records API, without sockets: each test is an attack that once got through
(or answered 500) and the answer PocketBase 0.40.6 gives instead, observed on the binary over the same data.db."""
from __future__ import annotations

import json
import urllib.parse

import pytest

from runtime.api import Api, ApiRequest
from runtime.data.collections import Collection, save_collection
from runtime.data.process import forget, store_for
from runtime.data.tokens import auth_duration, issue_token

GENERIC = "Something went wrong while processing your request."


@pytest.fixture
def site(tmp_path):
    data_dir = str(tmp_path / "pb_data")
    store = store_for(data_dir)
    users = store.find_collection_by_name_or_id("users")
    posts = {"name": "posts", "type": "base", "listRule": "published = true || owner = @request.auth.id",
             "viewRule": "published = true || owner = @request.auth.id", "createRule": "",
             "updateRule": "owner = @request.auth.id", "deleteRule": "owner = @request.auth.id",
             "fields": [{"name": "title", "type": "text"}, {"name": "published", "type": "bool"},
                        {"name": "owner", "type": "relation", "collectionId": users.id, "maxSelect": 1},
                        {"name": "meta", "type": "json"}]}
    save_collection(store.db, Collection.from_api(posts))
    posts_id = store.find_collection_by_name_or_id("posts").id
    comments = {"name": "comments", "type": "base", "listRule": "", "viewRule": "", "createRule": "",
                "updateRule": "", "deleteRule": "",
                "fields": [{"name": "text", "type": "text"},
                           {"name": "post", "type": "relation", "collectionId": posts_id, "maxSelect": 1}]}
    save_collection(store.db, Collection.from_api(comments))
    people = {}
    for name in ("ann", "bob"):
        user = store.new_record("users", {"email": f"{name}@example.com", "password": "secret-pass-1"})
        store.save(user)
        people[name] = (user, issue_token(users, user.id, user.token_key(), auth_duration(users)))
    yield store, Api(data_dir), people
    forget(data_dir)


def _ask(api, method, path, body=None, token="", query=""):
    headers = {"authorization": token} if token else {}
    raw = json.dumps(body).encode() if body is not None else b""
    answer = api.handle(ApiRequest(method, path, query, headers, raw, "application/json" if raw else ""))
    return answer.status, json.loads(answer.body) if answer.body else None


def _post(store, owner, title="t", published=False):
    record = store.new_record("posts", {"title": title, "owner": owner.id, "published": published})
    store.save(record)
    return record


def test_an_update_cannot_change_the_primary_key(site):
    """High: `PATCH {"id": "..."}` renamed the record in place (its files, relations and tokens left pointing at
    the old id; on an auth record, a copy was attempted). The binary refuses it as validation_pk_change."""
    store, api, people = site
    user, token = people["bob"]
    post = _post(store, user)
    status, body = _ask(api, "PATCH", f"/api/collections/posts/records/{post.id}", {"id": "zzzzzzzzzzzzzzz"}, token)
    assert (status, body) == (400, {"data": {"id": {"code": "validation_pk_change",
                                                    "message": "The record primary key cannot be changed."}},
                                    "message": "Failed to update record.", "status": 400})
    assert store.find_record_by_id("posts", post.id).get("title") == "t"
    status, body = _ask(api, "PATCH", f"/api/collections/users/records/{user.id}", {"id": "yyyyyyyyyyyyyyy"}, token)
    assert status == 400 and body["data"] == {"id": {"code": "validation_pk_change",
                                                     "message": "The record primary key cannot be changed."}}
    status, _ = _ask(api, "PATCH", f"/api/collections/posts/records/{post.id}", {"id": post.id, "title": "u"}, token)
    assert status == 200  # sending the same id back is no change


@pytest.mark.parametrize("depth", [300, 1500])
def test_a_deeply_nested_filter_is_refused_not_a_crash(site, depth):
    """Medium: nested parentheses overflowed Python's recursion (1500) or SQLite's parser stack (300): a 500."""
    store, api, _ = site
    text = "(" * depth + "text = 'a'" + ")" * depth
    status, body = _ask(api, "GET", "/api/collections/comments/records", query="filter=" + urllib.parse.quote(text))
    assert status in (200, 400) and body["message" if status == 400 else "items"] == (GENERIC if status == 400 else [])


@pytest.mark.parametrize("query, status", [
    ("page=99999999999999999999999", 400), ("perPage=99999999999999999999999", 400),
    ("page=-99999999999999999999999", 400), ("page=4611686018427387904", 200), ("page=9223372036854775807", 200),
])
def test_page_numbers_beyond_64_bits_are_answered(site, query, status):
    """Medium: a page or perPage past int64 (or a page whose offset is) raised OverflowError binding it: a 500.
    The binary refuses a number Go cannot parse (400) and answers a page past the end as empty."""
    _, api, _ = site
    answer_status, body = _ask(api, "GET", "/api/collections/comments/records", query=query)
    assert answer_status == status
    if status == 200:
        assert body["items"] == [] and body["totalItems"] == 0


def test_a_deeply_nested_json_value_is_a_refused_save(site):
    """Medium: a json field value nested ~900 deep passed the body's parser and overflowed while stored: a 500."""
    store, api, people = site
    user, token = people["ann"]
    raw = b'{"title": "x", "owner": "' + user.id.encode() + b'", "meta": ' + b"[" * 900 + b"]" * 900 + b"}"
    answer = api.handle(ApiRequest("POST", "/api/collections/posts/records", "", {"authorization": token}, raw,
                                   "application/json"))
    assert answer.status == 400 and json.loads(answer.body)["message"] == "Failed to create record."


def test_a_sort_through_a_hidden_relation_counts_what_it_lists(site):
    """Low: sorting by a relation's field adds the related collection's list rule to the items but not to the
    count, so totalItems counted records the list left out (the binary: 0 and 0)."""
    store, api, people = site
    ann, _ = people["ann"]
    _, bob_token = people["bob"]
    draft = _post(store, ann)
    store.save(store.new_record("comments", {"text": "on a draft", "post": draft.id}))
    status, body = _ask(api, "GET", "/api/collections/comments/records", token=bob_token, query="sort=post.title")
    assert status == 200 and (body["totalItems"], body["items"]) == (0, [])


def test_a_write_that_finds_the_database_locked_is_the_documented_503(site):
    """Medium: another worker holding data.db's write lock past the busy timeout made an API write a logged 500;
    pages answer that 503 with `Retry-After: 1` (README, "Differences from PocketBase")."""
    import os
    import sqlite3

    from runtime.data import busy

    store, api, _ = site
    holder = sqlite3.connect(os.path.join(api.data_dir, "data.db"), isolation_level=None)
    before = busy.busy_timeout_ms() / 1000
    busy.set_busy_timeout(0.05)
    try:
        holder.execute("BEGIN IMMEDIATE")
        answer = api.handle(ApiRequest("POST", "/api/collections/comments/records", "", {}, b'{"text": "x"}',
                                       "application/json"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        busy.set_busy_timeout(before)
    assert answer.status == 503 and ("Retry-After", "1") in answer.headers
    assert json.loads(answer.body)["status"] == 503
