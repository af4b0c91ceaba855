"""Users of an auth collection (`users` by default) in PocketBase's data.db: sign-in, registration, the CLI.

Records live where the real binary keeps them (runtime.data's DataStore on `DATA/data.db`), with bcrypt
hashes (`$2a$`) and a per-record tokenKey, so the same people sign in on pagesvm and on PocketBase. What
pagesvm adds stays in the queries, never in the file: one message for every failed sign-in, a bcrypt check
paid even for an unknown address, and look-alike addresses (bindings.emails) treated as one account.
Records cross this module as flat dicts: the system fields (with `password`, the hash, and `tokenKey`)
and every other field of the collection.
"""
from __future__ import annotations

import contextlib
import os
import re
import secrets
from functools import lru_cache

import bcrypt

from bindings.emails import email_key, hidden_character
from bindings.pb_import import PocketBaseImportError, read_pocketbase_users
from runtime.data.db import Database, new_record_id
from runtime.data.ddl import quote
from runtime.data.fields import PasswordValue
from runtime.data.legacy_users import add_user
from runtime.data.records import hash_password
from runtime.data.store import DataStore
from runtime.data.validation import ValidationError

COLLECTION_ID = "_pb_users_auth_"  # PocketBase's id for its default users collection
COLLECTION_NAME = "users"
DB_FILE = "data.db"
BCRYPT_ROUNDS = 12  # above the binary's 10; any cost verifies on both
MIN_PASSWORD = 8

INVALID_LOGIN = "Invalid email or password."
DUPLICATE_EMAIL = "A user with this email already exists."
HIDDEN_CHARACTER = "Email must not contain invisible or text-direction characters ({})."
_SYSTEM = ("id", "email", "password", "tokenKey", "verified", "emailVisibility", "created", "updated")
_PRIVATE = frozenset({"password", "passwordHash", "tokenKey"})
_RESERVED = frozenset(_SYSTEM) | _PRIVATE | {"collectionId", "collectionName", "expand", "fields"}
_SETTABLE_FLAGS = ("verified", "emailVisibility")
KEY_FUNCTION = "pagesvm_email_key"
# Same account as :email: the key catches look-alikes (NFD vs NFC, non-ASCII case) and is computed for every
# row, first, so a known address costs what an unknown one does; it lives in the query, so the table keeps
# PocketBase's shape. The NOCASE term is the comparison PocketBase itself makes.
_SAME_EMAIL = f"{KEY_FUNCTION}(email) = :key OR email = :email COLLATE NOCASE"

random_id = new_record_id
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


class AuthError(Exception):
    """A refusal the page (or CLI) can show as is; `status` is the HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def normalize_email(email: str) -> str:
    """The address as typed, without surrounding spaces: stored so, as PocketBase stores it.
    Comparisons go through ``email_key`` (case and Unicode forms folded), never through this."""
    return (email or "").strip()


def public_record(rec: dict) -> dict:
    """What may leave the server (cookie, pages): the record as its owner sees it, never hash or tokenKey."""
    out = {"id": rec["id"], "collectionId": rec.get("collectionId", COLLECTION_ID),
           "collectionName": rec.get("collectionName", COLLECTION_NAME), "email": rec["email"],
           "emailVisibility": bool(rec.get("emailVisibility", False)),
           "verified": bool(rec.get("verified", False)), "created": rec["created"], "updated": rec["updated"]}
    out.update((k, v) for k, v in rec.items() if k not in _RESERVED)
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
    return hash_password(secrets.token_hex(16), rounds)


def to_dict(record) -> dict:
    """A runtime.data Record as this module's flat dict (hash and tokenKey included: server side only)."""
    out = {name: record.get(name) for name in ("id", "email", "tokenKey", "verified", "emailVisibility")}
    out["password"] = record.values["password"].hash
    out["created"], out["updated"] = record.get_string("created"), record.get_string("updated")
    out["collectionId"], out["collectionName"] = record.collection["id"], record.collection["name"]
    exported = record.public_export()
    out.update((k, v) for k, v in exported.items() if k not in _RESERVED)
    return out


