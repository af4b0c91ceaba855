"""runtime/data/hs256.py against PyJWT, which made and checked pagesvm's tokens before it: the same tokens,
and the same tokens accepted and refused (with PyJWT's messages)."""
import time

import jwt
import pytest

from runtime.data import hs256

KEY = "tokenKey-of-a-user" + "collection-secret"
NOW = int(time.time())  # at collection: the valid times below lie days ahead of it, not seconds
CLAIMS = [
    {"collectionId": "pbc_1", "exp": NOW + 10**6, "id": "abc", "refreshable": True, "type": "auth"},
    {"id": "x", "exp": NOW + 10**6, "name": "Zoë <&> \u2028", "nested": {"b": [1, 2.5, None], "a": "é"}},
    {"z": 1, "a": 2},
]


@pytest.mark.parametrize("claims", CLAIMS)
def test_the_same_tokens_as_pyjwt(claims):
    assert hs256.encode(claims, KEY) == jwt.encode(claims, KEY, algorithm="HS256")
    assert hs256.decode(hs256.encode(claims, KEY), KEY) == claims


def _variants():
    good = {"id": "a", "exp": NOW + 10**6}
    yield jwt.encode(good, KEY, algorithm="HS256"), ("exp", "id")
    yield jwt.encode(good, KEY + "x", algorithm="HS256"), ()
    yield jwt.encode(good, KEY * 2, algorithm="HS512"), ()
    yield jwt.encode({"id": "a"}, KEY, algorithm="HS256"), ("exp", "id")
    yield jwt.encode({"id": None, "exp": NOW + 10**6}, KEY, algorithm="HS256"), ("exp", "id")
    yield jwt.encode({"exp": NOW - 1}, KEY, algorithm="HS256"), ()
    yield jwt.encode({"exp": "soon"}, KEY, algorithm="HS256"), ()
    yield jwt.encode({"nbf": NOW + 10**6}, KEY, algorithm="HS256"), ()
    yield jwt.encode({"iat": NOW + 10**6}, KEY, algorithm="HS256"), ()
    yield jwt.encode({"iat": NOW - 5, "nbf": NOW - 5}, KEY, algorithm="HS256"), ()
    yield jwt.encode({"aud": "someone"}, KEY, algorithm="HS256"), ()
    yield jwt.encode({"aud": ""}, KEY, algorithm="HS256"), ()
    yield jwt.encode({"sub": 5}, KEY, algorithm="HS256"), ()
    yield jwt.encode({"jti": 5}, KEY, algorithm="HS256"), ()
    yield "a.b", ()
    yield "not-base64!.e30.abc", ()
    yield "e30.e30.", ()
    yield "W10.e30.abc", ()


@pytest.mark.parametrize("token,require", list(_variants()))
def test_accepted_and_refused_as_pyjwt(token, require):
    try:
        expected = ("ok", jwt.decode(token, KEY, algorithms=["HS256"], options={"require": list(require)}))
    except jwt.PyJWTError as exc:
        expected = ("refused", str(exc))
    try:
        got = ("ok", hs256.decode(token, KEY, require=require))
    except hs256.TokenError as exc:
        got = ("refused", str(exc))
    assert got == expected


def test_expiry_and_signature_have_their_own_errors():
    with pytest.raises(hs256.ExpiredError):
        hs256.decode(hs256.encode({"exp": NOW - 1}, KEY), KEY)
    with pytest.raises(hs256.BadSignatureError):
        hs256.decode(hs256.encode({"exp": NOW + 10**6}, KEY), KEY + "other")
