"""Tokens, the pb_auth cookie and the collection's secret, against a real UserStore.

Since issue 14 a token is PocketBase's: signed with the user's tokenKey followed by the `users`
collection's authToken secret (in data.db). The fixture sets that secret to SECRET, and the wrappers
below keep this file's calls: `secret` stands for the collection's secret.
"""
import base64
import copy
import json
import string
import time
import urllib.parse

import jwt
import pytest

from bindings import tokens
from bindings.tokens import AUTH_COOKIE, decode_auth_cookie, duration, encode_auth_cookie
from bindings.users import UserStore, random_id, to_dict
from runtime.data.collections import save_collection

SECRET = "test-server-secret-0123456789abcdef"
# What http.cookies (and so Tornado) sends unquoted in a cookie value.
COOKIE_CHARS = set(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~:")


@pytest.fixture
def store(tmp_path):
    s = UserStore(tmp_path, bcrypt_rounds=4)
    users = s.store.find_collection_by_name_or_id("users")
    users.options["authToken"] = {"secret": SECRET, "duration": 7 * 86400}
    users.fields.append({"name": "bio", "type": "text"})
    save_collection(s.db, users)
    s.collection = s.store.find_collection_by_name_or_id("users")
    yield s
    s.close()


def issue_token(user, secret, ttl=None):
    """pagesvm's issuer with `secret` as the users collection's secret (ttl: the collection's by default)."""
    collection = copy.deepcopy(COLLECTION)
    collection.options["authToken"] = {"secret": secret, "duration": 7 * 86400}
    return tokens.issue_token(collection, user["id"], user["tokenKey"],
                              tokens.auth_duration(collection) if ttl is None else ttl)


def verify_token(token, store, secret):
    assert store.collection.options["authToken"]["secret"] == secret
    found = tokens.verify_token(token, store.store)
    return to_dict(found[1]) if found else None


def auth_from_cookie(value, store, secret):
    return verify_token(decode_auth_cookie(value), store, secret)


COLLECTION = type("C", (), {"id": "_pb_users_auth_", "options": {}})()


@pytest.fixture
def user(store):
    return store.create("me@example.com", "password1", fields={"name": 'Mé "(x)" 100%'})


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_cookie_name_is_pocketbases():
    assert AUTH_COOKIE == "pb_auth"


def test_token_carries_id_collection_type_and_seven_day_expiry(store, user):
    token = issue_token(user, SECRET)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, user["tokenKey"] + SECRET, algorithms=["HS256"])  # the binary's key order
    assert claims["id"] == user["id"] and claims["type"] == "auth"
    assert claims["collectionId"] == "_pb_users_auth_"
    assert abs(claims["exp"] - (time.time() + 7 * 86400)) < 5
    assert verify_token(token, store, SECRET) == user


def test_token_lifetime_is_configurable(store, user):
    claims = jwt.decode(issue_token(user, SECRET, ttl=60), options={"verify_signature": False})
    assert abs(claims["exp"] - (time.time() + 60)) < 5


def test_cookie_round_trips_to_the_signed_in_user(store, user):
    value = encode_auth_cookie(issue_token(user, SECRET), user)
    assert auth_from_cookie(value, store, SECRET) == user


def test_cookie_value_is_url_encoded_json_the_sdk_reads_and_tornado_sends_unquoted(user):
    token = issue_token(user, SECRET)
    value = encode_auth_cookie(token, user)
    assert set(value) <= COOKIE_CHARS
    data = json.loads(urllib.parse.unquote(value))  # the SDK: decodeURIComponent, JSON.parse
    assert data["token"] == token
    assert data["record"]["name"] == user["name"] and data["record"]["collectionName"] == "users"
    assert "password" not in data["record"] and "tokenKey" not in data["record"]
    assert user["tokenKey"] not in urllib.parse.unquote(value)


def test_decode_accepts_raw_json_even_with_percent_signs_inside(user):
    raw = json.dumps({"token": "abc", "record": {"name": "say %22hi%22"}})
    assert decode_auth_cookie(raw) == "abc"
    assert decode_auth_cookie(urllib.parse.quote(raw)) == "abc"


@pytest.mark.parametrize("value", [
    None, "", "not json", "%7Bbroken", "[]", '"token"', "{}", '{"token": ""}',
    '{"token": 42}', '{"token": "not.a.jwt"}', '{"token": "garbage"}', "{\"token\": \"\u00e9.\u00e9.\u00e9\"}",
])
def test_malformed_cookie_means_signed_out(store, user, value):
    assert auth_from_cookie(value, store, SECRET) is None


def _cookie(token):
    return json.dumps({"token": token, "record": {}})


