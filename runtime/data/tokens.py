"""PocketBase's tokens: HS256 JWTs signed with a record's `tokenKey` and its collection's secret.

An auth token's claims are `collectionId`, `exp`, `id`, `refreshable` and `type: "auth"` (keys sorted,
as the binary's JSON has them), signed with the record's `tokenKey` followed by its collection's
`authToken.secret`, both stored in data.db. The other kinds (`passwordReset`, `verification`,
`emailChange`, `file`) differ only in their claims (`email`, `newEmail`, no `refreshable`) and in the
collection secret and lifetime (`TOKEN_OPTIONS`): a token made here is accepted by the real PocketBase on
the same file and the reverse, and a new password or tokenKey, or a new collection secret, ends every
older token. Anything wrong with a token reads as "no one" (None), never as an exception. The cookie
that carries a token to pages is the bindings' business (bindings/tokens.py).
"""
from __future__ import annotations

import base64
import json
import time

from . import hs256

from .collections import Collection
from .db import NotFoundError
from .ddl import quote
from .records import Record

_ALGORITHM = "HS256"
# A token's `type` claim → the collection option holding its secret and lifetime.
TOKEN_OPTIONS = {"auth": "authToken", "passwordReset": "passwordResetToken", "verification": "verificationToken",
                 "emailChange": "emailChangeToken", "file": "fileToken"}


def auth_duration(collection, cap: int | None = None) -> int:
    """Seconds a sign-in lasts: the collection's authToken duration, at most `cap` (--auth-ttl)."""
    seconds = int((collection.options.get("authToken") or {}).get("duration") or 0) or 432000
    return min(seconds, int(cap)) if cap else seconds


def signing_key(collection, token_key: str, kind: str = "auth") -> str:
    """The HMAC key the binary uses: the record's tokenKey, then the collection's secret for `kind`."""
    return token_key + str((collection.options.get(TOKEN_OPTIONS[kind]) or {}).get("secret") or "")


def issue_token(collection, record_id: str, token_key: str, ttl: int) -> str:
    claims = {"collectionId": collection.id, "exp": int(time.time()) + int(ttl), "id": record_id,
              "refreshable": True, "type": "auth"}
    return hs256.encode(claims, signing_key(collection, token_key))


def issue_file_token(collection, record_id: str, token_key: str) -> str:
    """A file token (`POST /api/files/token`): no `refreshable`, lasting the collection's fileToken duration."""
    ttl = int((collection.options.get("fileToken") or {}).get("duration") or 0) or 180
    claims = {"collectionId": collection.id, "exp": int(time.time()) + ttl, "id": record_id, "type": "file"}
    return hs256.encode(claims, signing_key(collection, token_key, "file"))


def issue_record_token(collection, record, kind: str, **claims) -> str:
    """A `kind` token for an auth record, lasting its collection's duration for that kind: `email` for a
    password reset or verification, `email` and `newEmail` for an email change; claims in key order, as the
    binary's JSON has them, so the same second gives the binary's very token."""
    ttl = int((collection.options.get(TOKEN_OPTIONS[kind]) or {}).get("duration") or 0)
    payload = {"collectionId": collection.id, "exp": int(time.time()) + ttl, "id": record.id, "type": kind, **claims}
    return hs256.encode(dict(sorted(payload.items())), signing_key(collection, record.token_key(), kind))


def unverified_claims(token: str) -> dict:
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


# A token's signature checked once per worker, not on every request that carries it: token text →
# (the key it verified with, its expiry, its claims). A hit counts only with the very same key (the record's
# current tokenKey and the collection's current secret: a new password or secret voids it) and before its
# expiry, checked on each use as PyJWT would. Tokens with `nbf` or `iat` (never PocketBase's) are not kept.
_verified: dict = {}
_VERIFIED_MAX = 1024


def _claims(token: str, key: str) -> dict:
    """The claims of ``token`` signed with ``key``, valid now; raises hs256.TokenError."""
    hit = _verified.get(token)
    if hit is not None and hit[0] == key and hit[1] > time.time():
        return hit[2]
    claims = hs256.decode(token, key, require=("exp", "id"))
    if "nbf" not in claims and "iat" not in claims:
        if len(_verified) >= _VERIFIED_MAX:
            _verified.clear()
        _verified[token] = (key, int(claims["exp"]), claims)
    return claims


def verified_until(token: str):
    """The expiry of a token whose signature was checked and kept above, else None (never kept: one
    carrying `nbf` or `iat`, or never verified)."""
    hit = _verified.get(token)
    return hit[1] if hit is not None else None


def verify_token(token, store, kind: str = "auth"):
    """(collection, record) a `kind` token is valid for now, or None; `store` is a runtime.data DataStore."""
    if not isinstance(token, str) or not token or token.count(".") != 2:
        return None
    try:
        hit = _verified.get(token)  # the same text has the same payload: parsed once
        unverified = hit[2] if hit is not None else unverified_claims(token)
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
        key = signing_key(collection, record.token_key(), kind)
        if not record.token_key() or key == record.token_key():  # never a key missing either half
            return None
        claims = _claims(token, key)
    except (ValueError, NotFoundError, RecursionError, AttributeError):  # RecursionError: nesting
        return None
    if claims.get("id") != record.id or claims.get("type") != kind or claims.get("collectionId") != collection.id:
        return None
    return collection, record
