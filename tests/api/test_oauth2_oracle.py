"""OAuth2 sign-in against the real PocketBase 0.40.6: `users` given the `oidc` provider (and `google`, pointed at
the same fake provider) through the binary's own API, then the binary's data.db copied for pagesvm's Api
(in-process); the same requests to both, each side with codes of its own from the fake provider
(tests/api/fake_oidc.py), answers compared after normalising ids, tokens, states and verifiers.
"""
import sqlite3
import urllib.parse

import pytest

from tests.api.fake_oidc import FakeOIDC, s256
from tests.api.test_auth_oracle import PASSWORD, Sides, _normal, copy_data
from tests.helpers import PocketBase, masked

BASE = "/api/collections/users/"
REDIRECT = "http://app.test/auth/callback"
VERIFIER = "x" * 43
ALICE = {"sub": "alice-1", "name": "Alice", "preferred_username": "alice", "picture": "https://img.test/a.png?s=1&t=2",
         "email": "alice@example.com", "email_verified": True, "groups": ["a", "b"], "n": 1.5, "big": 3}
BOB = {"sub": "bob-1", "name": "Bob", "email": "bob@example.com", "email_verified": "true"}
CAROL = {"sub": "carol-1", "name": "Carol", "email": "carol@example.com", "email_verified": False}


@pytest.fixture(scope="module")
def fake():
    provider = FakeOIDC()
    yield provider
    provider.stop()


@pytest.fixture(scope="module")
def sides(tmp_path_factory, fake):
    folder = str(tmp_path_factory.mktemp("oauth2_oracle"))
    pb = PocketBase(folder)
    try:
        status, body = pb.call("PATCH", "/api/collections/users", {"oauth2": {
            "enabled": True, "providers": [fake.config(), fake.config("google", displayName="Gugl", pkce=False)],
            "mappedFields": {"name": "name", "avatarURL": "avatar"}}})
        assert status == 200, body
        for email, verified in (("bob@example.com", False), ("dave@example.com", True)):
            status, made = pb.call("POST", "/api/collections/users/records", {
                "email": email, "verified": verified, "password": PASSWORD, "passwordConfirm": PASSWORD})
            assert status == 200, made
        found = Sides(pb, copy_data(folder))
        found.dbs = (f"{folder}/pb_data/data.db", f"{folder}/pagesvm_data/data.db")
        yield found
    finally:
        pb.stop()


def _norm(answer):
    status, body = answer
    body = masked(_normal(body))
    if isinstance(body, dict) and isinstance(body.get("meta"), dict):
        body["meta"].update({k: f"<{k}>" for k in ("accessToken", "refreshToken", "expiry") if body["meta"][k]})
    return status, body


def _sign_in(sides, claims, **more):
    """auth-with-oauth2 on both sides, a fresh code each; the two answers, compared."""
    got = []
    for ask in (sides.binary, sides.pagesvm):
        code = sides.fake.issue(claims, s256(VERIFIER), REDIRECT)
        body = {"provider": "oidc", "code": code, "codeVerifier": VERIFIER, "redirectURL": REDIRECT, **more}
        got.append(ask("POST", BASE + "auth-with-oauth2", body))
    assert _norm(got[0]) == _norm(got[1])
    return got


@pytest.fixture(autouse=True)
def _fake_on_sides(sides, fake):
    sides.fake = fake


def _url_parts(info):
    url, _, query = info["authURL"].partition("?")
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    return url, [(k, "<v>" if k in ("state", "code_challenge") else v) for k, v in pairs]


def test_auth_methods(sides):
    one, two = sides.binary("GET", BASE + "auth-methods"), sides.pagesvm("GET", BASE + "auth-methods")
    for status, body in (one, two):
        assert status == 200
        for info in body["oauth2"]["providers"] + body["authProviders"]:
            if info["codeVerifier"]:
                assert info["codeChallenge"] == s256(info["codeVerifier"])
            assert info["authURL"] == info["authUrl"]
            info["parts"] = _url_parts(info)
            for key in ("state", "codeVerifier", "codeChallenge", "authURL", "authUrl"):
                info[key] = "<x>" if info[key] else ""
    assert one == two
    assert one[1]["oauth2"]["providers"][1]["codeChallengeMethod"] == ""  # google with pkce off


