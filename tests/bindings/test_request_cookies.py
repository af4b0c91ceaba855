"""Of two cookies with one name the first wins (PocketBase and Express read them so),
in request.cookies() and for pb_auth alike."""
from __future__ import annotations

import json
import os
from types import SimpleNamespace

from tornado.httputil import HTTPHeaders

from bindings.cookies import parse_cookies
from bindings.request import request_info
from tests.bindings.auth_helpers import assert_cleared, auth_cookie, register, set_cookies, start
from tests.helpers import SITES, served

server = served(os.path.join(SITES, "headers_site"), "--workers", "1")


def test_parse_cookies_keeps_the_first_of_a_name():
    assert parse_cookies('a=1; b=2; a=3; b="4"') == {"a": "1", "b": "2"}


def test_request_info_reads_every_cookie_header_and_keeps_the_first():
    headers = HTTPHeaders()
    headers.add("Cookie", "a=1; pb_auth=first")
    headers.add("Cookie", "pb_auth=second; b=2")
    request = SimpleNamespace(headers=headers, body=b"", query="", method="GET", uri="/", host="x")
    info = request_info(request, "/", "http", "127.0.0.1")
    assert info.cookies == {"a": "1", "pb_auth": "first", "b": "2"}


def test_a_repeated_cookie_header_reads_the_same_and_each_request_gets_its_own_cookies():
    # request_info remembers a header's decoded cookies by its text: a change to one request's cookies
    # must not reach the next request with the same header.
    def cookies_of(header):
        request = SimpleNamespace(headers=HTTPHeaders({"Cookie": header}), body=b"", query="", method="GET",
                                  uri="/", host="x")
        return request_info(request, "/", "http", "127.0.0.1").cookies

    header = "a=%7B%22x%22%3A1%7D; b=plain; a=second"
    first = cookies_of(header)
    assert first == {"a": '{"x":1}', "b": "plain"}
    first["a"] = "changed"
    first["c"] = "added"
    assert cookies_of(header) == {"a": '{"x":1}', "b": "plain"}
    assert cookies_of("a=%41") == {"a": "A"} and cookies_of("a=%42") == {"a": "B"}


def test_request_cookies_in_a_page_take_the_first(server):
    res = server.get("/cookies", headers={"Cookie": "a=%22one%22; z=1; a=two"})
    assert json.loads(res.text) == {"all": {"a": "one", "z": 1}, "one": "one"}


def test_the_first_pb_auth_decides_who_is_signed_in(tmp_path):
    site = start(tmp_path / "data", "--workers", "1")
    try:
        good = auth_cookie(register(site, "first@example.com"))
        res = site.get("/whoami", headers={"Cookie": f"pb_auth={good}; pb_auth=planted"})
        assert res.json()["email"] == "first@example.com" and "pb_auth" not in set_cookies(res)
        res = site.get("/whoami", headers={"Cookie": f"pb_auth=planted; pb_auth={good}"})
        assert res.json()["anonymous"] is True
        assert_cleared(res)
    finally:
        site.stop()
