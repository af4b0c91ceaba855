"""The signed-in user reaches a page from the payload (``auth``) and, when an on_request hook set it, from the
hook's effects too (``fx.auth``): render.js makes one record, from the one that counts (the hook's), and auth.js
keeps Python's fresh object as the record's fields unless a key must be dropped. Neither may let one request's
record, or what a page wrote on it, reach another request."""
from __future__ import annotations

import pytest

from bindings import builtins
from runtime.render.engine import Engine, page_payload
from runtime.render.site import Site
from tests.helpers import write_site

USER = {"id": "u1", "collectionId": "_pb_users_auth_", "collectionName": "users", "email": "one@example.com",
        "emailVisibility": False, "verified": True, "name": "One", "avatar": "", "created": "2026-01-01 10:00:00.000Z",
        "updated": "2026-01-01 10:00:00.000Z"}
OTHER = dict(USER, id="u2", email="two@example.com", name="Two")

PAGES = {
    "who.ejs": "<%= request.auth ? request.auth.email + '|' + auth.get('name') + '|' + (request.auth === auth) : 'none' %>",
    "write.ejs": "<% auth.set('name', 'Changed'); auth.set('extra', 1) %><%= auth.get('name') %>|<%= auth.get('extra') %>",
    "keys.ejs": "<%= Object.keys(auth.toJSON()).join(',') %>|<%= String(auth.get('tokenKey')) %>|"
                "<%= Object.getPrototypeOf(auth.toJSON()) === Object.prototype %>",
    # A record made in one request is refused by the methods in the next (auth.js fieldsOf).
    "keep.ejs": "<% globalThis.kept = auth %>kept",
    "stale.ejs": "<% let r = 'gone'; try { r = typeof kept === 'undefined' ? 'gone' : kept.get('email') } "
                 "catch (e) { r = e.name } %><%= r %>",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("site"), PAGES)
    builtins.load()
    return Engine(Site(root))


def render(engine, page, auth=None, fx=None):
    request = {"method": "GET", "url": "/" + page, "host": "", "headers": {}, "cookies": {}, "body": None}
    payload = page_payload(page + ".ejs", "template", [], [], [], {}, request, auth)
    if fx is not None:
        payload["fx"] = fx
    payload["units"] = engine.route_units(payload["route"])
    result = engine.render(payload)
    assert result["error"] is None, result["error"]
    return result["body"]


def test_the_payload_user_is_the_page_user(engine):
    assert render(engine, "who", USER) == "one@example.com|One|true"
    assert render(engine, "who") == "none"


@pytest.mark.parametrize("payload_auth, fx_auth, expected", [
    (USER, USER, "one@example.com|One|true"),  # what the sign-in hook sends: the same user twice
    (USER, OTHER, "two@example.com|Two|true"),  # the hook's effect is the last word
    (None, OTHER, "two@example.com|Two|true"),
    (USER, None, "none"),  # a hook that signed the visitor out
])
def test_a_hook_set_user_counts_over_the_payload(engine, payload_auth, fx_auth, expected):
    assert render(engine, "who", payload_auth, {"auth": fx_auth}) == expected


def test_the_hook_effects_without_auth_keep_the_payload_user(engine):
    assert render(engine, "who", USER, {"status": 201}) == "one@example.com|One|true"


def test_what_a_page_sets_on_its_record_stays_in_its_request(engine):
    assert render(engine, "write", USER, {"auth": USER}) == "Changed|1"
    assert render(engine, "who", USER, {"auth": USER}) == "one@example.com|One|true"
    assert render(engine, "write", USER) == "Changed|1"
    assert render(engine, "who", USER) == "one@example.com|One|true"


def test_keys_a_record_must_not_carry_are_dropped(engine):
    """A record holding a hidden or unsafe key is copied without it (JSON.parse makes `__proto__` an own key)."""
    leaky = dict(USER, tokenKey="secret", password="x")
    assert render(engine, "keys", leaky).split("|")[1:] == ["undefined", "true"]
    keys = render(engine, "keys", leaky).split("|")[0].split(",")
    assert "tokenKey" not in keys and "password" not in keys and "email" in keys
    engine_payload = {"__proto__": {"polluted": True}, **USER}
    body = render(engine, "keys", engine_payload)
    assert "__proto__" not in body.split("|")[0].split(",") and body.endswith("|true")


def test_a_record_kept_past_its_request_reads_nothing(engine):
    assert render(engine, "keep", USER, {"auth": USER}) == "kept"
    assert render(engine, "stale", OTHER, {"auth": OTHER}) == "gone"
