"""OAuth2 sign-in through the API's plain objects (no pagesvm server) against the fake provider of fake_oidc.py:
auth-methods' providers, the code exchange (credentials, PKCE, redirect URI), and the linking rules."""
from __future__ import annotations

import json
import sqlite3
import urllib.parse

import pytest

from runtime.api import Api, ApiRequest
from runtime.api import oauth2_client
from runtime.data.collections import save_collection
from runtime.data.process import store_for
from tests.api.fake_oidc import CLIENT_ID, FakeOIDC, s256

BASE = "/api/collections/users/"
ALICE = {"sub": "alice-1", "name": "Alice", "preferred_username": "alice", "picture": "https://img.test/a.png",
         "email": "alice@example.com", "email_verified": True}


@pytest.fixture(scope="module")
def fake():
    provider = FakeOIDC()
    yield provider
    provider.stop()


@pytest.fixture
def api(tmp_path, fake):
    data = str(tmp_path / "pb_data")
    store = store_for(data)
    users = store.find_collection_by_name_or_id("users")
    users.options["oauth2"] = {**users.options["oauth2"], "enabled": True, "providers": [fake.config()]}
    save_collection(store.db, users)
    return Api(data)


def ask(api, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json", **({"Authorization": token} if token else {})}
    path, _, query = path.partition("?")
    answer = api.handle(ApiRequest(method, path, query, headers=headers,
                                   body=json.dumps(body).encode() if body is not None else b""))
    return answer.status, answer.value()


def sign_in(api, fake, claims, **more):
    code = fake.issue(claims, s256("v" * 43), "http://app.test/cb")
    return ask(api, "POST", BASE + "auth-with-oauth2", {"provider": "oidc", "code": code, "codeVerifier": "v" * 43,
                                                       "redirectURL": "http://app.test/cb", **more})


def test_auth_methods_lists_the_provider_with_pkce(api, fake):
    status, body = ask(api, "GET", BASE + "auth-methods")
    assert status == 200 and body["oauth2"]["enabled"] is True
    (info,) = body["oauth2"]["providers"]
    assert (info["name"], info["displayName"], info["codeChallengeMethod"]) == ("oidc", "OIDC", "S256")
    assert info["codeChallenge"] == s256(info["codeVerifier"]) and len(info["codeVerifier"]) == 43
    assert info["authURL"] == info["authUrl"] and info["authURL"].endswith("&redirect_uri=")
    url, _, query = info["authURL"].partition("?")
    assert url == fake.url + "/authorize"
    assert [k for k, _ in urllib.parse.parse_qsl(query, keep_blank_values=True)] == [
        "client_id", "code_challenge", "code_challenge_method", "response_type", "scope", "state", "redirect_uri"]
    assert dict(urllib.parse.parse_qsl(query))["scope"] == "openid email profile" and "scope=openid+email" in query
    assert body["authProviders"] == [{**info, "logo": ""}]


def test_a_new_user_is_created_verified_and_linked_then_signed_in_again(api, fake):
    status, body = sign_in(api, fake, ALICE)
    assert status == 200, body
    meta, record = body["meta"], body["record"]
    assert (meta["isNew"], meta["id"], meta["email"], meta["username"], meta["avatarURL"]) == (
        True, "alice-1", "alice@example.com", "alice", "https://img.test/a.png")
    assert meta["rawUser"] == ALICE and meta["refreshToken"].startswith("r-") and meta["expiry"].endswith("Z")
    assert (record["email"], record["verified"], record["name"], record["avatar"]) == ("alice@example.com", True,
                                                                                      "Alice", "")
    assert fake.token_requests[-1]["basic"] is True  # credentials as HTTP Basic first, as golang.org/x/oauth2
    assert fake.token_requests[-1]["form"]["code_verifier"] == "v" * 43
    status, again = sign_in(api, fake, ALICE)
    assert status == 200 and again["meta"]["isNew"] is False and again["record"]["id"] == record["id"]


def test_an_unverified_account_with_the_email_is_taken_over_safely(api, fake):
    status, made = ask(api, "POST", BASE + "records", {"email": "alice@example.com", "password": "12345678",
                                                      "passwordConfirm": "12345678"})
    assert status == 200 and made["verified"] is False
    status, body = sign_in(api, fake, ALICE)
    assert status == 200 and body["record"]["id"] == made["id"] and body["record"]["verified"] is True
    assert body["meta"]["isNew"] is False
    status, _ = ask(api, "POST", BASE + "auth-with-password", {"identity": "alice@example.com", "password": "12345678"})
    assert status == 400  # the pre-made password is gone


def test_an_unverified_provider_email_is_not_used(api, fake):
    """Without it the new record has no email, which `users` requires."""
    status, body = sign_in(api, fake, {**ALICE, "sub": "x-2", "email_verified": "false"})
    assert (status, body["data"]) == (400, {"email": {"code": "validation_required", "message": "Cannot be blank."}})
    status, body = sign_in(api, fake, {**ALICE, "sub": "x-2", "email_verified": "false"},
                           createData={"email": "other@example.com"})
    assert status == 200 and body["record"]["email"] == "other@example.com" and body["meta"]["email"] == ""
    assert body["record"]["verified"] is False


def test_refusals(api, fake):
    assert sign_in(api, fake, ALICE, provider="github") == (400, {
        "data": {"provider": {"code": "validation_invalid_provider", "message":
                              "Provider with name github is missing or is not enabled.", "params": {"name": "github"}}},
        "message": "An error occurred while loading the submitted data.", "status": 400})
    status, body = ask(api, "POST", BASE + "auth-with-oauth2", {"provider": "oidc", "code": "nope"})
    assert (status, body["message"]) == (400, "Failed to fetch OAuth2 token.")
    code = fake.issue(ALICE, s256("v" * 43))
    status, body = ask(api, "POST", BASE + "auth-with-oauth2", {"provider": "oidc", "code": code, "codeVerifier": "w"})
    assert (status, body["message"]) == (400, "Failed to fetch OAuth2 token.")


def test_a_provider_that_is_down(api, fake, monkeypatch):
    store = store_for(api.data_dir)
    users = store.find_collection_by_name_or_id("users")
    users.options["oauth2"]["providers"] = [fake.config(tokenURL="http://127.0.0.1:9/token")]
    save_collection(store.db, users)
    status, body = sign_in(api, fake, ALICE)
    assert (status, body["message"]) == (400, "Failed to fetch OAuth2 token.")


def test_a_create_rule_that_refuses(api, fake):
    store = store_for(api.data_dir)
    users = store.find_collection_by_name_or_id("users")
    users.createRule = "@request.context != 'oauth2'"
    save_collection(store.db, users)
    status, body = sign_in(api, fake, ALICE)
    assert (status, body["message"]) == (400, "Failed to create record.")
    users.createRule = "@request.context = 'oauth2'"
    save_collection(store.db, users)
    assert sign_in(api, fake, ALICE)[0] == 200
    with sqlite3.connect(api.data_dir + "/data.db") as db:
        assert db.execute("SELECT provider, providerId FROM _externalAuths").fetchall() == [("oidc", "alice-1")]


def test_credentials_as_form_fields_when_basic_is_refused(api, fake, monkeypatch):
    monkeypatch.setattr(fake, "accept", ("params",))
    monkeypatch.setattr(oauth2_client, "_STYLE", {})
    status, _ = sign_in(api, fake, ALICE)
    assert status == 200
    assert [r["basic"] for r in fake.token_requests[-2:]] == [True, False]
    assert fake.token_requests[-1]["form"]["client_id"] == CLIENT_ID
