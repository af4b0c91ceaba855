"""The per-worker cache of verified tokens (runtime/data/tokens.py `_verified`, issue 19): a token's signature is
checked once, and a later request with the same text is exactly as safe: a new tokenKey (password change, sign
out everywhere) or collection secret voids it, its expiry is checked on every use, and the table is bounded."""
import time

import jwt
import pytest

from bindings.users import UserStore
from runtime.data import tokens
from runtime.data.collections import save_collection


@pytest.fixture
def store(tmp_path):
    tokens._verified.clear()
    s = UserStore(tmp_path, bcrypt_rounds=4)
    yield s
    s.close()
    tokens._verified.clear()


@pytest.fixture
def user(store):
    return store.create("me@example.com", "password1")


def token_for(store, user, ttl=3600, **extra):
    claims = {"collectionId": store.collection.id, "exp": int(time.time()) + ttl, "id": user["id"],
              "refreshable": True, "type": "auth", **extra}
    return jwt.encode(claims, tokens.signing_key(store.collection, user["tokenKey"]), algorithm="HS256")


def verified_id(token, store):
    found = tokens.verify_token(token, store.store)
    return found[1].id if found else None


@pytest.fixture
def decodes(monkeypatch):
    """How many times the signature was really checked."""
    count = [0]
    real = tokens.hs256.decode

    def counting(*args, **kwargs):
        count[0] += 1
        return real(*args, **kwargs)
    monkeypatch.setattr(tokens.hs256, "decode", counting)
    return count


def test_a_token_is_checked_once_then_served_from_the_cache(store, user, decodes):
    token = token_for(store, user)
    assert [verified_id(token, store) for _ in range(3)] == [user["id"]] * 3
    assert decodes[0] == 1


def test_a_new_password_voids_a_cached_token(store, user):
    token = token_for(store, user)
    assert verified_id(token, store) == user["id"]
    store.set_password(user["email"], "password2")
    assert verified_id(token, store) is None


def test_signing_out_everywhere_voids_a_cached_token(store, user):
    token = token_for(store, user)
    assert verified_id(token, store) == user["id"]
    store.sign_out_everywhere(user["id"])
    assert verified_id(token, store) is None


def test_a_new_collection_secret_voids_a_cached_token(store, user):
    token = token_for(store, user)
    assert verified_id(token, store) == user["id"]
    users = store.store.find_collection_by_name_or_id("users")
    users.options["authToken"] = dict(users.options.get("authToken") or {}, secret="another-secret-0123456789abcdef")
    save_collection(store.db, users)
    assert verified_id(token, store) is None


def test_a_cached_token_expires_on_time(store, user):
    token = token_for(store, user, ttl=1)
    assert verified_id(token, store) == user["id"]
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    time.sleep(max(0.0, exp - time.time()) + 0.05)
    assert verified_id(token, store) is None


def test_a_cached_token_serves_its_own_kind_only(store, user):
    token = token_for(store, user)
    assert verified_id(token, store) == user["id"]
    assert tokens.verify_token(token, store.store, "file") is None


def test_tokens_with_nbf_or_iat_are_checked_every_time(store, user, decodes):
    token = token_for(store, user, iat=int(time.time()))
    assert [verified_id(token, store) for _ in range(2)] == [user["id"]] * 2
    assert decodes[0] == 2


def test_the_cache_is_bounded(store, user, monkeypatch):
    monkeypatch.setattr(tokens, "_VERIFIED_MAX", 8)
    for n in range(20):
        assert verified_id(token_for(store, user, ttl=3600 + n), store) == user["id"]
        assert len(tokens._verified) <= 8


def test_a_refused_token_is_not_cached(store, user):
    token = token_for(store, user)
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert verified_id(forged, store) is None
    assert verified_id(token_for(store, user, ttl=-5), store) is None
    assert not tokens._verified
