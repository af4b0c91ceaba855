"""Sign-in on any auth collection of data.db, with its own options (issue 14), in process."""
from __future__ import annotations

import time

import jwt
import pytest

from bindings import auth, tokens
from bindings.registry import BindingError
from bindings.users import INVALID_LOGIN, AuthError, UserStore
from runtime.data.collections import Collection, save_collection
from runtime.data.process import forget, store_for
from tests.bindings.test_auth_family import make_ctx, sent_cookie

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def low_cost(monkeypatch, tmp_path):
    monkeypatch.setenv(auth.ROUNDS_ENV, "4")
    yield
    forget(str(tmp_path))


def members(tmp_path, **options) -> UserStore:
    """An auth collection `members` signing in by username or email, with one member."""
    db = store_for(str(tmp_path)).db
    save_collection(db, Collection.from_api({
        "name": "members", "type": "auth", "fields": [{"name": "username", "type": "text"}],
        "passwordAuth": {"enabled": True, "identityFields": ["username", "email"]}, **options}))
    found = UserStore(tmp_path, bcrypt_rounds=4, store=store_for(str(tmp_path)), collection="members")
    found.create("mia@example.com", PASSWORD, fields={"username": "mia"})
    return found


def users_collection(tmp_path, change) -> None:
    store = store_for(str(tmp_path))
    users = store.find_collection_by_name_or_id("users")
    change(users)
    save_collection(store.db, users)


def test_sign_in_to_another_auth_collection_by_any_identity_field(tmp_path):
    found = members(tmp_path)
    for identity in ("mia", "mia@example.com"):
        ctx = make_ctx(tmp_path)
        result = auth.sign_in_with_password(ctx, identity, PASSWORD, {"collection": "members"})
        assert result["record"]["collectionName"] == "members" and result["record"]["username"] == "mia"
        claims = jwt.decode(result["token"], options={"verify_signature": False})
        assert claims["collectionId"] == found.collection.id
        later = make_ctx(tmp_path, cookies={"pb_auth": sent_cookie(ctx).split(";")[0].split("=", 1)[1]})
        auth.load_auth(later)
        assert later.auth["username"] == "mia" and later.auth["collectionName"] == "members"
    with pytest.raises(BindingError, match=INVALID_LOGIN):  # not a users account
        auth.sign_in_with_password(make_ctx(tmp_path), "mia@example.com", PASSWORD)


def test_a_base_collection_is_not_an_auth_collection(tmp_path):
    save_collection(store_for(str(tmp_path)).db, Collection.from_api({"name": "posts", "type": "base"}))
    with pytest.raises(BindingError, match="Unknown auth collection 'posts'") as err:
        auth.sign_in_with_password(make_ctx(tmp_path), "x@example.com", PASSWORD, {"collection": "posts"})
    assert err.value.status == 400


def test_password_sign_in_disabled_on_the_collection_fails_with_the_one_message(tmp_path):
    members(tmp_path, passwordAuth={"enabled": False, "identityFields": ["email"]})
    with pytest.raises(BindingError, match=INVALID_LOGIN):
        auth.sign_in_with_password(make_ctx(tmp_path), "mia@example.com", PASSWORD, {"collection": "members"})


def test_a_token_names_its_collection_and_cannot_cross_into_another(tmp_path):
    """A users record's id and key, claimed for `members` (signed with members' secret): refused."""
    found = members(tmp_path)
    user = UserStore(tmp_path, bcrypt_rounds=4, store=store_for(str(tmp_path))).create("u@example.com", PASSWORD)
    crossed = tokens.issue_token(found.collection, user["id"], user["tokenKey"], 600)
    assert tokens.verify_token(crossed, store_for(str(tmp_path))) is None


def test_the_collection_decides_the_lifetime_and_auth_ttl_caps_it(tmp_path):
    users_collection(tmp_path, lambda c: c.options["authToken"].update(duration=3600))
    short = make_ctx(tmp_path, options={"auth_ttl": 7 * 86400})
    result = auth.register_with_password(short, "a@example.com", PASSWORD)
    assert "Max-Age=3600" in sent_cookie(short)
    assert abs(jwt.decode(result["token"], options={"verify_signature": False})["exp"] - time.time() - 3600) < 30
    users_collection(tmp_path, lambda c: c.options["authToken"].update(duration=30 * 86400))
    capped = make_ctx(tmp_path, options={"auth_ttl": 7 * 86400})
    auth.sign_in_with_password(capped, "a@example.com", PASSWORD)
    assert f"Max-Age={7 * 86400}" in sent_cookie(capped)


def test_a_new_collection_secret_signs_everyone_out(tmp_path):
    ctx = make_ctx(tmp_path)
    token = auth.register_with_password(ctx, "s@example.com", PASSWORD)["token"]
    assert tokens.verify_token(token, store_for(str(tmp_path))) is not None
    users_collection(tmp_path, lambda c: c.options["authToken"].update(secret="x" * 50))
    assert tokens.verify_token(token, store_for(str(tmp_path))) is None


def test_a_rule_the_collection_adds_is_refused_with_the_binarys_message(tmp_path):
    users_collection(tmp_path, lambda c: c.fields.append({"name": "nickname", "type": "text", "required": True}))
    with pytest.raises(BindingError) as err:
        auth.register_with_password(make_ctx(tmp_path), "n@example.com", PASSWORD)
    assert (err.value.message, err.value.status) == ("nickname: Cannot be blank.", 400)
    users_collection(tmp_path, lambda c: [f.update(min=12) for f in c.fields if f["name"] == "password"])
    with pytest.raises(AuthError, match=r"^password: Must be at least 12 character\(s\)\.$"):
        UserStore(tmp_path, bcrypt_rounds=4, store=store_for(str(tmp_path))).create(
            "p@example.com", "elevenchars", fields={"nickname": "pat"})
