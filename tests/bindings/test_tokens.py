"""Tokens, the pb_auth cookie and the server secret, against a real UserStore."""
import base64
import json
import multiprocessing
import os
import stat
import string
import time
import urllib.parse

import jwt
import pytest

from bindings.tokens import (AUTH_COOKIE, auth_from_cookie, decode_auth_cookie, duration,
                             encode_auth_cookie, issue_token, load_secret, verify_token)
from bindings.users import UserStore, random_id

SECRET = "test-server-secret-0123456789abcdef"
# What http.cookies (and so Tornado) sends unquoted in a cookie value.
COOKIE_CHARS = set(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~:")


@pytest.fixture
def store(tmp_path):
    s = UserStore(tmp_path, bcrypt_rounds=4)
    yield s
    s.close()


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
    claims = jwt.decode(token, SECRET + user["tokenKey"], algorithms=["HS256"])
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
    token = jwt.encode(claims, SECRET + user["tokenKey"], algorithm="HS256")
    assert verify_token(token, store, SECRET) is None


def test_token_of_another_kind_is_refused(store, user):
    claims = {"id": user["id"], "collectionId": "_pb_users_auth_", "type": "passwordReset",
              "exp": int(time.time()) + 3600}
    token = jwt.encode(claims, SECRET + user["tokenKey"], algorithm="HS256")
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


# -- server secret --------------------------------------------------------------

def test_secret_file_is_generated_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("PAGESVM_SECRET", raising=False)
    first = load_secret(tmp_path / "data")
    path = tmp_path / "data" / "secret.key"
    assert len(first) >= 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_secret(tmp_path / "data") == first
    assert os.listdir(tmp_path / "data") == ["secret.key"]


def test_secret_from_environment_wins_and_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("PAGESVM_SECRET", "from-env")
    assert load_secret(tmp_path) == "from-env"
    assert not (tmp_path / "secret.key").exists()


def _read_secret(data_dir, barrier, out):
    barrier.wait()
    out.put(load_secret(data_dir))


def test_workers_starting_together_agree_on_one_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("PAGESVM_SECRET", raising=False)
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(6), ctx.Queue()
    procs = [ctx.Process(target=_read_secret, args=(tmp_path, barrier, out)) for _ in range(6)]
    for p in procs:
        p.start()
    secrets_seen = {out.get(timeout=30) for _ in procs}
    for p in procs:
        p.join(30)
    assert secrets_seen == {(tmp_path / "secret.key").read_text().strip()}
    assert os.listdir(tmp_path) == ["secret.key"]


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