def test_a_new_user_then_the_same_user_again(sides):
    (status, first), _ = _sign_in(sides, ALICE)
    assert status == 200 and first["meta"]["isNew"] is True and first["record"]["verified"] is True
    (status, again), _ = _sign_in(sides, ALICE)
    assert status == 200 and again["meta"]["isNew"] is False and again["record"]["id"] == first["record"]["id"]


def test_an_unverified_account_with_the_email_is_linked(sides):
    (status, body), _ = _sign_in(sides, BOB)
    assert status == 200 and body["meta"]["isNew"] is False and body["record"]["verified"] is True
    sides.both("POST", BASE + "auth-with-password", {"identity": "bob@example.com", "password": PASSWORD})


def test_an_unverified_provider_email(sides):
    (status, _), _ = _sign_in(sides, CAROL)
    assert status == 400
    (status, body), _ = _sign_in(sides, CAROL, createData={"email": "carol@example.com", "name": "C"})
    assert status == 200 and body["record"]["verified"] is False


def test_a_signed_in_record_gets_the_link(sides):
    tokens = [ask("POST", BASE + "auth-with-password", {"identity": "dave@example.com", "password": PASSWORD})[1]["token"]
              for ask in (sides.binary, sides.pagesvm)]
    got = []
    for ask, token in zip((sides.binary, sides.pagesvm), tokens):
        code = sides.fake.issue({"sub": "dave-9", "email": "d2@example.com", "email_verified": True}, s256(VERIFIER))
        got.append(ask("POST", BASE + "auth-with-oauth2", {"provider": "oidc", "code": code,
                                                          "codeVerifier": VERIFIER}, token))
    assert _norm(got[0]) == _norm(got[1]) and got[0][1]["record"]["email"] == "dave@example.com"


@pytest.mark.parametrize("body", [
    {"provider": "oidc", "code": "not-a-code", "codeVerifier": VERIFIER},
    {"provider": "github", "code": "x"},
    {"provider": "", "code": ""},
    {"provider": "oidc", "code": 5},
    {},
])
def test_refusals(sides, body):
    sides.both("POST", BASE + "auth-with-oauth2", body)


def test_a_wrong_verifier(sides):
    got = [ask("POST", BASE + "auth-with-oauth2", {"provider": "oidc", "code": sides.fake.issue(ALICE, s256(VERIFIER)),
                                                   "codeVerifier": "y" * 43}) for ask in (sides.binary, sides.pagesvm)]
    assert _norm(got[0]) == _norm(got[1]) and got[0][0] == 400


def test_links_are_stored_alike(sides):
    rows = []
    for db in sides.dbs:
        with sqlite3.connect(db) as conn:
            rows.append(conn.execute("SELECT e.provider, e.providerId, u.email FROM _externalAuths e JOIN users u "
                                     "ON u.id = e.recordRef ORDER BY e.providerId").fetchall())
    assert rows[0] == rows[1] and len(rows[0]) == 4


def test_create_rule_null_then_disabled(sides):
    """Last: they change the collection (the binary through its API, pagesvm's copy in SQL)."""
    assert sides.pb.call("PATCH", "/api/collections/users", {"createRule": None})[0] == 200
    with sqlite3.connect(sides.dbs[1]) as conn:
        conn.execute("UPDATE _collections SET createRule = NULL WHERE name = 'users'")
    (status, body), _ = _sign_in(sides, {**ALICE, "sub": "eve-1", "email": "eve@example.com"})
    assert status == 403, body
    (status, _), _ = _sign_in(sides, ALICE)  # linked already: no create needed
    assert status == 200
    assert sides.pb.call("PATCH", "/api/collections/users", {"oauth2": {"enabled": False}})[0] == 200
    with sqlite3.connect(sides.dbs[0]) as conn:
        options = conn.execute("SELECT options FROM _collections WHERE name = 'users'").fetchone()[0]
    with sqlite3.connect(sides.dbs[1]) as conn:
        conn.execute("UPDATE _collections SET options = ? WHERE name = 'users'", (options,))
    _sign_in(sides, ALICE)
    sides.both("GET", BASE + "auth-methods")
