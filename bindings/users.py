"""The `users` auth collection: records in SQLite, passwords in bcrypt.

The database file (`<data_dir>/data.db`) is shared by every worker process;
see bindings.sqlite_db for how that stays safe.
"""
from __future__ import annotations

import datetime
import json
import re
import secrets
import sqlite3
import string
from functools import lru_cache
from pathlib import Path

import bcrypt

from bindings.emails import email_key, hidden_character
from bindings.pb_import import PocketBaseImportError, read_pocketbase_users
from bindings.sqlite_db import ProcessLocalDB

COLLECTION_ID = "_pb_users_auth_"  # PocketBase's id for its default users collection
COLLECTION_NAME = "users"
DB_FILE = "data.db"
BCRYPT_ROUNDS = 12
MIN_PASSWORD = 8

INVALID_LOGIN = "Invalid email or password."
DUPLICATE_EMAIL = "A user with this email already exists."
HIDDEN_CHARACTER = "Email must not contain invisible or text-direction characters ({})."

# Columns of the users table; custom fields live in the JSON column `fields`.
_COLUMNS = ("id", "email", "password", "tokenKey", "verified",
            "emailVisibility", "created", "updated", "fields")
_PRIVATE = frozenset({"password", "passwordHash", "tokenKey"})
_RESERVED = frozenset(_COLUMNS) | _PRIVATE | {"collectionId", "collectionName", "expand"}
_SETTABLE_FLAGS = ("verified", "emailVisibility")
# Same account as ?: the key catches look-alikes (NFD vs NFC, non-ASCII case) and is computed for
# every row, first, so a known address costs what an unknown one does; it lives in the query, so the
# table keeps PocketBase's shape. The NOCASE term is the comparison PocketBase itself makes.
_SAME_EMAIL = "pagesvm_email_key(email) = :key OR email = :email COLLATE NOCASE"
_INSERT = (f"INSERT INTO users ({', '.join(_COLUMNS)})"
           f" VALUES ({', '.join('?' * len(_COLUMNS))})")

# Append only: a version, once released, never changes.
MIGRATIONS: list[tuple[int, str]] = [
    (1, """
        CREATE TABLE users (
            id              TEXT PRIMARY KEY NOT NULL,
            email           TEXT NOT NULL,
            password        TEXT NOT NULL,
            tokenKey        TEXT NOT NULL,
            verified        INTEGER NOT NULL DEFAULT 0,
            emailVisibility INTEGER NOT NULL DEFAULT 0,
            created         TEXT NOT NULL,
            updated         TEXT NOT NULL,
            fields          TEXT NOT NULL DEFAULT '{}'
        );
        CREATE UNIQUE INDEX users_email ON users (email COLLATE NOCASE);
    """),
]

_ID_ALPHABET = string.ascii_lowercase + string.digits
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


