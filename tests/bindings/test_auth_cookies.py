"""Every kind of bad pb_auth cookie means anonymous plus a clearing Set-Cookie, never a 500."""
import base64
import json
import time
import urllib.parse

import jwt
import pytest

from bindings.users import UserStore
from tests.bindings.auth_helpers import (SECRET, assert_cleared, forge_token, auth_cookie, cookie_json, register, set_cookies,
                                         start, whoami)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("cookies") / "data"
    server = start(data)
    cookie = auth_cookie(register(server, "victim@example.com"))
    store = UserStore(data, bcrypt_rounds=4)
    yield server, store, cookie
    store.close()
    server.stop()


def b64(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def as_cookie(token, record=None) -> str:
    return urllib.parse.quote(json.dumps({"token": token, "record": record or {}}))


def claims(user_id, **extra):
    return {"id": user_id, "collectionId": "_pb_users_auth_", "type": "auth", "exp": int(time.time()) + 3600, **extra}


def bad_cookie(kind, store, good_cookie):
    user = store.get_by_email("victim@example.com")
    key = user["tokenKey"] + SECRET  # the binary's key: tokenKey, then the collection's secret
    good = cookie_json(good_cookie)["token"]
    if kind == "not_json":
        return "not json at all"
    if kind == "json_not_object":
        return urllib.parse.quote("[1, 2, 3]")
    if kind == "no_token":
        return urllib.parse.quote(json.dumps({"record": {"id": user["id"]}}))
    if kind == "bad_signature":
        head, body, sig = good.split(".")
        return as_cookie(f"{head}.{body}.{sig[:-4]}AAAA")
    if kind == "alg_none":
        return as_cookie(f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims(user['id']))}.")
    if kind == "alg_hs512_right_key":
        return as_cookie(jwt.encode(claims(user["id"]), key, algorithm="HS512"))
    if kind == "other_server_secret":
        return as_cookie(jwt.encode(claims(user["id"]), user["tokenKey"] + "another-server", algorithm="HS256"))
    if kind == "without_token_key":
        return as_cookie(jwt.encode(claims(user["id"]), SECRET, algorithm="HS256"))
    if kind == "expired":
        return as_cookie(forge_token(user, SECRET, ttl=-60))
    if kind == "not_an_auth_token":
        return as_cookie(jwt.encode(claims(user["id"], type="refresh"), key, algorithm="HS256"))
    if kind == "unknown_user":
        return as_cookie(forge_token({"id": "nosuchuser00000", "tokenKey": "k"}, SECRET))
    if kind == "deeply_nested_json":
        return "[" * 3000 + "]" * 3000
    if kind == "deeply_nested_token_payload":
        nested = base64.urlsafe_b64encode(("[" * 3000 + "]" * 3000).encode()).rstrip(b"=").decode()
        return as_cookie(f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{nested}.{good.split('.')[2]}")
    if kind == "stale_token_key":
        return as_cookie(forge_token({**user, "tokenKey": "an-older-token-key"}, SECRET))
    raise AssertionError(kind)


KINDS = ["not_json", "json_not_object", "no_token", "bad_signature", "alg_none", "alg_hs512_right_key",
         "other_server_secret", "without_token_key", "expired", "not_an_auth_token", "unknown_user",
         "stale_token_key", "deeply_nested_json", "deeply_nested_token_payload"]


@pytest.mark.parametrize("kind", KINDS)
def test_bad_cookie_means_anonymous_and_is_cleared(site, kind):
    server, store, good = site
    res, me = whoami(server, bad_cookie(kind, store, good))
    assert me == {"anonymous": True, "auth": "undefined"}
    assert_cleared(res)


@pytest.mark.parametrize("kind", ["not_json", "alg_none", "expired"])
def test_bad_cookie_on_the_seed_page_post_is_no_error(site, kind):
    server, store, good = site
    res = server.post("/logout", form={"action": "logout"}, cookies={"pb_auth": bad_cookie(kind, store, good)})
    assert res.status == 302 and res.header("Location") == "/login"
    assert all(c == {"value": "", "max-age": "0", "path": "/", "httponly": True, "samesite": "Lax"}
               for c in [set_cookies(res)["pb_auth"]])


def test_good_cookie_is_left_alone(site):
    server, _, good = site
    res, me = whoami(server, good)
    assert me["email"] == "victim@example.com" and "pb_auth" not in set_cookies(res)


def test_record_in_the_cookie_is_display_only(site):
    server, _, good = site
    token = cookie_json(good)["token"]
    forged = as_cookie(token, {"id": "admin", "email": "admin@example.com", "verified": True})
    res, me = whoami(server, forged)
    assert me["email"] == "victim@example.com" and me["verified"] is False
    assert "pb_auth" not in set_cookies(res)


def test_deleted_user_is_signed_out(tmp_path):
    server = start(tmp_path / "data", "--workers", "1")
    try:
        cookie = auth_cookie(register(server, "gone@example.com"))
        store = UserStore(tmp_path / "data", bcrypt_rounds=4)
        store.delete("gone@example.com")
        store.close()
        res, me = whoami(server, cookie)
    finally:
        server.stop()
    assert me["anonymous"] is True
    assert_cleared(res)
