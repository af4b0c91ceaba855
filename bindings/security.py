"""The `$security` family: PocketBase's `$security` for page (and hook) code.

What needs the operating system's randomness or a digest runs here, one crossing per call; the JavaScript
half (security.js) coerces arguments as goja does, throws `GoError`s with Go's texts, and builds and parses
JWTs around `sign`. Every binding is hidden (reached only from security.js): page code sees `$security` alone.
Errors travel back as ``{"error": text}`` so security.js can throw them as the JSVM does.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets

from . import jwt_go
from .random_regex import random_by_regex
from .registry import Registry

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
SECURITY_JS = FAMILY.js_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), "security.js"))
DIGESTS = {"md5": hashlib.md5, "sha256": hashlib.sha256, "sha512": hashlib.sha512}
NONCE = 12  # Go's cipher.NewGCM nonce size
STD_ALPHABET = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def _random_with(ctx, length: int, alphabet: str):
    """`length` bytes picked uniformly from ``alphabet``'s UTF-8 bytes (Go indexes a string by byte)."""
    chars = alphabet.encode("utf-8")
    if not chars:
        return {"error": "crypto/rand: argument to Int is <= 0"}
    picked = bytes(chars[secrets.randbelow(len(chars))] for _ in range(int(length)))
    return {"ok": picked.decode("utf-8", "replace")}


def _digest(ctx, name: str, text: str) -> str:
    return DIGESTS[name](text.encode("utf-8")).hexdigest()


def _hmac(ctx, name: str, data: str, key: str) -> str:
    return hmac.new(key.encode("utf-8"), data.encode("utf-8"), DIGESTS[name]).hexdigest()


def _equal(ctx, a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _cipher(key: str):
    raw = key.encode("utf-8")
    if len(raw) not in (16, 24, 32):
        raise ValueError(f"crypto/aes: invalid key size {len(raw)}")
    # `cryptography` (~9 MiB with OpenSSL) loads with the first encrypt/decrypt, not with every worker.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(raw)


def _encrypt(ctx, text: str, key: str):
    """AES-GCM as PocketBase's security.Encrypt: base64(nonce || sealed), so either side decrypts the other's."""
    try:
        aes = _cipher(key)
    except ValueError as e:
        return {"error": str(e)}
    nonce = os.urandom(NONCE)
    return {"ok": base64.b64encode(nonce + aes.encrypt(nonce, text.encode("utf-8"), None)).decode("ascii")}


def _std_decode(text: str) -> bytes:
    """Go's base64.StdEncoding: an illegal character is reported by its index."""
    data = text.replace("\r", "").replace("\n", "")
    for index, char in enumerate(data.encode("utf-8")):
        if char not in STD_ALPHABET and char != ord("="):
            raise ValueError(f"illegal base64 data at input byte {index}")
    if len(data) % 4:
        raise ValueError(f"illegal base64 data at input byte {len(data) - len(data) % 4}")
    try:
        return base64.b64decode(data, validate=True)
    except binascii.Error:
        raise ValueError(f"illegal base64 data at input byte {max(data.find('='), 0)}") from None


def _decrypt(ctx, text: str, key: str):
    try:
        aes = _cipher(key)
        sealed = _std_decode(text)
    except ValueError as e:
        return {"error": str(e)}
    if len(sealed) < NONCE + 16:
        return {"error": "cipher: message authentication failed"}
    from cryptography.exceptions import InvalidTag

    try:
        plain = aes.decrypt(sealed[:NONCE], sealed[NONCE:], None)
    except InvalidTag:
        return {"error": "cipher: message authentication failed"}
    return {"ok": plain.decode("utf-8", "replace")}


def _create_jwt(ctx, payload, key: str, seconds: int):
    try:
        return {"ok": jwt_go.create(payload, key, seconds)}
    except ValueError as e:  # a value JSON cannot carry
        return {"error": f"json: unsupported value: {e}"}


def _parse_jwt(ctx, token: str, key=None):
    """``key`` None: parseUnverifiedJWT."""
    try:
        return {"ok": jwt_go.parse(token, key)}
    except jwt_go.JWTError as e:
        return {"error": str(e)}


for _name, _fn in (("random", _random_with), ("regex", random_by_regex), ("createJWT", _create_jwt),
                   ("parseJWT", _parse_jwt), ("digest", _digest), ("hmac", _hmac), ("equal", _equal), ("encrypt", _encrypt), ("decrypt", _decrypt)):
    FAMILY.add(f"pv_security.{_name}", _fn, hidden=True)
