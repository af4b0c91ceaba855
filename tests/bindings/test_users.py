"""UserStore against real SQLite files: records, passwords, migrations, processes, import."""
import json
import multiprocessing
import os
import re
import sqlite3
import stat

import bcrypt
import pytest

from bindings.sqlite_db import migrate, split_statements
from bindings.store import MIGRATIONS, database
from bindings.users import INVALID_LOGIN, AuthError, UserStore, public_record
from runtime.data.process import forget, store_for

PB_STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$")


def add_user_fields(store, **types):
    """Fields on the `users` collection, as a migration would add them: the custom fields pagesvm's old
    store kept in a JSON column are the collection's own fields now."""
    from runtime.data.collections import save_collection

    collection = store.store.find_collection_by_name_or_id("users")
    collection.fields = collection.fields + [{"name": n, "type": t} for n, t in types.items()]
    save_collection(store.db, collection)
    store.collection = store.store.find_collection_by_name_or_id("users")


@pytest.fixture
def store(tmp_path):
    s = UserStore(tmp_path / "data", bcrypt_rounds=4)
    yield s
    s.close()


def pb_hash(password: str) -> str:
    """A hash as PocketBase (Go's bcrypt) writes it: $2a$ prefix."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4, prefix=b"2a")).decode()


# -- records -----------------------------------------------------------------

def test_create_gives_pocketbase_shaped_id_and_timestamps(store):
    rec = store.create("Someone@Example.com", "correct horse", verified=True)
    assert re.fullmatch(r"[a-z0-9]{15}", rec["id"])
    assert PB_STAMP.match(rec["created"]) and rec["created"] == rec["updated"]
    assert rec["email"] == "Someone@Example.com"  # as typed, as PocketBase stores it
    assert rec["verified"] is True and rec["emailVisibility"] is False
    assert rec["password"].startswith("$2") and rec["password"] != "correct horse"
    assert len(rec["tokenKey"]) >= 30


def test_email_is_unique_case_insensitively(store):
    store.create("ann@example.com", "password1")
    with pytest.raises(AuthError) as err:
        store.create("  ANN@Example.COM ", "password2")
    assert err.value.message == "A user with this email already exists."
    assert err.value.status == 400
    assert [r["email"] for r in store.list()] == ["ann@example.com"]
    assert store.get_by_email("Ann@EXAMPLE.com")["email"] == "ann@example.com"
    store.create("Bob@Example.com", "password3")  # kept as typed, found in any case
    assert store.get_by_email("bob@example.COM")["email"] == "Bob@Example.com"
    with pytest.raises(AuthError, match="already exists"):
        store.create("BOB@EXAMPLE.COM", "password4")


def test_duplicate_email_lost_in_a_race_still_gets_the_clear_message(store, monkeypatch):
    store.create("race@example.com", "password1")
    monkeypatch.setattr(store, "get_by_email", lambda email: None)  # the check saw no one yet
    with pytest.raises(AuthError, match="already exists"):
        store.create("Race@example.com", "password2")


NFC, NFD = "jos\u00e9@example.com", "jose\u0301@example.com"  # the same address to a reader


@pytest.mark.parametrize("first, second", [
    (NFC, NFD), (NFD, NFC), (NFC, "JOSE\u0301@EXAMPLE.COM"),
    ("stra\u00dfe@example.com", "STRASSE@example.com"),        # non-ASCII case folding
    ("\u00c5ngstr\u00f6m@example.com", "A\u030angstro\u0308m@example.com"),
])
def test_look_alike_emails_are_one_address(store, first, second):
    rec = store.create(first, "password1")
    with pytest.raises(AuthError, match="already exists"):
        store.create(second, "password2")
    assert [r["id"] for r in store.list()] == [rec["id"]]
    assert store.get_by_email(second)["id"] == rec["id"]
    assert store.authenticate(second, "password1")["id"] == rec["id"]  # sign-in with either form
    assert store.authenticate(first, "password1")["id"] == rec["id"]


def test_look_alike_lost_in_a_race_is_still_refused(store, monkeypatch):
    store.create(NFC, "password1")
    monkeypatch.setattr(store, "get_by_email", lambda email: None)  # the check saw no one yet
    with pytest.raises(AuthError, match="already exists"):
        store.create(NFD, "password2")
    assert len(store.list()) == 1


def test_email_is_stored_as_typed_not_as_its_comparison_form(store):
    assert store.create(NFD, "password1")["email"] == NFD
    assert store.create("stra\u00dfe@example.com", "password1")["email"] == "stra\u00dfe@example.com"


@pytest.mark.parametrize("hidden", [
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",    # zero-width, BOM, soft hyphen
    "\u200e", "\u200f", "\u202e", "\u2066", "\u061c",               # bidi marks, override, isolate
    "\U000e0041", "\u034f", "\u3164", "\ufe0f", "\u2800", "\x00",   # tag, CGJ, fillers, selector, NUL
])
def test_registration_refuses_invisible_and_bidi_characters(store, hidden):
    for email in (f"ann{hidden}@example.com", f"ann@exa{hidden}mple.com", f"ann@example.com{hidden}"):
        with pytest.raises(AuthError, match="invisible or text-direction") as err:
            store.create(email, "password1")
        assert err.value.status == 400
    assert store.list() == []


def test_the_users_table_stays_usable_by_other_sqlite_clients(store):
    """No index or trigger may need pagesvm's SQL function: PocketBase or the sqlite3 shell
    must still read and write the file."""
    store.create(NFC, "password1")
    with sqlite3.connect(store.db_path) as conn:  # a plain connection, without the function
        schema = " ".join(sql or "" for (sql,) in conn.execute("SELECT sql FROM sqlite_master"))
        assert "pagesvm_email_key" not in schema
        # PocketBase's own table (issue 14): one column per field of the users collection, nothing added
        assert sorted(c[1] for c in conn.execute("PRAGMA table_info(users)")) == sorted(
            f["name"] for f in store.collection.fields)
        conn.execute("INSERT INTO users (id, email, password, tokenKey, created, updated)"
                     " VALUES ('x', 'other@example.com', 'h', 'k', 'c', 'u')")
        assert conn.execute("SELECT email FROM users WHERE email = ?", (NFC,)).fetchone() == (NFC,)


@pytest.mark.parametrize("email, password, message", [
    ("not-an-email", "password1", "Invalid email address."),
    ("a@b", "password1", "Invalid email address."),
    ("two@@example.com", "password1", "Invalid email address."),
    ("", "password1", "Email is required."),
    ("ok@example.com", "", "Password is required."),
    ("ok@example.com", "short", "Password must be at least 8 characters."),
    ("ok@example.com", "é" * 40, "Password must be at most 72 bytes."),
])
def test_registration_refuses_with_a_clear_message(store, email, password, message):
    with pytest.raises(AuthError) as err:
        store.create(email, password)
    assert (err.value.message, err.value.status) == (message, 400)
    assert store.list() == []


def test_custom_fields_are_merged_into_the_record_and_updatable(store):
    add_user_fields(store, tags="json", age="number")
    rec = store.create("f@example.com", "password1", fields={"name": "Fay", "tags": ["a"]})
    assert rec["name"] == "Fay" and rec["tags"] == ["a"]
    rec = store.update_fields(rec["id"], {"name": "Fay B", "age": 3, "verified": True})
    assert (rec["name"], rec["age"], rec["tags"], rec["verified"]) == ("Fay B", 3, ["a"], True)
    assert store.get(rec["id"]) == rec


@pytest.mark.parametrize("field", ["password", "tokenKey", "id", "email", "collectionId"])
def test_custom_fields_cannot_overwrite_system_fields(store, field):
    rec = store.create("g@example.com", "password1")
    with pytest.raises(AuthError):
        store.update_fields(rec["id"], {field: "x"})
    with pytest.raises(AuthError):
        store.create("h@example.com", "password1", fields={field: "x"})
    assert store.get(rec["id"]) == rec


def test_public_record_has_pocketbase_fields_and_never_the_secrets(store):
    rec = store.create("p@example.com", "password1", fields={"name": "Pat"})
    pub = public_record(rec)
    assert pub == {
        "id": rec["id"], "collectionId": "_pb_users_auth_", "collectionName": "users",
        "email": "p@example.com", "emailVisibility": False, "verified": False,
        "created": rec["created"], "updated": rec["updated"], "name": "Pat",
        "avatar": "",  # the users collection's own file field (issue 14: PocketBase's collection)
    }
    assert public_record(pub) == pub
    assert rec["password"] not in json.dumps(pub) and rec["tokenKey"] not in json.dumps(pub)


def test_delete_removes_the_user_and_refuses_unknown_email(store):
    rec = store.create("d@example.com", "password1")
    store.delete("D@example.com")
    assert store.get(rec["id"]) is None
    with pytest.raises(AuthError) as err:
        store.delete("d@example.com")
    assert err.value.status == 404


# -- passwords ----------------------------------------------------------------

def test_authenticate_returns_the_user_for_the_right_password(store):
    rec = store.create("u@example.com", "password1")
    assert store.authenticate("U@Example.com", "password1")["id"] == rec["id"]


def test_unknown_email_and_wrong_password_fail_alike_and_both_run_bcrypt(store, monkeypatch):
    store.create("u@example.com", "password1")
    calls = []
    real = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda pw, h: calls.append(h) or real(pw, h))
    messages = []
    for email, password in [("u@example.com", "wrong-password"), ("nobody@example.com", "password1")]:
        with pytest.raises(AuthError) as err:
            store.authenticate(email, password)
        messages.append((err.value.message, err.value.status))
    assert messages == [(INVALID_LOGIN, 400)] * 2
    assert len(calls) == 2 and calls[1].startswith(b"$2")  # the dummy hash, at the same cost
    assert calls[0][:7] == calls[1][:7]


def test_empty_password_never_signs_in_and_still_costs_a_bcrypt_check(store, monkeypatch):
    store.create("u@example.com", "password1")
    calls = []
    real = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda pw, h: calls.append(h) or real(pw, h))
    with pytest.raises(AuthError, match=re.escape(INVALID_LOGIN)):
        store.authenticate("u@example.com", "")
    assert len(calls) == 1


def test_set_password_replaces_hash_and_rotates_token_key(store):
    rec = store.create("s@example.com", "password1")
    new = store.set_password("s@example.com", "password2")
    assert new["tokenKey"] != rec["tokenKey"] and new["password"] != rec["password"]
    assert store.authenticate("s@example.com", "password2")["id"] == rec["id"]
    with pytest.raises(AuthError):
        store.authenticate("s@example.com", "password1")
    with pytest.raises(AuthError, match="at least 8"):
        store.set_password(rec["id"], "short")


def test_rotate_token_key_changes_only_the_token_key(store):
    rec = store.create("r@example.com", "password1")
    new = store.rotate_token_key(rec["id"])
    assert new["tokenKey"] != rec["tokenKey"] and new["password"] == rec["password"]


# -- database -----------------------------------------------------------------

def test_database_file_is_wal_and_private(store):
    store.create("w@example.com", "password1")
    assert stat.S_IMODE(os.stat(store.db_path).st_mode) == 0o600
    with sqlite3.connect(store.db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# The users live in PocketBase's data.db now (its own schema, no schema_migrations); pagesvm's versioned
# migrations still serve store.db, so the machinery's tests reach it there.
def test_migrations_run_once_however_often_the_store_opens(tmp_path):
    for n in range(3):
        db = database(str(tmp_path / f"run{n}"))  # a fresh handle on the same kind of file each time
        db.close()
        db = bindings_store_db(tmp_path)
        with db.writing() as conn:
            conn.execute("INSERT INTO store (name, value) VALUES (?, '1')", (f"m{n}",))
        db.close()
    with sqlite3.connect(tmp_path / "store.db") as conn:
        versions = [v for (v,) in conn.execute("SELECT version FROM schema_migrations")]
        assert versions == [v for v, _ in MIGRATIONS]
        assert migrate(conn, MIGRATIONS) == []


def bindings_store_db(data_dir):
    from pathlib import Path

    from bindings.sqlite_db import ProcessLocalDB

    return ProcessLocalDB(Path(data_dir) / "store.db", MIGRATIONS)


def test_a_new_migration_applies_on_top_of_existing_data(tmp_path):
    db = bindings_store_db(tmp_path)
    with db.writing() as conn:
        conn.execute("INSERT INTO store (name, value) VALUES ('n', '1')")
    later = MIGRATIONS + [(99, "ALTER TABLE store ADD COLUMN extra TEXT; "
                               "CREATE INDEX store_extra ON store (extra);")]
    conn = db.connection()
    assert migrate(conn, later) == [99]
    assert migrate(conn, later) == []
    assert conn.execute("SELECT value FROM store WHERE name = 'n'").fetchone()[0] == "1"
    db.close()


def test_split_statements_keeps_trigger_bodies_whole():
    sql = """CREATE TABLE t (a);
             CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; DELETE FROM t; END;
             ;"""
    parts = split_statements(sql)
    assert len(parts) == 2 and parts[1].endswith("END;")


def test_a_forked_child_opens_its_own_connection(tmp_path):
    """The signed-in path's store is the process's (runtime.data.process.store_for)."""
    data = str(tmp_path / "data")
    store = UserStore(data, bcrypt_rounds=4, store=store_for(data))
    store.create("parent@example.com", "password1")
    parent_conn = store_for(data).db.conn
    pid = os.fork()
    if pid == 0:  # child: must not reuse the parent's connection
        child = UserStore(data, bcrypt_rounds=4, store=store_for(data))
        ok = store_for(data).db.conn is not parent_conn and child.get_by_email("parent@example.com")
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert store_for(data).db.conn is parent_conn
    forget(data)


def _create_many(data_dir, prefix, count, barrier, errors, store=None):
    store = store or UserStore(data_dir, bcrypt_rounds=4)
    barrier.wait()
    for i in range(count):
        try:
            store.create(f"{prefix}{i}@example.com", "password1")
            store.authenticate(f"{prefix}{i}@example.com", "password1")
        except Exception as exc:  # reported to the parent, which fails the test
            errors.put(f"{prefix}{i}: {exc!r}")


def _first_open(data_dir, barrier, errors):
    barrier.wait()
    try:
        UserStore(data_dir).list()
    except Exception as exc:
        errors.put(repr(exc))


def test_workers_opening_a_new_database_together_all_succeed(tmp_path):
    """The first open switches the file to WAL and migrates it, racing the others."""
    ctx = multiprocessing.get_context("fork")
    errors = ctx.Queue()
    for n in range(12):
        barrier = ctx.Barrier(4)
        procs = [ctx.Process(target=_first_open, args=(tmp_path / str(n), barrier, errors))
                 for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
    assert errors.empty()


@pytest.mark.parametrize("opened_before_fork", [False, True])
def test_processes_create_users_concurrently_without_lock_errors(tmp_path, opened_before_fork):
    ctx = multiprocessing.get_context("fork")
    shared = None
    if opened_before_fork:  # the children inherit an open connection and must reopen
        shared = UserStore(tmp_path, bcrypt_rounds=4)
        shared.list()
    barrier, errors = ctx.Barrier(3), ctx.Queue()
    procs = [ctx.Process(target=_create_many, args=(tmp_path, p, 15, barrier, errors, shared))
             for p in "abc"]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert found == [] and [p.exitcode for p in procs] == [0, 0, 0]
    check = shared or UserStore(tmp_path)
    assert len(check.list()) == 45


# -- PocketBase import ---------------------------------------------------------

PB_023_USERS = """CREATE TABLE `users` (`avatar` TEXT DEFAULT '' NOT NULL,
  `created` TEXT DEFAULT '' NOT NULL, `email` TEXT DEFAULT '' NOT NULL,
  `emailVisibility` BOOLEAN DEFAULT FALSE NOT NULL, `id` TEXT PRIMARY KEY DEFAULT
  ('r'||lower(hex(randomblob(7)))) NOT NULL, `name` TEXT DEFAULT '' NOT NULL,
  `password` TEXT DEFAULT '' NOT NULL, `tokenKey` TEXT DEFAULT '' NOT NULL,
  `updated` TEXT DEFAULT '' NOT NULL, `verified` BOOLEAN DEFAULT FALSE NOT NULL,
  `roles` JSON DEFAULT '[]' NOT NULL)"""
PB_022_USERS = """CREATE TABLE `users` (`id` TEXT PRIMARY KEY NOT NULL,
  `created` TEXT DEFAULT '' NOT NULL, `updated` TEXT DEFAULT '' NOT NULL,
  `username` TEXT NOT NULL, `email` TEXT DEFAULT '' NOT NULL,
  `emailVisibility` BOOLEAN DEFAULT FALSE NOT NULL, `verified` BOOLEAN DEFAULT FALSE NOT NULL,
  `tokenKey` TEXT NOT NULL, `passwordHash` TEXT NOT NULL,
  `lastResetSentAt` TEXT DEFAULT '' NOT NULL, `lastVerificationSentAt` TEXT DEFAULT '' NOT NULL,
  `name` TEXT DEFAULT '' NOT NULL)"""


def make_pocketbase_db(path, users_sql, rows, hash_column="password"):
    """A data.db with PocketBase's _collections table and an auth collection `users`."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE `_collections` (`id` TEXT PRIMARY KEY NOT NULL, "
                 "`system` BOOLEAN DEFAULT FALSE NOT NULL, `type` TEXT DEFAULT 'base' NOT NULL, "
                 "`name` TEXT UNIQUE NOT NULL, `fields` JSON DEFAULT '[]' NOT NULL)")
    conn.execute("INSERT INTO _collections (id, system, type, name) "
                 "VALUES ('_pb_users_auth_', 0, 'auth', 'users')")
    conn.execute(users_sql)
    for row in rows:
        row = {hash_column if k == "password" else k: v for k, v in row.items()}
        cols = ", ".join(f"`{k}`" for k in row)
        conn.execute(f"INSERT INTO users ({cols}) VALUES ({', '.join('?' * len(row))})",
                     list(row.values()))
    conn.commit()
    conn.close()
    return path


