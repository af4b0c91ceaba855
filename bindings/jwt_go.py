"""HS256 JWTs as PocketBase's `$security.createJWT/parseJWT/parseUnverifiedJWT` make and read them
(golang-jwt v5 under PocketBase's security package), with the library's error texts.

createJWT: the claims are ``{"exp": now + seconds}`` overlaid with the payload, encoded as Go's
``json.Marshal`` does (keys sorted at every level, ``<``, ``>``, ``&`` escaped). parseJWT accepts HS256 only,
checks the signature, then the claims (``exp``, ``nbf``); parseUnverifiedJWT checks the claims and ``iat``
and no signature, and its errors carry no prefix.
"""
from __future__ import annotations

import base64
import binascii
import hmac
import json
import time

from runtime.data.hs256 import HEADER, segment, signature

URL_ALPHABET = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class JWTError(Exception):
    pass


def go_json(value) -> str:
    """Go's json.Marshal of a decoded JSON value: sorted keys, no spaces, HTML characters escaped."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def create(payload, key: str, seconds: int) -> str:
    claims = {"exp": int(time.time() + int(seconds))}
    claims.update(payload if isinstance(payload, dict) else {})
    text = segment(HEADER.encode()) + "." + segment(go_json(claims).encode("utf-8"))
    return text + "." + segment(signature(text.encode("ascii"), key))


def _decode(part: str) -> bytes:
    """Go's base64.RawURLEncoding: an illegal character, or a dangling last one, is reported by its index."""
    data = part.replace("\r", "").replace("\n", "")
    for index, char in enumerate(data.encode("utf-8")):
        if char not in URL_ALPHABET:
            raise ValueError(f"illegal base64 data at input byte {index}")
    if len(data) % 4 == 1:
        raise ValueError(f"illegal base64 data at input byte {len(data) - 1}")
    try:
        return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    except binascii.Error as e:  # pragma: no cover - the checks above leave nothing for it to refuse
        raise ValueError(str(e)) from None


def _json_part(part: str, what: str):
    try:
        raw = _decode(part)
    except ValueError as e:
        raise JWTError(f"token is malformed: could not base64 decode {what}: {e}") from None
    try:
        value = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise JWTError(f"token is malformed: could not JSON decode {what}: {e}") from None
    return value


def _claim_errors(claims: dict, issued_at: bool) -> list[str]:
    now = time.time()
    errors = []
    checks = [("exp", lambda t: now < t, "token is expired"), ("nbf", lambda t: now >= t, "token is not valid yet")]
    if issued_at:
        checks.insert(1, ("iat", lambda t: now >= t, "token used before issued"))
    for name, ok, message in checks:
        value = claims.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append("invalid type for claim")
        elif not ok(value):
            errors.append(message)
    return errors


def parse(token: str, key: str | None) -> dict:
    """The claims; ``key`` None: unverified (PocketBase's ParseUnverifiedJWT). Raises JWTError."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JWTError("token is malformed: token contains an invalid number of segments")
    header = _json_part(parts[0], "header")
    claims = _json_part(parts[1], "claim")
    if not isinstance(claims, dict):
        raise JWTError("token is malformed: could not JSON decode claim: json: cannot unmarshal into Go value "
                       "of type jwt.MapClaims")
    if key is None:
        errors = _claim_errors(claims, issued_at=True)
        if errors:
            raise JWTError("\n".join(errors))
        return claims
    alg = header.get("alg") if isinstance(header, dict) else None
    if alg != "HS256":
        raise JWTError(f"token signature is invalid: signing method {alg if alg is not None else '<nil>'} is invalid")
    try:
        signed = _decode(parts[2])
    except ValueError as e:
        raise JWTError(f"token is malformed: could not base64 decode signature: {e}") from None
    if not hmac.compare_digest(signed, signature((parts[0] + "." + parts[1]).encode("utf-8"), key)):
        raise JWTError("token signature is invalid: signature is invalid")
    errors = _claim_errors(claims, issued_at=False)
    if errors:
        raise JWTError("token has invalid claims: " + "\n".join(errors))
    return claims
