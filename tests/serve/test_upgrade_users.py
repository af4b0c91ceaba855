"""An older pagesvm's data folder (its own users table in data.db, secret.key) upgraded in place (issue 14).

Every user lands in the `users` collection with the same id, hash, flags and dates, so passwords keep
working; old cookies (signed with secret.key) read as signed out; the old file is kept, renamed; and the
upgrade runs once, however many processes open the folder.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import time

import bcrypt
import jwt
import pytest

from bindings import tokens
from bindings.cookies import encode_value
from bindings.users import UserStore
from runtime.data.legacy_users import LEGACY_SCHEMA, LEGACY_SUFFIX
from tests.bindings.auth_helpers import ENV, PROBE, SITE, assert_cleared, auth_cookie, login, whoami
from tests.helpers import start_server
from tests.serve.test_cli_users import users_cli

OLD_SECRET = "an-old-pagesvm-server-secret-0123456789"
USERS = [("ann00000000000a", "Ann@Example.com", "ann-password-1", {"name": "Ann", "theme": "dark"}, 1),
         ("bob00000000000b", "bob@example.com", "bob-password-2", {}, 0)]


def old_folder(path) -> dict:
    """A data folder as pagesvm wrote it before issue 14; {email: old cookie value}."""
    path.mkdir(parents=True)
    (path / "secret.key").write_text(OLD_SECRET + "\n")
    conn = sqlite3.connect(path / "data.db")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.executescript(LEGACY_SCHEMA)
    cookies = {}
    for n, (uid, email, password, fields, verified) in enumerate(USERS):
        token_key = f"old-token-key-{n}-" + "k" * 30
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()  # $2b$, as the old store wrote
        conn.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
                     (uid, email, hashed, token_key, verified, f"2024-01-0{n + 1} 10:00:00.000Z",
                      f"2024-02-0{n + 1} 10:00:00.000Z", json.dumps(fields)))
        old = jwt.encode({"id": uid, "collectionId": "_pb_users_auth_", "type": "auth",
                          "exp": int(time.time()) + 3600}, OLD_SECRET + token_key, algorithm="HS256")
        cookies[email] = encode_value(json.dumps({"token": old, "record": {"id": uid}}))
    conn.commit()
    conn.close()
    return cookies


def test_first_open_copies_every_user_keeps_the_old_file_and_runs_once(tmp_path):
    data = tmp_path / "pagesvm_data"
    cookies = old_folder(data)
    store = UserStore(data, bcrypt_rounds=4)
    try:
        listed = store.list()
        assert [(u["id"], u["email"], u["verified"], u["created"], u["updated"]) for u in listed] == [
            ("ann00000000000a", "Ann@Example.com", True, "2024-01-01 10:00:00.000Z", "2024-02-01 10:00:00.000Z"),
            ("bob00000000000b", "bob@example.com", False, "2024-01-02 10:00:00.000Z", "2024-02-02 10:00:00.000Z")]
        assert listed[0]["name"] == "Ann"  # a field the users collection has; `theme` stays in the old file
        for _, email, password, _, _ in USERS:
            assert store.authenticate(email.lower(), password)["email"] == email
        for value in cookies.values():  # signed with secret.key: no longer a valid token
            assert tokens.auth_from_cookie(value, store.store) is None
    finally:
        store.close()
    kept = data / ("data.db" + LEGACY_SUFFIX)
    assert kept.is_file()
    with sqlite3.connect(kept) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 2
    again = UserStore(data, bcrypt_rounds=4)  # the second open upgrades nothing
    assert len(again.list()) == 2
    again.close()
    assert (data / "secret.key").read_text().strip() == OLD_SECRET  # left alone: no longer read, not deleted
    assert not (data / ("data.db" + LEGACY_SUFFIX + "~")).exists()


def _open(data, barrier, errors):
    barrier.wait()
    try:
        UserStore(data, bcrypt_rounds=4).list()
    except Exception as exc:  # reported to the parent, which fails the test
        errors.put(repr(exc))


def test_processes_opening_an_old_folder_together_upgrade_it_once(tmp_path):
    data = tmp_path / "pagesvm_data"
    old_folder(data)
    ctx = multiprocessing.get_context("fork")
    barrier, errors = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_open, args=(data, barrier, errors)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert errors.empty() and [p.exitcode for p in procs] == [0] * 4
    store = UserStore(data, bcrypt_rounds=4)
    assert len(store.list()) == 2
    store.close()
    assert [n for n in os.listdir(data) if LEGACY_SUFFIX in n] == ["data.db" + LEGACY_SUFFIX]


def test_the_users_cli_works_on_an_old_folder(tmp_path):
    data = tmp_path / "pagesvm_data"
    old_folder(data)
    listed = users_cli("list", "--data", data)
    assert listed.returncode == 0, listed.stderr
    assert "ann00000000000a  Ann@Example.com  verified" in listed.stdout and "bob@example.com" in listed.stdout


def test_serve_on_an_old_folder_signs_old_cookies_out_and_passwords_still_work(tmp_path):
    data = tmp_path / "pagesvm_data"
    cookies = old_folder(data)
    server = start_server(SITE, "--ext", PROBE, data_dir=str(data), env=ENV)
    try:
        res, seen = whoami(server, cookies["bob@example.com"])
        assert seen.get("email") is None
        assert_cleared(res)
        res = login(server, "bob@example.com", "bob-password-2")
        assert res.status == 302
        assert whoami(server, auth_cookie(res))[1]["email"] == "bob@example.com"
    finally:
        server.stop()
    assert (data / ("data.db" + LEGACY_SUFFIX)).is_file()


@pytest.mark.parametrize("command", [["import-pocketbase"]])
def test_import_pocketbase_copies_from_another_data_db_into_ours(tmp_path, command):
    """`import-pocketbase` stays: it copies the users of another PocketBase data.db into the users collection."""
    other = UserStore(tmp_path / "other", bcrypt_rounds=4)
    other.create("far@example.com", "far-password-1")
    other.close()
    ours = tmp_path / "pagesvm_data"
    done = users_cli(*command, tmp_path / "other" / "data.db", "--data", ours)
    assert done.returncode == 0 and "imported 1 users" in done.stdout, done.stderr
    store = UserStore(ours, bcrypt_rounds=4)
    assert store.authenticate("far@example.com", "far-password-1")["email"] == "far@example.com"
    store.close()