def test_import_pocketbase_v023_keeps_ids_hashes_and_custom_fields(store, tmp_path):
    add_user_fields(store, roles="json")
    db = make_pocketbase_db(tmp_path / "data.db", PB_023_USERS, [
        {"id": "abcdefghij12345", "email": "Old@Example.com", "password": pb_hash("pb-secret-1"),
         "tokenKey": "tk1", "verified": 1, "emailVisibility": 1, "name": "Olga",
         "avatar": "a.png", "roles": '["admin"]', "created": "2024-01-02 03:04:05.678Z",
         "updated": "2024-02-02 03:04:05.678Z"},
        {"id": "zyxwvutsrq98765", "email": "taken@example.com", "password": pb_hash("x" * 9),
         "tokenKey": "tk2"},
    ])
    store.create("TAKEN@example.com", "password1")
    assert store.import_pocketbase(db) == (1, 1)
    rec = store.authenticate("old@example.com", "pb-secret-1")
    assert rec["password"].startswith("$2a$")
    assert (rec["id"], rec["verified"], rec["emailVisibility"]) == ("abcdefghij12345", True, True)
    assert (rec["name"], rec["avatar"], rec["roles"]) == ("Olga", "a.png", ["admin"])
    assert (rec["created"], rec["updated"]) == ("2024-01-02 03:04:05.678Z", "2024-02-02 03:04:05.678Z")
    assert store.import_pocketbase(db) == (0, 2)


