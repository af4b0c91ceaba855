"""The `pb_auth` cookie that carries a PocketBase auth token to pages, and --auth-ttl.

The tokens themselves (issue, verify, their keys) are the data layer's (runtime/data/tokens.py), shared
with the REST API; the names are re-exported here for the bindings that used them from this module.
A cookie that cannot be read is "signed out" (None), never an exception.
"""
from __future__ import annotations

import json
import urllib.parse

from bindings.cookies import encode_value
from bindings.users import public_record
from runtime.data.tokens import _ALGORITHM, auth_duration, issue_token, signing_key, verified_until, verify_token  # noqa: F401
from runtime.data.tokens import unverified_claims as _unverified_claims  # noqa: F401

AUTH_COOKIE = "pb_auth"
# --auth-ttl's default cap (pagesvm's lifetime before issue 14): above PocketBase's 5-day default, so that
# default decides; a collection set to a longer one is held to this unless --auth-ttl is raised.
DEFAULT_TTL = 7 * 86400
MAX_COOKIE_VALUE = 3800  # leaves room for the name and attributes under 4096 bytes
_MINIMAL_RECORD = ("id", "collectionId", "collectionName", "email", "verified")


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


# A cookie value's token, by the value's text: the same signed-in visitor sends the same value on every request,
# and decoding it (URL-decoding ~650 characters, then the JSON) costs ~15 µs. At most 1024 values of at most
# MAX_COOKIE_VALUE characters (what a browser keeps), the table emptied when full.
_decoded: dict = {}
_DECODED_MAX = 1024


def decode_auth_cookie(value) -> str | None:
    """The token inside a cookie value (raw or URL-encoded JSON), or None."""
    if not isinstance(value, str) or not value:
        return None
    token = _decoded.get(value)
    if token is None:
        token = _decode(value)
        if token is not None and len(value) <= MAX_COOKIE_VALUE:
            if len(_decoded) >= _DECODED_MAX:
                _decoded.clear()
            _decoded[value] = token
    return token


def _decode(value: str) -> str | None:
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
