"""HS256 JSON Web Tokens, made and checked with the standard library.

PocketBase's tokens (auth, file, verification, reset, email change) are all HMAC-SHA256. PyJWT did this
before, but importing it imports `cryptography` for its RSA and EC algorithms (~9 MiB of every worker's
memory, even on sites that never sign anyone in); this module makes byte-for-byte the tokens PyJWT's
``jwt.encode(claims, key, algorithm="HS256")`` made and accepts and refuses what its ``jwt.decode`` with
``algorithms=["HS256"]`` and default options did (tests/data/test_hs256.py holds the two side by side), with
its messages. Every refusal is a ``TokenError`` (a ValueError).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time

HEADER = '{"alg":"HS256","typ":"JWT"}'  # the header both PyJWT and golang-jwt write for HS256


class TokenError(ValueError):
    """A token refused: malformed, badly signed, or with claims not valid now."""


class ExpiredError(TokenError):
    pass


class BadSignatureError(TokenError):
    pass


def segment(raw: bytes) -> str:
    """One part of a token: base64url without padding (bindings/jwt_go.py's tokens use it too)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(part: bytes) -> bytes:
    return base64.urlsafe_b64decode(part + b"=" * (-len(part) % 4))


def signature(signing_input: bytes, key: str) -> bytes:
    """HS256's signature of ``header.payload`` with ``key`` (bindings/jwt_go.py's tokens use it too)."""
    return hmac.new(key.encode("utf-8"), signing_input, hashlib.sha256).digest()


_HEADER_SEGMENT = segment(HEADER.encode("ascii"))


def encode(claims: dict, key: str) -> str:
    """The token of ``claims`` (in their order, compact JSON) signed with ``key``."""
    payload = segment(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
    signing_input = f"{_HEADER_SEGMENT}.{payload}"
    return f"{signing_input}.{segment(signature(signing_input.encode('ascii'), key))}"


def _json_object(segment: bytes, what: str) -> dict:
    try:
        data = _unb64(segment)
    except (binascii.Error, ValueError):
        raise TokenError(f"Invalid {what} padding") from None
    try:
        value = json.loads(data)
    except ValueError as exc:
        raise TokenError(f"Invalid {what} string: {exc}") from None
    if not isinstance(value, dict):
        raise TokenError(f"Invalid {what} string: must be a json object")
    return value


def decode(token: str, key: str, require: tuple = ()) -> dict:
    """The claims of ``token`` if it is HS256 signed with ``key`` and its claims hold now; ``require``: claims
    that must be present (not null)."""
    raw = token.encode("utf-8") if isinstance(token, str) else token
    if not isinstance(raw, bytes):
        raise TokenError(f"Invalid token type. Token must be a {bytes}")
    try:
        signing_input, signed = raw.rsplit(b".", 1)
        header_segment, payload_segment = signing_input.split(b".", 1)
    except ValueError:
        raise TokenError("Not enough segments") from None
    header = _json_object(header_segment, "header")
    claims = _json_object(payload_segment, "payload") if header.get("b64", True) is not False else None
    if claims is None:
        raise TokenError("Invalid payload string: must be a json object")
    try:
        signed = _unb64(signed)
    except (binascii.Error, ValueError):
        raise TokenError("Invalid crypto padding") from None
    if "alg" not in header:
        raise TokenError("Algorithm not specified")
    if header["alg"] != "HS256":
        raise TokenError("The specified alg value is not allowed")
    if not hmac.compare_digest(signed, signature(signing_input, key)):
        raise BadSignatureError("Signature verification failed")
    _check(claims, require)
    return claims


def _int(claims: dict, name: str, message: str) -> int:
    try:
        return int(claims[name])
    except (ValueError, TypeError, OverflowError):
        raise TokenError(message) from None


def _check(claims: dict, require: tuple) -> None:
    for name in require:
        if claims.get(name) is None:
            raise TokenError(f'Token is missing the "{name}" claim')
    now = time.time()
    if "iat" in claims and _int(claims, "iat", "Issued At claim (iat) must be an integer.") > now:
        raise TokenError("The token is not yet valid (iat)")
    if "nbf" in claims and _int(claims, "nbf", "Not Before claim (nbf) must be an integer.") > now:
        raise TokenError("The token is not yet valid (nbf)")
    if "exp" in claims and _int(claims, "exp", "Expiration Time claim (exp) must be an integer.") <= now:
        raise ExpiredError("Signature has expired")
    if claims.get("aud"):
        raise TokenError("Invalid audience")
    if "sub" in claims and not isinstance(claims["sub"], str):
        raise TokenError("Subject must be a string")
    if "jti" in claims and not isinstance(claims["jti"], str):
        raise TokenError("JWT ID must be a string")
