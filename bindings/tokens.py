"""Sign-in tokens and the `pb_auth` cookie.

A token is an HS256 JWT signed with the server secret plus the user's
tokenKey: rotating the tokenKey (new password, sign out everywhere) makes
every older token fail. Anything wrong with a cookie or token reads as
"signed out" (None), never as an exception.
"""
from __future__ import annotations

import json
import os
import secrets
import time
import urllib.parse
from pathlib import Path

import jwt

from bindings.cookies import encode_value
from bindings.users import COLLECTION_ID, public_record

AUTH_COOKIE = "pb_auth"
SECRET_ENV = "PAGESVM_SECRET"
SECRET_FILE = "secret.key"
DEFAULT_TTL = 7 * 86400
_ALGORITHM = "HS256"
MAX_COOKIE_VALUE = 3800  # leaves room for the name and attributes under 4096 bytes
_MINIMAL_RECORD = ("id", "collectionId", "collectionName", "email", "verified")


def load_secret(data_dir) -> str:
    """$PAGESVM_SECRET, else `<data_dir>/secret.key`, generated on first use.

    The file is written whole under a temporary name and hard-linked into
    place, so of several workers starting at once one wins and all read it.
    """
    from_env = os.environ.get(SECRET_ENV, "")
    if from_env:
        return from_env
    data_dir = Path(data_dir)
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = data_dir / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another worker got there first: use theirs
        finally:
            tmp.unlink()
    secret = path.read_text().strip()
    if not secret:
        raise RuntimeError(f"{path} is empty; delete it to generate a new secret")
    return secret


def _signing_key(secret: str, record: dict) -> str:
    return secret + record["tokenKey"]


def issue_token(record: dict, secret: str, ttl: int = DEFAULT_TTL) -> str:
    claims = {
        "id": record["id"],
        "collectionId": COLLECTION_ID,
        "type": "auth",
        "exp": int(time.time()) + int(ttl),
    }
    return jwt.encode(claims, _signing_key(secret, record), algorithm=_ALGORITHM)


def verify_token(token, store, secret: str) -> dict | None:
    """The user a token belongs to, or None if it is not valid now."""
    if not isinstance(token, str) or not token:
        return None
    try:
        # Unverified read only to learn whose tokenKey completes the key.
        unverified = jwt.decode(token, options={"verify_signature": False})
        user_id = unverified.get("id")
        if not isinstance(user_id, str) or not user_id:
            return None
        record = store.get(user_id)
        if record is None:
            return None
        claims = jwt.decode(token, _signing_key(secret, record), algorithms=[_ALGORITHM],
                            options={"require": ["exp", "id"]})
    except (jwt.PyJWTError, RecursionError):  # RecursionError: deeply nested JSON
        return None
    if (claims.get("id") != record["id"] or claims.get("type") != "auth"
            or claims.get("collectionId") != COLLECTION_ID):
        return None
    return record


def auth_cookie_json(token: str, record: dict) -> str:
    """The cookie's JSON, {"token", "record"}, as the PocketBase JS SDK reads it.

    A cookie over ~4 KB is dropped by browsers, so a record with large custom
    fields travels as its identifying fields only (it is display data anyway).
    """
    public = public_record(record)
    payload = _dump(token, public)
    if len(encode_value(payload)) > MAX_COOKIE_VALUE:  # measured as it is sent
        payload = _dump(token, {k: public[k] for k in _MINIMAL_RECORD})
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


def auth_from_cookie(value, store, secret: str) -> dict | None:
    """The signed-in user a `pb_auth` cookie value stands for, or None."""
    return verify_token(decode_auth_cookie(value), store, secret)


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
