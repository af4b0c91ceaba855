"""`@request.*` in API rules compiled to SQL without a server: request values bound as parameters (never spliced
into the text), auth and body relations joined, modifiers, hidden fields and joined list rules for clients."""
from __future__ import annotations

import pytest

from runtime.data.collections import Collection
from runtime.data.db import NotFoundError
from runtime.data.query import FilterError
from runtime.data.query.request import RequestInfo
from runtime.data.query.select import build_query


def _field(name, type_="text", **extra):
    return {"name": name, "type": type_, "id": name, **extra}


TEAMS = Collection(name="teams", id="c_teams", listRule="", fields=[_field("id"), _field("name"),
                   _field("owner", "relation", collectionId="c_users", maxSelect=1)])
USERS = Collection(name="users", id="c_users", type="auth", listRule="", fields=[
    _field("id"), _field("email", "email"), _field("emailVisibility", "bool"), _field("name"),
    _field("team", "relation", collectionId="c_teams", maxSelect=1)])
POSTS = Collection(name="posts", id="c_posts", listRule="published = true", fields=[
    _field("id"), _field("title"), _field("owner", "relation", collectionId="c_users", maxSelect=1),
    _field("tags", "select", maxSelect=3), _field("views", "number"), _field("secret", hidden=True),
    _field("published", "bool")])
ALL = {c.name: c for c in (TEAMS, USERS, POSTS)} | {c.id: c for c in (TEAMS, USERS, POSTS)}


def load(key):
    if key not in ALL:
        raise NotFoundError()
    return ALL[key]


def signed_in(**body):
    return RequestInfo(method="POST", body=body, query={"q": "1' OR 1=1"}, headers={"x_token": "t"},
                       auth={"id": "U1", "collectionName": "users", "email": "a@x"}, auth_collection=USERS)


def test_anonymous_auth_fields_are_null():
    text, values = build_query(POSTS, load, rule="owner = @request.auth.id", request=RequestInfo())
    assert "(`posts`.`owner` = '' OR `posts`.`owner` IS NULL)" in text and values == []


def test_request_values_are_bound_never_spliced():
    text, values = build_query(POSTS, load, request=signed_in(),
                               rule="@request.query.q = title && @request.headers.x_token = 't'")
    assert "1=1" not in text and "1' OR 1=1" in values and "t" in values


def test_auth_relation_paths_join_the_auth_record():
    text, values = build_query(POSTS, load, rule="@request.auth.team.owner = @request.auth.id",
                               request=signed_in())
    assert "LEFT JOIN `users` `__auth_users` ON `__auth_users`.id = ?" in text
    assert "`__auth_users_team`" in text and values.count("U1") == 2


def test_body_modifiers():
    info = signed_in(tags=["a", "b"], title="HeLLo")
    text, values = build_query(POSTS, load, rule="@request.body.tags:length > 1 && @request.body.title:lower = 'hello'"
                               " && @request.body.title:isset = true && @request.body.nope:isset = false",
                               request=info)
    assert "2 > ?" in text and "LOWER(?)" in text and "TRUE" in text and "FALSE" in text
    text, values = build_query(POSTS, load, rule="@request.body.tags:each != 'c'", request=info)
    assert "json_each(?)" in text and '["a","b"]' in values
    text, values = build_query(POSTS, load, rule="@request.body.title:changed = false", request=info)
    assert "IS 0" in text


def test_a_number_field_compares_a_sent_string_as_a_number():
    _, values = build_query(POSTS, load, rule="@request.body.views > 1", request=signed_in(views="5"))
    assert 5.0 in values


def test_unknown_modifier_on_a_request_value_is_refused():
    with pytest.raises(FilterError):
        build_query(POSTS, load, rule="@request.query.q:each = 1", request=signed_in())


def test_clients_may_not_filter_hidden_fields_but_rules_may():
    build_query(POSTS, load, rule="secret = 'x'", request=RequestInfo())
    with pytest.raises(FilterError, match="non-filterable"):
        build_query(POSTS, load, filter="secret = 'x'", request=RequestInfo(), allow_hidden=False)


def test_a_client_filter_through_a_relation_adds_its_list_rule():
    comments = Collection(name="comments", id="c_comments", listRule="", fields=[
        _field("id"), _field("post", "relation", collectionId="c_posts", maxSelect=1)])
    text, _ = build_query(comments, load, filter="post.title = 'x'", request=RequestInfo(), allow_hidden=False)
    assert "`comments_post`.`published`" in text and "`comments_post`.`id` = ''" in text.replace("id=", "id =")


def test_a_client_filter_on_a_private_email_needs_it_public():
    text, _ = build_query(USERS, load, filter="email = 'a@x'", request=RequestInfo(), allow_hidden=False)
    assert "`users`.`emailVisibility` = TRUE" in text


def test_a_superusers_only_collection_cannot_be_joined_by_clients():
    hidden = Collection(name="vault", id="c_vault", listRule=None, fields=[_field("id"), _field("code")])
    ALL["c_vault"] = hidden
    notes = Collection(name="notes", id="c_notes", listRule="", fields=[
        _field("id"), _field("vault", "relation", collectionId="c_vault", maxSelect=1)])
    with pytest.raises(FilterError, match="superusers"):
        build_query(notes, load, filter="vault.code = 'x'", request=RequestInfo(), allow_hidden=False)
