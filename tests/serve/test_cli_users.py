"""`pagesvm users …` run as a real subprocess against real data directories."""
import argparse
import sqlite3
import subprocess
import sys
from pathlib import Path

import bcrypt
import pytest

from bindings.users import UserStore
from runtime.serve import cli_users

ROOT = Path(__file__).resolve().parents[2]


def users_cli(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "runtime.serve.cli_users", "users", *map(str, args)],
                          input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=60)


def assert_one_line_error(result, text):
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and text in result.stderr


@pytest.fixture
def data(tmp_path):
    return tmp_path / "pagesvm_data"


def test_create_then_list_shows_the_user(data):
    made = users_cli("create", "Ann@Example.com", "--password-stdin", "--verified", "--data", data,
                     stdin="password1\n")
    assert made.returncode == 0, made.stderr
    listed = users_cli("list", "--data", data)
    assert listed.returncode == 0
    (line,) = listed.stdout.splitlines()
    assert "Ann@Example.com" in line and " verified " in f" {line} "
    assert UserStore(data).authenticate("ann@example.com", "password1")["verified"] is True


def test_data_defaults_to_pagesvm_data_in_the_working_directory(tmp_path):
    args = argparse.ArgumentParser()
    cli_users.register(args.add_subparsers(dest="command"))
    parsed = args.parse_args(["users", "list"])
    assert parsed.data == "./pagesvm_data" and parsed.func is cli_users.run


def test_create_refuses_duplicate_email_in_any_case(data):
    users_cli("create", "dup@example.com", "--password-stdin", "--data", data, stdin="password1\n")
    again = users_cli("create", "DUP@example.com", "--password-stdin", "--data", data,
                      stdin="password2\n")
    assert_one_line_error(again, "already exists")


def test_create_refuses_short_password_and_bad_email(data):
    assert_one_line_error(users_cli("create", "x@example.com", "--password-stdin", "--data", data,
                                    stdin="short\n"), "at least 8 characters")
    assert_one_line_error(users_cli("create", "nope", "--password-stdin", "--data", data,
                                    stdin="password1\n"), "Invalid email")


@pytest.mark.parametrize("command", [["list"], ["delete", "a@example.com"],
                                     ["set-password", "a@example.com", "--password-stdin"]])
def test_commands_that_read_refuse_a_missing_database_and_create_nothing(data, command):
    assert_one_line_error(users_cli(*command, "--data", data, stdin="password1\n"),
                          "no user database")
    assert not data.exists()


def test_unknown_email_is_refused_by_delete_and_set_password(data):
    users_cli("create", "a@example.com", "--password-stdin", "--data", data, stdin="password1\n")
    assert_one_line_error(users_cli("delete", "b@example.com", "--data", data), "No user")
    assert_one_line_error(users_cli("set-password", "b@example.com", "--password-stdin",
                                    "--data", data, stdin="password2\n"), "No user")


def test_set_password_then_delete(data):
    users_cli("create", "a@example.com", "--password-stdin", "--data", data, stdin="password1\n")
    changed = users_cli("set-password", "A@example.com", "--password-stdin", "--data", data,
                        stdin="password2\n")
    assert changed.returncode == 0, changed.stderr
    assert UserStore(data).authenticate("a@example.com", "password2")
    deleted = users_cli("delete", "a@example.com", "--data", data)
    assert deleted.returncode == 0
    assert users_cli("list", "--data", data).stdout == ""


def test_create_without_stdin_asks_twice_and_refuses_a_mismatch(data, monkeypatch, capsys):
    answers = iter(["password1", "password2", "password1", "password1"])
    monkeypatch.setattr(cli_users.getpass, "getpass", lambda prompt: next(answers))
    assert cli_users.main(["users", "create", "a@example.com", "--data", str(data)]) == 2
    assert "passwords do not match" in capsys.readouterr().err
    assert cli_users.main(["users", "create", "a@example.com", "--data", str(data)]) == 0
    assert UserStore(data).authenticate("a@example.com", "password1")