class UserStore:
    """The users of one auth collection in `data_dir/data.db`; `store` shares a process's DataStore."""

    def __init__(self, data_dir, bcrypt_rounds: int = BCRYPT_ROUNDS, store: DataStore | None = None,
                 collection: str = COLLECTION_NAME):
        self.data_dir = os.fspath(data_dir)
        self.db_path = os.path.join(self.data_dir, DB_FILE)
        self.bcrypt_rounds = bcrypt_rounds
        self._own = store is None
        self.store = store or DataStore(Database.open(self.data_dir))
        self.db = self.store.db
        self.functions = {KEY_FUNCTION: email_key}  # looked up per call, so a test can count the calls
        self.db.conn.create_function(KEY_FUNCTION, 1, lambda v: self.functions[KEY_FUNCTION](v), deterministic=True)
        found = self.store.find_collection_by_name_or_id(collection) if collection else None
        if found is None or found.type != "auth":
            raise AuthError(f"Unknown auth collection {collection!r}.", 400)
        self.collection = found
        self._table = quote(found.name)
        # Oldest first: by `created` where the collection has it (a new auth collection may not), else rowid.
        self._age = "created" if found.field("created") else "rowid"
        if self._own:
            with contextlib.suppress(OSError):  # a file someone else owns stays as it is
                os.chmod(self.db_path, 0o600)

    def close(self) -> None:
        if self._own:
            self.db.close()

    def _records(self, where: str, args=(), tail: str = "") -> list:
        from runtime.data.records import Record

        shape = self.collection.to_api(with_secrets=True)
        return Record.from_table(shape, *self.db.table(f"SELECT * FROM {self._table} WHERE {where} {tail}", args))

    def _one(self, where: str, args=(), tail: str = "") -> dict | None:
        found = self._records(where, args, tail + " LIMIT 1")
        return to_dict(found[0]) if found else None

    # -- reads ----------------------------------------------------------------
    def get(self, id: str) -> dict | None:
        return self._one("id = ?", (id,))

    def get_by_email(self, email: str) -> dict | None:
        """The user with this address or one a reader cannot tell from it (see bindings.emails).

        One query for every address, known or not: its look-alike half reads every row, so a
        sign-in costs the same whether the address exists. The address as typed wins over a look-alike.
        """
        email = normalize_email(email)
        return self._one(_SAME_EMAIL, {"email": email, "key": email_key(email)},
                         f"ORDER BY (email = :email COLLATE NOCASE) DESC, {self._age}")

    def get_by_identity(self, identity: str) -> dict | None:
        """The user whose identity field (the collection's passwordAuth.identityFields) holds `identity`.
        Every field is looked up, found or not, so the work does not tell which one matched."""
        fields = (self.collection.options.get("passwordAuth") or {}).get("identityFields") or ["email"]
        names = {f["name"] for f in self.collection.fields}
        found = [self.get_by_email(identity) if name == "email" else self._one(f"{quote(name)} = ?", (identity,))
                 for name in fields if name in names]
        return next((rec for rec in found if rec), None)

    def list(self) -> list[dict]:
        return [to_dict(r) for r in self._records("1", (), f"ORDER BY {self._age}, email")]

    def require(self, email_or_id: str) -> dict:
        """The record for an id or an email, or AuthError 404 naming what was asked for."""
        rec = self.get(email_or_id) or self.get_by_email(email_or_id)
        if rec is None:
            raise AuthError(f"No user with email or id {email_or_id!r}.", status=404)
        return rec

    def record(self, id: str):
        return self.store.find_record_by_id(self.collection.id, id)

    # -- passwords ----------------------------------------------------------
    def hash_password(self, password: str) -> str:
        return hash_password(password, self.bcrypt_rounds)

    def authenticate(self, identity: str, password: str) -> dict:
        """The user for this identity and password; one message for every failure."""
        enabled = (self.collection.options.get("passwordAuth") or {}).get("enabled", True)
        rec = self.get_by_identity(identity) if identity else None
        hashed = rec["password"] if rec else ""
        matches = check_password(password or "", hashed or dummy_hash(self.bcrypt_rounds))  # always paid
        if rec is None or not password or not hashed or not matches or not enabled:
            raise AuthError(INVALID_LOGIN)
        return rec

    # -- writes ---------------------------------------------------------------
    def _save(self, record) -> None:
        try:
            self.store.save(record)
        except ValidationError as exc:  # a rule of the collection itself (a custom required field…)
            if "email" in exc.errors and exc.errors["email"]["code"] == "validation_not_unique":
                raise AuthError(DUPLICATE_EMAIL) from None
            raise AuthError("; ".join(f"{k}: {v['message']}" for k, v in exc.data().items())) from None

    def create(self, email: str, password: str, verified: bool = False, fields: dict | None = None) -> dict:
        email = validate_email(email)
        validate_password(password)
        custom = self._check_custom(fields or {})
        if self.get_by_email(email):
            raise AuthError(DUPLICATE_EMAIL)
        record = self.store.new_record(self.collection.id, custom)
        record.set("email", email)
        record.set("verified", bool(verified))
        # Hashed now (slow: before the write lock); the plain text stays for the collection's own checks.
        record.values["password"] = PasswordValue(self.hash_password(password), password)

        def write(tx):  # checked again under the write lock: another process may have won
            if self._one(_SAME_EMAIL, {"email": email, "key": email_key(email)}):
                raise AuthError(DUPLICATE_EMAIL)
            self._save(record)
        self.store.run_in_transaction(write)
        return self.get(record.id)

    def _update(self, id: str, change) -> dict:
        record = self.record(self.require(id)["id"])
        change(record)
        self._save(record)
        return self.get(record.id)

    def set_password(self, email_or_id: str, password: str) -> dict:
        """New hash and a new tokenKey, so every token issued before stops working (as on the binary)."""
        validate_password(password)
        hashed = self.hash_password(password)

        def change(record):
            record.values["password"] = PasswordValue(hashed, password)
            record.refresh_token_key()
        return self._update(email_or_id, change)

    def rotate_token_key(self, id: str) -> dict:
        """Sign out everywhere: tokens signed with the old key no longer verify."""
        return self._update(id, lambda record: record.refresh_token_key())

    sign_out_everywhere = rotate_token_key

    def update_fields(self, id: str, values: dict) -> dict:
        """Set fields of the collection (and the `verified`/`emailVisibility` flags) on a record."""
        values = dict(values)
        flags = {k: bool(values.pop(k)) for k in _SETTABLE_FLAGS if k in values}
        custom = self._check_custom(values)
        if self.get(id) is None:
            raise AuthError(f"No user with id {id!r}.", status=404)
        return self._update(id, lambda record: [record.set(k, v) for k, v in {**custom, **flags}.items()])

    def delete(self, email: str) -> None:
        self.store.delete(self.record(self.require(email)["id"]))

    def import_pocketbase(self, path) -> tuple[int, int]:
        """Copy the users of another PocketBase data.db (any version) as they are; (imported, skipped)."""
        try:
            found = read_pocketbase_users(path)
        except PocketBaseImportError as exc:
            raise AuthError(str(exc)) from None
        imported = skipped = 0

        def work(tx):
            nonlocal imported, skipped
            for user in found:
                email = normalize_email(user["email"])
                taken = self._one(f"{_SAME_EMAIL} OR id = :id", {"email": email, "key": email_key(email),
                                                                 "id": user["id"]})
                if not email or hidden_character(email) or not user["password"] or taken:
                    skipped += 1
                    continue
                add_user(tx, self.collection.id, {**user, "email": email})
                imported += 1
        self.store.run_in_transaction(work)
        return imported, skipped

    def _check_custom(self, fields: dict) -> dict:
        bad = sorted(k for k in fields if k in _RESERVED)
        if bad:
            raise AuthError(f"Field {bad[0]!r} cannot be set this way.")
        names = {f["name"] for f in self.collection.fields}
        unknown = sorted(k for k in fields if k not in names)
        if unknown:
            raise AuthError(f"The {self.collection.name} collection has no field {unknown[0]!r}.")
        return dict(fields)


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