class AuthError(Exception):
    """A refusal the page (or CLI) can show as is; `status` is the HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def random_id(length: int = 15) -> str:
    """A record id in PocketBase's shape: lowercase letters and digits."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def now_stamp() -> str:
    """The current UTC time in PocketBase's format, 'YYYY-MM-DD HH:MM:SS.mmmZ'."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%d %H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def normalize_email(email: str) -> str:
    """The address as typed, without surrounding spaces: stored so, as PocketBase stores it.
    Comparisons go through ``email_key`` (case and Unicode forms folded), never through this."""
    return (email or "").strip()


def public_record(rec: dict) -> dict:
    """What may leave the server (cookie, pages): never the hash or tokenKey."""
    out = {
        "id": rec["id"],
        "collectionId": COLLECTION_ID,
        "collectionName": COLLECTION_NAME,
        "email": rec["email"],
        "emailVisibility": bool(rec.get("emailVisibility", False)),
        "verified": bool(rec.get("verified", False)),
        "created": rec["created"],
        "updated": rec["updated"],
    }
    for key, value in rec.items():
        if key not in _RESERVED:
            out[key] = value
    return out


def check_password(password: str, hashed: str) -> bool:
    """bcrypt comparison that treats any malformed input as a mismatch."""
    try:
        return bcrypt.checkpw(password.encode("utf-8"), hashed.encode("utf-8"))
    except (ValueError, TypeError):
        return False


@lru_cache(maxsize=None)
def dummy_hash(rounds: int) -> str:
    """A hash to check against for unknown emails, so they cost as much as known ones."""
    return bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(rounds)).decode()


class UserStore:
    """The users collection of one data directory."""

    def __init__(self, data_dir, bcrypt_rounds: int = BCRYPT_ROUNDS):
        self.data_dir = Path(data_dir)
        self.db_path = self.data_dir / DB_FILE
        self.bcrypt_rounds = bcrypt_rounds
        self.db = ProcessLocalDB(self.db_path, MIGRATIONS, {"pagesvm_email_key": email_key})

    def close(self) -> None:
        self.db.close()

    def _one(self, sql: str, args=()) -> dict | None:
        with self.db.reading() as conn:
            row = conn.execute(sql, args).fetchone()
        return _row_to_record(row) if row else None

    def _write(self, sql: str, args=()) -> int:
        with self.db.writing() as conn:
            return conn.execute(sql, args).rowcount

    # -- reads ----------------------------------------------------------------
    def get(self, id: str) -> dict | None:
        return self._one("SELECT * FROM users WHERE id = ?", (id,))

    def get_by_email(self, email: str) -> dict | None:
        """The user with this address or one a reader cannot tell from it (see bindings.emails).

        One query for every address, known or not: its look-alike half reads every row, so a
        sign-in costs the same whether the address exists (an exact match first would answer
        known addresses sooner, and tell which ones are). The address as typed wins over a look-alike.
        """
        email = normalize_email(email)
        return self._one(f"SELECT * FROM users WHERE {_SAME_EMAIL} "
                         "ORDER BY (email = :email COLLATE NOCASE) DESC, created LIMIT 1",
                         {"email": email, "key": email_key(email)})

    def list(self) -> list[dict]:
        with self.db.reading() as conn:
            rows = conn.execute("SELECT * FROM users ORDER BY created, email").fetchall()
        return [_row_to_record(r) for r in rows]

    def require(self, email_or_id: str) -> dict:
        """The record for an id or an email, or AuthError 404 naming what was asked for."""
        rec = self.get(email_or_id) or self.get_by_email(email_or_id)
        if rec is None:
            raise AuthError(f"No user with email or id {email_or_id!r}.", status=404)
        return rec

    # -- passwords ----------------------------------------------------------
    def hash_password(self, password: str) -> str:
        return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(self.bcrypt_rounds)).decode()

    def authenticate(self, email: str, password: str) -> dict:
        """The user for this email and password; one message for every failure."""
        rec = self.get_by_email(email) if email else None
        hashed = rec["password"] if rec else dummy_hash(self.bcrypt_rounds)
        matches = check_password(password or "", hashed)  # always paid, even for no user
        if rec is None or not password or not matches:
            raise AuthError(INVALID_LOGIN)
        return rec

    # -- writes ---------------------------------------------------------------
    def create(self, email: str, password: str, verified: bool = False,
               fields: dict | None = None) -> dict:
        email = validate_email(email)
        validate_password(password)
        custom = _check_custom(fields or {})
        if self.get_by_email(email):
            raise AuthError(DUPLICATE_EMAIL)
        hashed = self.hash_password(password)  # slow: before the write lock is taken
        stamp = now_stamp()
        rec_id = random_id()
        try:
            with self.db.writing() as conn:  # checked again under the lock: another process may have won
                if conn.execute(f"SELECT 1 FROM users WHERE {_SAME_EMAIL}",
                                {"email": email, "key": email_key(email)}).fetchone():
                    raise AuthError(DUPLICATE_EMAIL)
                conn.execute(_INSERT, (rec_id, email, hashed, random_token_key(), int(bool(verified)),
                                       0, stamp, stamp, json.dumps(custom)))
        except sqlite3.IntegrityError as exc:  # the NOCASE index, should the check above miss
            if "email" in str(exc):
                raise AuthError(DUPLICATE_EMAIL) from None
            raise
        return self.get(rec_id)

    def set_password(self, email_or_id: str, password: str) -> dict:
        """New hash and a new tokenKey, so every token issued before stops working."""
        validate_password(password)
        rec = self.require(email_or_id)
        self._write("UPDATE users SET password = ?, tokenKey = ?, updated = ? WHERE id = ?",
                    (self.hash_password(password), random_token_key(), now_stamp(), rec["id"]))
        return self.get(rec["id"])

    def rotate_token_key(self, id: str) -> dict:
        """Sign out everywhere: tokens signed with the old key no longer verify."""
        rec = self.require(id)
        self._write("UPDATE users SET tokenKey = ?, updated = ? WHERE id = ?",
                    (random_token_key(), now_stamp(), rec["id"]))
        return self.get(rec["id"])

    sign_out_everywhere = rotate_token_key

    def update_fields(self, id: str, values: dict) -> dict:
        """Merge custom fields (and the `verified`/`emailVisibility` flags) into a record."""
        values = dict(values)
        flags = {k: int(bool(values.pop(k))) for k in _SETTABLE_FLAGS if k in values}
        custom = _check_custom(values)
        with self.db.writing() as conn:
            row = conn.execute("SELECT fields FROM users WHERE id = ?", (id,)).fetchone()
            if row is None:
                raise AuthError(f"No user with id {id!r}.", status=404)
            merged = {**json.loads(row["fields"]), **custom}
            sets = "".join(f", {k} = :{k}" for k in flags)
            conn.execute(f"UPDATE users SET fields = :fields, updated = :updated{sets}"
                         " WHERE id = :id",
                         {"fields": json.dumps(merged), "updated": now_stamp(), "id": id, **flags})
        return self.get(id)

    def delete(self, email: str) -> None:
        rec = self.require(email)
        self._write("DELETE FROM users WHERE id = ?", (rec["id"],))

    def import_pocketbase(self, path) -> tuple[int, int]:
        """Copy the users of a PocketBase data.db; returns (imported, skipped)."""
        try:
            users = read_pocketbase_users(path)
        except PocketBaseImportError as exc:
            raise AuthError(str(exc)) from None
        imported = skipped = 0
        with self.db.writing() as conn:
            for user in users:
                email = normalize_email(user["email"])
                taken = conn.execute(f"SELECT 1 FROM users WHERE {_SAME_EMAIL} OR id = :id",
                                     {"email": email, "key": email_key(email), "id": user["id"]}).fetchone()
                if not email or hidden_character(email) or not user["password"] or taken:
                    skipped += 1
                    continue
                conn.execute(_INSERT, (
                    user["id"] or random_id(), email, user["password"],
                    user["tokenKey"] or random_token_key(), int(user["verified"]),
                    int(user["emailVisibility"]), user["created"] or now_stamp(),
                    user["updated"] or now_stamp(), json.dumps(_without_reserved(user["fields"]))))
                imported += 1
        return imported, skipped


def validate_email(email: str) -> str:
    email = normalize_email(email)
    if not email:
        raise AuthError("Email is required.")
    if len(email) > 254 or not _EMAIL_RE.match(email):
        raise AuthError("Invalid email address.")
    hidden = hidden_character(email)
    if hidden:
        raise AuthError(HIDDEN_CHARACTER.format(hidden))
    return email


def validate_password(password: str) -> None:
    if not password:
        raise AuthError("Password is required.")
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"Password must be at least {MIN_PASSWORD} characters.")
    if len(password.encode("utf-8")) > 72:  # bcrypt's limit; it would refuse or truncate
        raise AuthError("Password must be at most 72 bytes.")


def random_token_key() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(50))


def _check_custom(fields: dict) -> dict:
    bad = sorted(k for k in fields if k in _RESERVED)
    if bad:
        raise AuthError(f"Field {bad[0]!r} cannot be set this way.")
    return dict(fields)


def _without_reserved(fields: dict) -> dict:
    return {k: v for k, v in fields.items() if k not in _RESERVED}


def _row_to_record(row: sqlite3.Row) -> dict:
    """A flat record: columns plus custom fields (which can never shadow a column)."""
    rec = {k: row[k] for k in _COLUMNS if k != "fields"}
    rec["verified"] = bool(rec["verified"])
    rec["emailVisibility"] = bool(rec["emailVisibility"])
    rec.update(_without_reserved(json.loads(row["fields"])))
    return rec
