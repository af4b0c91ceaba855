"""What the list path's shortcuts must never change: a record expanded under many items is exported once but a
`fields=` modifier still edits each copy once, a remembered statement never outlives its collection's rule, and a
rule reading `@request.*` is judged afresh on every request."""
from __future__ import annotations

import json

import pytest

from runtime.api import Api, ApiRequest
from runtime.data.collections import Collection, save_collection
from runtime.data.process import forget, store_for

AUTHORS = {"name": "authors", "type": "base", "listRule": "", "viewRule": "",
           "fields": [{"name": "name", "type": "text"}]}


@pytest.fixture
def site(tmp_path):
    data_dir = str(tmp_path / "pb_data")
    store = store_for(data_dir)
    authors = save_collection(store.db, Collection.from_api(AUTHORS))
    save_collection(store.db, Collection.from_api({
        "name": "posts", "type": "base", "listRule": "", "viewRule": "", "fields": [
            {"name": "views", "type": "number"},
            {"name": "author", "type": "relation", "collectionId": authors.id, "maxSelect": 1}]}))
    author = store.new_record("authors", {"name": "Author <0> & co"})
    store.save(author)
    for views in range(4):
        store.save(store.new_record("posts", {"views": views, "author": author.id}))
    yield store, Api(data_dir)
    forget(data_dir)


def _list(api, query):
    answer = api.handle(ApiRequest("GET", "/api/collections/posts/records", query))
    return answer.status, json.loads(answer.body)


def test_a_shared_expanded_record_is_edited_once_per_item_by_fields(site):
    _, api = site
    status, body = _list(api, "expand=author&fields=views,expand.author.name:excerpt(7,true)&sort=views")
    assert status == 200
    assert [item["expand"]["author"]["name"] for item in body["items"]] == ["Author..."] * 4
    status, body = _list(api, "expand=author&sort=views")
    assert [item["expand"]["author"]["name"] for item in body["items"]] == ["Author <0> & co"] * 4


def test_a_changed_rule_is_seen_by_the_next_list(site):
    store, api = site
    assert _list(api, "sort=views")[1]["totalItems"] == 4
    posts = store.find_collection_by_name_or_id("posts")
    posts.listRule = "views >= 2"
    save_collection(store.db, posts)
    status, body = _list(api, "sort=views")
    assert (status, body["totalItems"], [i["views"] for i in body["items"]]) == (200, 2, [2, 3])


def test_a_rule_reading_the_request_is_judged_per_request(site):
    store, api = site
    posts = store.find_collection_by_name_or_id("posts")
    posts.listRule = "views >= @request.query.least"
    save_collection(store.db, posts)
    for least, total in (("1", 3), ("3", 1), ("1", 3)):
        assert _list(api, f"least={least}")[1]["totalItems"] == total
