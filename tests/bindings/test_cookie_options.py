"""Cookie options are checked before they become Set-Cookie attributes (bindings/cookies.py),
from JavaScript (response.cookie) and from Python (ctx.response.set_cookie)."""
from __future__ import annotations

import datetime
import json
import os
import urllib.parse

import pytest

from bindings.context import ResponseEffects
from bindings.cookies import CookieError, check_cookie, serialize_cookie
from tests.helpers import SITES, served

SITE = os.path.join(SITES, "headers_site")
server = served(SITE, "--workers", "1", "--ext", os.path.join(SITES, "headers_ext.py"))

BAD = [
    ("c", "v", {"path": "/; Domain=evil.example"}),
    ("c", "v", {"path": "/a\r\nX: y"}),
    ("c", "v", {"path": "relative"}),
    ("c", "v", {"path": "/a b"}),
    ("c", "v", {"path": 5}),
    ("c", "v", {"domain": "evil.example; Secure"}),
    ("c", "v", {"domain": "exämple.com"}),
    ("c", "v", {"maxAge": "60; Domain=evil.example"}),
    ("c", "v", {"maxAge": "60"}),
    ("c", "v", {"expires": "tomorrow; Domain=evil.example"}),
    ("c", "v", {"expires": 5}),
    ("c", "v", {"sameSite": "Lax; Domain=evil.example"}),
    ("c", "v", {"sameSite": 1}),
    ("a=b", "v", {}),
    ("a;b", "v", {}),
    ("", "v", {}),
    ("c d", "v", {}),
]
BAD_IDS = [json.dumps([n, o]) for n, _, o in BAD]


@pytest.mark.parametrize("name, value, options", BAD, ids=BAD_IDS)
def test_bad_cookie_options_are_refused_in_python(name, value, options):
    with pytest.raises(CookieError):
        serialize_cookie(name, value, options)
    with pytest.raises(CookieError):
        ResponseEffects("/").set_cookie(name, value, **options)


def test_good_options_are_written_as_attributes():
    when = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    text = serialize_cookie("c", "a b;c", {"path": "/x", "domain": ".example.com", "maxAge": 60.7,
                                          "expires": when, "httpOnly": True, "secure": True, "sameSite": "strict"})
    assert text == ("c=a%20b%3Bc; Domain=.example.com; expires=Wed, 02 Jan 2030 03:04:05 GMT; HttpOnly; "
                    "Max-Age=60; Path=/x; SameSite=Strict; Secure")
    assert check_cookie("c", "v", {"expires": "2030-01-02T03:04:05.000Z"})["expires"] == "Wed, 02 Jan 2030 03:04:05 GMT"
    assert serialize_cookie("c", "", {"sameSite": None}) == "c="


def test_clear_cookie_is_checked_too():
    with pytest.raises(CookieError):
        ResponseEffects("/").clear_cookie("c", path="/; Domain=evil.example")


def q(value) -> str:
    return urllib.parse.quote(json.dumps(value))


@pytest.mark.parametrize("name, value, options", BAD, ids=BAD_IDS)
@pytest.mark.parametrize("page", ["cookie", "pycookie"])
def test_bad_cookie_options_throw_to_the_page_and_set_nothing(server, page, name, value, options):
    res = server.get(f"/{page}?n={q(name)}&v={q(value)}&o={q(options)}")
    assert res.status == 400, res.text
    assert res.header_all("Set-Cookie") == []
    assert "refused:" in res.text and "cookie" in res.text
    if page == "pycookie":
        assert "(500)" in res.text and "internal error" not in res.text


@pytest.mark.parametrize("page", ["cookie_uncaught", "pycookie_uncaught"])
def test_an_uncaught_bad_option_is_a_500(server, page):
    res = server.get(f"/{page}?o=" + q({"path": "/; Domain=evil.example"}))
    assert res.status == 500
    assert res.header_all("Set-Cookie") == []


def test_a_date_expiry_from_a_page_is_an_http_date(server):
    res = server.get("/cookie_date")
    [cookie] = res.header_all("Set-Cookie")
    assert "expires=Wed, 02 Jan 2030 03:04:05 GMT" in cookie and "Path=/" in cookie
