"""Sign-in crossing between pagesvm and the real PocketBase 0.40 on one data.db (issue 14).

One `pocketbase serve` for the module, on the same data folder pagesvm's UserStore and sign-in server
use: tokens issued by either side are accepted by the other, a user registered on either side signs
in on the other, and a new password ends the older tokens on both. Skips with one line when the
binary is missing (fails under CI=true: tests.helpers.pocketbase_binary).
"""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

import pytest

from bindings import tokens
from bindings.users import UserStore, to_dict
from tests.bindings.auth_helpers import ENV, PROBE, SITE, login, register, whoami
from tests.helpers import start_server

PASSWORD = "crossing-password-1"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from tests.data.pb_oracle import PocketBase

    data = str(tmp_path_factory.mktemp("auth_oracle") / "pb_data")
    store = UserStore(data, bcrypt_rounds=4)  # pagesvm makes the file; the binary opens it
    pb = PocketBase(data)
    server = start_server(SITE, "--ext", PROBE, data_dir=data, env=ENV)
    yield pb, store, server
    server.stop()
    pb.stop()
    store.close()


def as_user(pb, method: str, path: str, token: str, body=None) -> tuple[int, dict]:
    """A REST call with `Authorization: TOKEN` (the user's token, not the superuser's)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{pb.port}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json", "Authorization": token})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def pb_register(pb, email: str) -> dict:
    status, body = pb.call("POST", "/api/collections/users/records",
                           {"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert status == 200, body
    return body


def pb_sign_in(pb, email: str, password: str = PASSWORD) -> tuple[int, dict]:
    return as_user(pb, "POST", "/api/collections/users/auth-with-password", "",
                   {"identity": email, "password": password})


def pagesvm_token(store: UserStore, user: dict) -> str:
    return tokens.issue_token(store.collection, user["id"], user["tokenKey"], tokens.auth_duration(store.collection))


def part(token: str, index: int) -> dict:
    raw = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))


def test_tokens_have_the_binarys_header_and_claims_in_its_order(world):
    pb, store, _ = world
    pb_register(pb, "shape@example.com")
    theirs = pb_sign_in(pb, "shape@example.com")[1]["token"]
    ours = pagesvm_token(store, store.get_by_email("shape@example.com"))
    assert part(ours, 0) == part(theirs, 0) and list(part(ours, 0)) == list(part(theirs, 0))
    mine, binary = part(ours, 1), part(theirs, 1)
    assert list(mine) == list(binary) == ["collectionId", "exp", "id", "refreshable", "type"]
    assert {k: v for k, v in mine.items() if k != "exp"} == {k: v for k, v in binary.items() if k != "exp"}
    assert abs(mine["exp"] - binary["exp"]) < 30  # both from the collection's duration


def test_a_pagesvm_token_is_accepted_by_the_binarys_rest_api(world):
    pb, store, _ = world
    user = store.create("ours@example.com", PASSWORD)
    token = pagesvm_token(store, user)
    status, body = as_user(pb, "POST", "/api/collections/users/auth-refresh", token)
    assert status == 200 and body["record"]["id"] == user["id"], body
    status, body = as_user(pb, "GET", f"/api/collections/users/records/{user['id']}", token)
    assert status == 200 and body["email"] == "ours@example.com"


def test_a_binary_token_signs_in_through_the_pb_auth_cookie(world):
    pb, store, server = world
    record = pb_register(pb, "theirs@example.com")
    token = pb_sign_in(pb, "theirs@example.com")[1]["token"]
    assert tokens.verify_token(token, store.store)[1].id == record["id"]
    _, seen = whoami(server, tokens.encode_auth_cookie(token, record))
    assert seen.get("email") == "theirs@example.com" and seen.get("id") == record["id"], seen


def test_users_registered_on_either_side_sign_in_on_the_other(world):
    pb, store, server = world
    assert register(server, "page@example.com", PASSWORD).status == 302  # pagesvm's page
    status, body = pb_sign_in(pb, "page@example.com")
    assert status == 200 and body["record"]["email"] == "page@example.com", body
    pb_register(pb, "rest@example.com")
    assert login(server, "rest@example.com", PASSWORD).status == 302
    assert store.authenticate("rest@example.com", PASSWORD)["email"] == "rest@example.com"


def test_a_password_changed_in_pagesvm_ends_tokens_on_both(world):
    pb, store, _ = world
    pb_register(pb, "change1@example.com")
    theirs = pb_sign_in(pb, "change1@example.com")[1]["token"]
    ours = pagesvm_token(store, store.get_by_email("change1@example.com"))
    store.set_password("change1@example.com", "a-new-password-2")
    for token in (theirs, ours):
        assert tokens.verify_token(token, store.store) is None
        assert as_user(pb, "POST", "/api/collections/users/auth-refresh", token)[0] == 401
    assert pb_sign_in(pb, "change1@example.com")[0] == 400
    assert pb_sign_in(pb, "change1@example.com", "a-new-password-2")[0] == 200


def test_a_password_changed_on_the_binary_ends_tokens_on_both(world):
    pb, store, _ = world
    user = store.create("change2@example.com", PASSWORD)
    ours = pagesvm_token(store, user)
    theirs = pb_sign_in(pb, "change2@example.com")[1]["token"]
    status, body = pb.call("PATCH", f"/api/collections/users/records/{user['id']}",
                           {"password": "a-new-password-3", "passwordConfirm": "a-new-password-3"})
    assert status == 200, body
    for token in (theirs, ours):
        assert tokens.verify_token(token, store.store) is None
        assert as_user(pb, "POST", "/api/collections/users/auth-refresh", token)[0] == 401
    assert to_dict(store.record(user["id"]))["tokenKey"] != user["tokenKey"]
    assert store.authenticate("change2@example.com", "a-new-password-3")["id"] == user["id"]


def test_an_upgraded_users_2b_hash_signs_in_on_the_binary(world):
    """The old store wrote `$2b$` hashes (Python's bcrypt); the upgrade keeps them as they are."""
    import bcrypt

    from runtime.data.legacy_users import add_user

    pb, store, _ = world
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    assert hashed.startswith("$2b$")
    store.store.run_in_transaction(lambda tx: add_user(tx, "users", {
        "id": "upgraded0000001", "email": "upgraded@example.com", "password": hashed,
        "tokenKey": "k" * 50, "verified": True, "created": "2024-01-01 00:00:00.000Z"}))
    status, body = pb_sign_in(pb, "upgraded@example.com")
    assert status == 200 and body["record"]["id"] == "upgraded0000001", body