def test_token_with_a_signature_from_another_token_is_refused(store, user):
    other = store.create("other@example.com", "password1")
    head_payload = issue_token(user, SECRET).rsplit(".", 1)[0]
    foreign_sig = issue_token(other, SECRET).rsplit(".", 1)[1]
    assert auth_from_cookie(_cookie(f"{head_payload}.{foreign_sig}"), store, SECRET) is None


def test_handmade_alg_none_token_is_refused(store, user):
    claims = {"id": user["id"], "collectionId": "_pb_users_auth_", "type": "auth",
              "exp": int(time.time()) + 3600}
    for alg in ("none", "None", "NONE"):
        token = f"{b64({'alg': alg, 'typ': 'JWT'})}.{b64(claims)}."
        assert auth_from_cookie(_cookie(token), store, SECRET) is None


def test_token_signed_with_another_server_secret_is_refused(store, user):
    token = issue_token(user, "some-other-server-secret-value-xyz")
    assert auth_from_cookie(_cookie(token), store, SECRET) is None


def test_token_signed_without_the_users_token_key_is_refused(store, user):
    claims = {"id": user["id"], "collectionId": "_pb_users_auth_", "type": "auth",
              "exp": int(time.time()) + 3600}
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    assert verify_token(token, store, SECRET) is None


def test_expired_token_is_refused(store, user):
    assert verify_token(issue_token(user, SECRET, ttl=-5), store, SECRET) is None


def test_token_without_expiry_is_refused(store, user):
    claims = {"id": user["id"], "collectionId": "_pb_users_auth_", "type": "auth"}
    token = jwt.encode(claims, user["tokenKey"] + SECRET, algorithm="HS256")
    assert verify_token(token, store, SECRET) is None


def test_token_of_another_kind_is_refused(store, user):
    claims = {"id": user["id"], "collectionId": "_pb_users_auth_", "type": "passwordReset",
              "exp": int(time.time()) + 3600}
    token = jwt.encode(claims, user["tokenKey"] + SECRET, algorithm="HS256")
    assert verify_token(token, store, SECRET) is None


def test_token_for_an_unknown_or_deleted_user_is_refused(store, user):
    ghost = dict(user, id=random_id())
    assert verify_token(issue_token(ghost, SECRET), store, SECRET) is None
    token = issue_token(user, SECRET)
    store.delete(user["email"])
    assert verify_token(token, store, SECRET) is None


def test_changing_the_password_signs_out_older_tokens(store, user):
    old = encode_auth_cookie(issue_token(user, SECRET), user)
    updated = store.set_password(user["email"], "password2")
    assert auth_from_cookie(old, store, SECRET) is None
    fresh = encode_auth_cookie(issue_token(updated, SECRET), updated)
    assert auth_from_cookie(fresh, store, SECRET) == updated


def test_sign_out_everywhere_kills_older_tokens(store, user):
    token = issue_token(user, SECRET)
    store.sign_out_everywhere(user["id"])
    assert verify_token(token, store, SECRET) is None


# -- the secret: the collection's, never PAGESVM_SECRET or secret.key (issue 14) ---------------------

def test_server_secret_and_secret_file_play_no_part(store, user, tmp_path, monkeypatch):
    token = issue_token(user, SECRET)
    monkeypatch.setenv("PAGESVM_SECRET", "from-env")
    (tmp_path / "secret.key").write_text("from-file\n")
    assert verify_token(token, store, SECRET) == user
    assert verify_token(issue_token(user, "from-env"), store, SECRET) is None


def test_each_data_db_has_its_own_secret(tmp_path):
    one, two = UserStore(tmp_path / "one", bcrypt_rounds=4), UserStore(tmp_path / "two", bcrypt_rounds=4)
    secrets_seen = {s.collection.options["authToken"]["secret"] for s in (one, two)}
    assert len(secrets_seen) == 2 and all(len(x) == 50 for x in secrets_seen)


def test_cookie_with_a_large_record_keeps_only_identifying_fields_under_4kb(store):
    big = store.create("big@example.com", "password1", fields={"bio": "x" * 5000, "name": "Big"})
    token = issue_token(big, SECRET)
    value = encode_auth_cookie(token, big)
    assert len(value) < 4096 - 100
    data = json.loads(urllib.parse.unquote(value))
    assert data["token"] == token
    assert data["record"] == {"id": big["id"], "collectionId": "_pb_users_auth_", "collectionName": "users",
                              "email": "big@example.com", "verified": False}
    assert auth_from_cookie(value, store, SECRET) == big


@pytest.mark.parametrize("text, seconds", [("3600", 3600), ("90m", 5400), ("12h", 43200), ("7d", 604800),
                                           (" 2H ", 7200)])
def test_duration_reads_seconds_or_a_unit(text, seconds):
    assert duration(text) == seconds


@pytest.mark.parametrize("text", ["", "d", "5x", "-5m", "1.5h", "30", "401d"])
def test_duration_refuses_nonsense_and_out_of_range(text):
    with pytest.raises(ValueError):
        duration(text)