def make_pocketbase_db(path):
    """PocketBase v0.23's users table, with $2a$ hashes as Go's bcrypt writes them."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE _collections (id TEXT PRIMARY KEY, type TEXT, name TEXT UNIQUE)")
    conn.execute("INSERT INTO _collections VALUES ('_pb_users_auth_', 'auth', 'users')")
    conn.execute("CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT, password TEXT, "
                 "tokenKey TEXT, verified BOOLEAN, emailVisibility BOOLEAN, name TEXT, "
                 "avatar TEXT, created TEXT, updated TEXT)")
    for uid, email, pw in [("pbuser000000001", "one@example.com", "first-pass"),
                           ("pbuser000000002", "two@example.com", "second-pass")]:
        digest = bcrypt.hashpw(pw.encode(), bcrypt.gensalt(4, prefix=b"2a")).decode()
        conn.execute("INSERT INTO users VALUES (?, ?, ?, 'k', 1, 0, 'N', '', "
                     "'2024-01-01 00:00:00.000Z', '2024-01-01 00:00:00.000Z')", (uid, email, digest))
    conn.commit()
    conn.close()
    return path


def test_import_pocketbase_reports_counts_and_users_can_sign_in(data, tmp_path):
    pb = make_pocketbase_db(tmp_path / "data.db")
    users_cli("create", "TWO@example.com", "--password-stdin", "--data", data, stdin="password1\n")
    first = users_cli("import-pocketbase", pb, "--data", data)
    assert first.returncode == 0, first.stderr
    assert "imported 1 users, skipped 1" in first.stdout
    rec = UserStore(data).authenticate("one@example.com", "first-pass")
    assert (rec["id"], rec["name"]) == ("pbuser000000001", "N")
    again = users_cli("import-pocketbase", pb, "--data", data)
    assert "imported 0 users, skipped 2" in again.stdout


def test_import_refuses_a_file_that_is_not_sqlite_or_has_no_users(data, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"definitely not sqlite " * 200)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("CREATE TABLE posts (id TEXT)").connection.commit()
    assert_one_line_error(users_cli("import-pocketbase", junk, "--data", data), "not a readable SQLite")
    assert_one_line_error(users_cli("import-pocketbase", empty, "--data", data), "no 'users' table")
    assert_one_line_error(users_cli("import-pocketbase", tmp_path / "nope.db", "--data", data),
                          "no such file")


# -- through `pagesvm users` (the main command line) and a real PocketBase file ------------
REAL_PB = ROOT / "tests" / "fixtures" / "pocketbase" / "data.db"


def pagesvm(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "runtime.serve.cli", *map(str, args)],
                          input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_users_commands_are_part_of_the_pagesvm_command(data):
    made = pagesvm("users", "create", "cli@example.com", "--password-stdin", "--verified", "--data", data,
                   stdin="password1\n")
    assert made.returncode == 0, made.stderr
    listed = pagesvm("users", "list", "--data", data)
    assert "cli@example.com  verified" in listed.stdout
    assert "password1" not in made.stdout + made.stderr + listed.stdout + listed.stderr


def test_import_of_a_data_db_written_by_pocketbase_signs_users_in_on_the_server(data, tmp_path):
    from tests.bindings.auth_helpers import INVALID_LOGIN, auth_cookie, login, set_cookies, start, whoami

    pb = sqlite3.connect(f"file:{REAL_PB}?mode=ro", uri=True)
    pb_users = {email: (id_, hashed) for id_, email, hashed in pb.execute("SELECT id, email, password FROM users")}
    pb.close()
    result = pagesvm("users", "import-pocketbase", REAL_PB, "--data", data)
    assert result.returncode == 0, result.stderr
    assert "imported 2 users, skipped 0" in result.stdout
    server = start(data)
    try:
        alice = whoami(server, auth_cookie(login(server, "alice@example.com", "alice-password-1")))[1]
        bob = whoami(server, auth_cookie(login(server, "bob@example.com", "bob-password-22")))[1]
        wrong = login(server, "alice@example.com", "bob-password-22")
    finally:
        server.stop()
    assert alice["id"] == pb_users["alice@example.com"][0] and alice["verified"] is True
    assert alice["json"]["name"] == "Alice" and "avatar" in alice["json"]
    assert bob["email"] == "Bob@Example.com" and bob["id"] == pb_users["Bob@Example.com"][0] and bob["verified"] is False
    assert INVALID_LOGIN in wrong.text and "pb_auth" not in set_cookies(wrong)
    store = UserStore(data)
    assert store.get_by_email("alice@example.com")["password"] == pb_users["alice@example.com"][1]  # hash kept as is
    store.close()
