"""Sign-in tokens as PocketBase 0.40 makes them, and the `pb_auth` cookie.

A token is an HS256 JWT whose claims are `collectionId`, `exp`, `id`, `refreshable` and `type: "auth"`
(keys sorted, as the binary's JSON has them), signed with the record's `tokenKey` followed by its
collection's `authToken.secret`, both stored in data.db. So a token made here is accepted by the real
PocketBase on the same file and the reverse (tests/bindings/test_auth_oracle.py checks both ways), and
a new password or tokenKey, or a new collection secret, ends every older token. Anything wrong with a
cookie or token reads as "signed out" (None), never as an exception.
"""
from __future__ import annotations

import base64
import json
import time
import urllib.parse

import jwt

from bindings.cookies import encode_value
from bindings.users import public_record
from runtime.data.collections import Collection
from runtime.data.db import NotFoundError
from runtime.data.ddl import quote
from runtime.data.records import Record

AUTH_COOKIE = "pb_auth"
# --auth-ttl's default cap (pagesvm's lifetime before issue 14): above PocketBase's 5-day default, so that
# default decides; a collection set to a longer one is held to this unless --auth-ttl is raised.
DEFAULT_TTL = 7 * 86400
_ALGORITHM = "HS256"
MAX_COOKIE_VALUE = 3800  # leaves room for the name and attributes under 4096 bytes
_MINIMAL_RECORD = ("id", "collectionId", "collectionName", "email", "verified")


def auth_duration(collection, cap: int | None = None) -> int:
    """Seconds a sign-in lasts: the collection's authToken duration, at most `cap` (--auth-ttl)."""
    seconds = int((collection.options.get("authToken") or {}).get("duration") or 0) or 432000
    return min(seconds, int(cap)) if cap else seconds


def signing_key(collection, token_key: str) -> str:
    """The HMAC key the binary uses: the record's tokenKey, then the collection's authToken secret."""
    return token_key + str((collection.options.get("authToken") or {}).get("secret") or "")


def issue_token(collection, record_id: str, token_key: str, ttl: int) -> str:
    claims = {"collectionId": collection.id, "exp": int(time.time()) + int(ttl), "id": record_id,
              "refreshable": True, "type": "auth"}
    return jwt.encode(claims, signing_key(collection, token_key), algorithm=_ALGORITHM)


def _unverified_claims(token: str) -> dict:
    """The payload before its signature is checked: read only to learn whose key completes the HMAC key."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


_parsed: dict = {}  # a collection's row text → (Collection, its API shape): parsed once, not per request


def _auth_collection(store, collection_id: str):
    """The auth collection with this exact id, or None; read per call, its JSON parsed only when it changed."""
    row = store.db.execute("SELECT * FROM _collections WHERE id = ? AND type = 'auth'", (collection_id,)).fetchone()
    if row is None:
        return None
    text = tuple(row)
    found = _parsed.get(text)
    if found is None:
        if len(_parsed) > 64:
            _parsed.clear()
        collection = Collection.from_row(row)
        found = _parsed[text] = (collection, collection.to_api(with_secrets=True))
    return found


def verify_token(token, store):
    """(collection, record) a token is valid for now, or None; `store` is a runtime.data DataStore."""
    if not isinstance(token, str) or not token or token.count(".") != 2:
        return None
    try:
        unverified = _unverified_claims(token)
        record_id, collection_id = unverified.get("id"), unverified.get("collectionId")
        if not (isinstance(record_id, str) and record_id and isinstance(collection_id, str) and collection_id):
            return None
        found = _auth_collection(store, collection_id)
        if found is None:
            return None
        collection, shape = found
        row = store.db.execute(f"SELECT * FROM {quote(collection.name)} WHERE id = ? LIMIT 1",
                               (record_id,)).fetchone()
        if row is None:
            return None
        record = Record.from_row(shape, dict(row))
        key = signing_key(collection, record.token_key())
        if not record.token_key() or key == record.token_key():  # never a key missing either half
            return None
        claims = jwt.decode(token, key, algorithms=[_ALGORITHM], options={"require": ["exp", "id"]})
    except (ValueError, jwt.PyJWTError, NotFoundError, RecursionError, AttributeError):  # RecursionError: nesting
        return None
    if claims.get("id") != record.id or claims.get("type") != "auth" or claims.get("collectionId") != collection.id:
        return None
    return collection, record


def auth_cookie_json(token: str, record: dict) -> str:
    """The cookie's JSON, {"token", "record"}, as the PocketBase JS SDK reads it.

    A cookie over ~4 KB is dropped by browsers, so a record with large custom
    fields travels as its identifying fields only (it is display data anyway).
    """
    public = public_record(record)  # never the hash or tokenKey, whatever the caller passed
    payload = _dump(token, public)
    if len(encode_value(payload)) > MAX_COOKIE_VALUE:  # measured as it is sent
        payload = _dump(token, {k: public[k] for k in _MINIMAL_RECORD if k in public})
    return payload


def _dump(token: str, record: dict) -> str:
    return json.dumps({"token": token, "record": record}, separators=(",", ":"), ensure_ascii=False)


def encode_auth_cookie(token: str, record: dict) -> str:
    """The cookie value, URL-encoded JSON as the PocketBase JS SDK writes it."""
    return encode_value(auth_cookie_json(token, record))


def decode_auth_cookie(value) -> str | None:
    """The token inside a cookie value (raw or URL-encoded JSON), or None."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if not text.startswith("{"):
        text = urllib.parse.unquote(text)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: deeply nested JSON
        return None
    token = data.get("token") if isinstance(data, dict) else None
    return token if isinstance(token, str) and token else None


def auth_from_cookie(value, store):
    """(collection, record) a `pb_auth` cookie value stands for, or None."""
    return verify_token(decode_auth_cookie(value), store)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> int:
    """Seconds from '3600', '90m', '12h' or '7d' (for --auth-ttl); at least one minute."""
    raw = str(text).strip().lower()
    number, unit = (raw[:-1], raw[-1]) if raw[-1:] in _UNITS else (raw, "s")
    if not number.isdigit():
        raise ValueError(f"not a duration: {text!r}")
    seconds = int(number) * _UNITS[unit]
    if seconds < 60:
        raise ValueError(f"must be at least 1 minute (60 seconds), got {text!r}")
    if seconds > 400 * 86400:
        raise ValueError(f"must be at most 400 days, got {text!r}")
    return seconds