def test_import_pocketbase_before_v023_reads_password_hash_column(store, tmp_path):
    add_user_fields(store, username="text")
    db = make_pocketbase_db(tmp_path / "old.db", PB_022_USERS, [
        {"id": "aaaaaaaaaaaaaaa", "username": "ann", "email": "ann@example.com",
         "password": pb_hash("ann-password"), "tokenKey": "k"},
        {"id": "bbbbbbbbbbbbbbb", "username": "noemail", "email": "",
         "password": pb_hash("other-password"), "tokenKey": "k"},
    ], hash_column="passwordHash")
    assert store.import_pocketbase(db) == (1, 1)
    assert store.authenticate("ann@example.com", "ann-password")["username"] == "ann"


def test_import_refuses_files_that_are_not_pocketbase_data(store, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello, not a database\n" * 100)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE posts (id TEXT)").connection.commit()
    for path, message in [(text, "not a readable SQLite database"), (other, "no 'users' table"),
                          (tmp_path / "missing.db", "no such file")]:
        with pytest.raises(AuthError, match=message):
            store.import_pocketbase(path)
    assert UserStore(store.data_dir).list() == []


def test_import_pocketbase_skips_look_alikes_and_hidden_characters(store, tmp_path):
    db = make_pocketbase_db(tmp_path / "data.db", PB_023_USERS, [
        {"id": "aaaaaaaaaaaaaa1", "email": NFD, "password": pb_hash("pb-secret-1"), "tokenKey": "k1"},
        {"id": "aaaaaaaaaaaaaa2", "email": "eve\u200b@example.com", "password": pb_hash("pb-secret-2"),
         "tokenKey": "k2"},
        {"id": "aaaaaaaaaaaaaa3", "email": "new@example.com", "password": pb_hash("pb-secret-3"),
         "tokenKey": "k3"},
    ])
    mine = store.create(NFC, "password1")
    assert store.import_pocketbase(db) == (1, 2)
    assert sorted(r["email"] for r in store.list()) == sorted([NFC, "new@example.com"])
    assert store.authenticate(NFD, "password1")["id"] == mine["id"]


def test_looking_up_a_known_or_unknown_address_does_the_same_work(tmp_path):
    """No sign-in tells which addresses exist by how long it takes: a known address is not found by a
    shorter path than an unknown one (both compare the look-alike key of every row)."""
    first = UserStore(tmp_path / "data", bcrypt_rounds=4)
    for i in range(12):
        first.create(f"user{i}@example.com", "password1")
    first.close()
    store = UserStore(tmp_path / "data", bcrypt_rounds=4)  # its connection opens on first use, below
    calls = []
    key = store.functions["pagesvm_email_key"]
    store.functions["pagesvm_email_key"] = lambda value: calls.append(value) or key(value)
    try:
        work = []
        for address in ("user3@example.com", "nobody@example.com", "USER7@example.com"):
            calls.clear()
            store.get_by_email(address)
            work.append(len(calls))
        assert work[0] == work[1] == work[2] >= 12, work
        assert store.get_by_email("User3@Example.com")["email"] == "user3@example.com"
    finally:
        store.close()
