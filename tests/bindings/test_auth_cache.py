"""load_auth keeps a verified cookie's user while data.db is unchanged: every change still shows at once.

PocketBase reads the user on every request, so whatever changes the user's row (a field, the tokenKey, a
deletion) or the collection must count on the very next request, whoever wrote it: this worker's own
connection (its change count) or another one (`PRAGMA data_version`).
"""
import time
import urllib.parse

import pytest

from bindings import auth, tokens
from bindings.tokens import AUTH_COOKIE
from bindings.users import UserStore
from runtime.data import hs256
from tests.bindings.test_auth_family import PASSWORD, make_ctx, sent_cookie


@pytest.fixture(autouse=True)
def low_cost(monkeypatch):
    monkeypatch.setenv(auth.ROUNDS_ENV, "4")


def signed_in(data_dir, email="cache@example.com"):
    """A registered user's cookie value (as the browser sends it) and id."""
    first = make_ctx(data_dir)
    result = auth.register_with_password(first, email, PASSWORD)
    value = sent_cookie(first).split(";")[0].split("=", 1)[1]
    return value, result["record"]["id"]


def load(data_dir, value, scheme="http"):
    ctx = make_ctx(data_dir, scheme=scheme, cookies={AUTH_COOKIE: value})
    auth.load_auth(ctx)
    return ctx


def test_a_second_request_is_answered_from_the_table_while_nothing_changed(tmp_path, monkeypatch):
    value, _ = signed_in(tmp_path)
    assert load(tmp_path, value).auth["email"] == "cache@example.com"

    def never(raw, store):
        raise AssertionError("read again although data.db did not change")

    monkeypatch.setattr(auth.tokens, "auth_from_cookie", never)
    assert load(tmp_path, value).auth["email"] == "cache@example.com"


@pytest.mark.parametrize("own", [True, False], ids=["this connection", "another connection"])
def test_a_changed_field_shows_on_the_next_request(tmp_path, own):
    value, user_id = signed_in(tmp_path)
    assert load(tmp_path, value).auth["name"] == ""
    store = UserStore(tmp_path, bcrypt_rounds=4, store=auth.backend(str(tmp_path)).store if own else None)
    store.update_fields(user_id, {"name": "Renamed"})
    store.close()
    assert load(tmp_path, value).auth["name"] == "Renamed"


@pytest.mark.parametrize("own", [True, False], ids=["this connection", "another connection"])
@pytest.mark.parametrize("change", ["rotate_token_key", "delete", "set_password"])
def test_a_voided_sign_in_is_refused_on_the_next_request(tmp_path, own, change):
    value, user_id = signed_in(tmp_path)
    assert load(tmp_path, value).auth is not None
    store = UserStore(tmp_path, bcrypt_rounds=4, store=auth.backend(str(tmp_path)).store if own else None)
    if change == "delete":
        store.delete("cache@example.com")
    elif change == "set_password":
        store.set_password(user_id, "another long password")
    else:
        store.rotate_token_key(user_id)
    store.close()
    ctx = load(tmp_path, value)
    assert ctx.auth is None
    assert ctx.response.cookies[0]["options"]["maxAge"] == 0  # cleared, as for any cookie that does not verify


def test_a_new_collection_secret_signs_everyone_out_on_the_next_request(tmp_path):
    value, _ = signed_in(tmp_path)
    assert load(tmp_path, value).auth is not None
    other = UserStore(tmp_path, bcrypt_rounds=4)
    row = other.db.execute("SELECT options FROM _collections WHERE id = ?", (other.collection.id,)).fetchone()
    options = row[0].replace('"secret":"', '"secret":"changed')
    assert options != row[0]
    other.db.execute("UPDATE _collections SET options = ? WHERE id = ?", (options, other.collection.id))
    other.db.conn.commit()
    other.close()
    assert load(tmp_path, value).auth is None


def test_an_expired_token_is_refused_although_kept(tmp_path, monkeypatch):
    value, _ = signed_in(tmp_path)
    assert load(tmp_path, value).auth is not None
    later = time.time() + 400 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    ctx = load(tmp_path, value)
    assert ctx.auth is None and ctx.response.cookies[0]["options"]["maxAge"] == 0


def test_each_request_gets_its_own_record(tmp_path, monkeypatch):
    # A Python on_request hook may change ctx.auth: the next request must not see it, nested values included.
    real = auth.public_record
    monkeypatch.setattr(auth, "public_record", lambda rec: {**real(rec), "roles": ["reader"], "meta": {"a": 1}})
    value, _ = signed_in(tmp_path)
    first = load(tmp_path, value)
    first.auth["email"] = "someone@else.example"
    first.auth["roles"].append("admin")
    first.auth["meta"]["a"] = 2
    second = load(tmp_path, value)
    assert second.auth["email"] == "cache@example.com"
    assert second.auth["roles"] == ["reader"] and second.auth["meta"] == {"a": 1}
    second.auth["roles"].append("admin")
    assert load(tmp_path, value).auth["roles"] == ["reader"]


def test_a_token_checked_on_every_use_is_not_kept(tmp_path):
    # Tokens carrying nbf or iat (never PocketBase's) are verified on each request, so never kept here either.
    _, user_id = signed_in(tmp_path)
    users = UserStore(tmp_path, bcrypt_rounds=4)
    user = users.get(user_id)
    now = int(time.time())
    claims = {"collectionId": users.collection.id, "exp": now + 600, "iat": now, "id": user_id, "type": "auth"}
    token = hs256.encode(claims, tokens.signing_key(users.collection, user["tokenKey"]))
    users.close()
    ctx = load(tmp_path, tokens.encode_auth_cookie(token, user))
    assert ctx.auth["id"] == user_id
    assert tokens.verified_until(token) is None and token not in auth.backend(str(tmp_path)).signed_in


def test_the_decoded_token_table_is_bounded_and_keeps_only_tokens(tmp_path):
    value, _ = signed_in(tmp_path)
    assert tokens.decode_auth_cookie(value) == tokens.decode_auth_cookie(urllib.parse.unquote(value))
    assert tokens._decoded[value] == tokens.decode_auth_cookie(value)
    assert tokens.decode_auth_cookie("not json") is None and "not json" not in tokens._decoded
    long = urllib.parse.quote('{"token":"%s"}' % ("x" * (tokens.MAX_COOKIE_VALUE + 1)))
    assert tokens.decode_auth_cookie(long) == "x" * (tokens.MAX_COOKIE_VALUE + 1) and long not in tokens._decoded
    for n in range(tokens._DECODED_MAX + 5):
        tokens.decode_auth_cookie('{"token":"t%d"}' % n)
    assert len(tokens._decoded) <= tokens._DECODED_MAX


def test_inside_a_transaction_the_user_is_read_afresh(tmp_path):
    # A rollback undoes a write without a trace in either counter: nothing read inside one may be kept.
    value, user_id = signed_in(tmp_path)
    assert load(tmp_path, value).auth["name"] == ""
    shared = auth.backend(str(tmp_path)).store
    users = UserStore(tmp_path, bcrypt_rounds=4, store=shared)

    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        with shared.db.transaction():
            users.update_fields(user_id, {"name": "Inside"})
            assert load(tmp_path, value).auth["name"] == "Inside"
            raise Undo
    assert load(tmp_path, value).auth["name"] == ""
