"""Headers a page sets are checked before anything is written (bindings/headers.py), on both
serving paths: `pagesvm serve` (runtime/http/connection.py) and create_app (tornado.web)."""
from __future__ import annotations

import json
import os
import urllib.parse

import pytest

from runtime import create_app
from runtime.http.connection import Exchange
from runtime.http.response import Response
from bindings.headers import HeaderError, checked, location
from tests.helpers import SITES, request, served, wait_for
from tests.http.test_mount import serve_in_thread

SITE = os.path.join(SITES, "headers_site")
server = served(SITE, "--workers", "1", "--max-connections", "5")


def q(value) -> str:
    """A query value the page reads back exactly (params are JSON-parsed)."""
    return urllib.parse.quote(json.dumps(value))


@pytest.mark.parametrize("raw, sent", [
    ("/search?q=日本", "/search?q=%E6%97%A5%E6%9C%AC"),
    ("/a b\tc", "/a%20b%09c"),
    ("/caf%C3%A9/é", "/caf%C3%A9/%C3%A9"),  # existing escapes are kept
    ("/100%/x", "/100%/x"),
    ("https://example.com/ü?x=ä#ö", "https://example.com/%C3%BC?x=%C3%A4#%C3%B6"),
    ("/\x7f", "/%7F"),
])
def test_location_is_percent_encoded_as_a_browser_would(raw, sent):
    assert location(raw) == sent
    assert checked("Location", raw) == ("Location", sent)
    assert location(sent) == sent


@pytest.mark.parametrize("name, value", [
    ("X-Note", "日本"), ("X-Note", "a\x01b"), ("X-Note", "a\rb"), ("Location", "/a\nb"), ("Location", "/\x00"),
    ("X Note", "v"), ("X-Nöte", "v"), ("", "v"), ("X-Note", "\ud800"), ("Location", "/\ud800"),
])
def test_a_header_http_cannot_carry_is_refused(name, value):
    with pytest.raises(HeaderError):
        checked(name, value)


def test_latin1_header_values_are_still_allowed():
    assert checked("X-Note", "café") == ("X-Note", "café")


class _BrokenConnection:
    """Refuses the first headers it is given (as Tornado does with a non-Latin-1 value)."""

    def __init__(self):
        self.written, self.closed = [], False

    def write_headers(self, start, headers, chunk):
        if not self.written:
            self.written.append(None)
            raise UnicodeEncodeError("latin-1", "日", 0, 1, "ordinal not in range(256)")
        self.written.append((start.code, chunk))

    def finish(self):
        pass

    def close(self):
        self.closed = True


class _Front:
    def __init__(self):
        self.left = []
        self.admission = type("A", (), {"leave": lambda _, ex: self.left.append(ex)})()


class _Req:
    method, path, remote_ip = "GET", "/x", "127.0.0.1"

    def request_time(self):
        return 0.0


def test_a_response_tornado_cannot_write_still_gets_an_answer_and_frees_its_slot():
    front, conn = _Front(), _BrokenConnection()
    exchange = Exchange(front, conn, _Req())
    exchange.send(Response(200, "body"))
    assert conn.written[1] == (500, b"Internal Server Error\n")
    assert front.left == [exchange]


def test_serve_non_ascii_redirect_is_encoded_and_every_request_is_answered(server):
    for _ in range(8):  # more than --max-connections: no request may keep its slot
        res = server.get("/go?to=" + q("/search?q=日本"), timeout=5)
        assert res.status == 302
        assert res.header("Location") == "/search?q=%E6%97%A5%E6%9C%AC"
    assert server.get("/header?v=" + q("plain")).status == 200


def test_serve_unencodable_header_is_a_logged_500_and_frees_the_slot(server):
    for _ in range(8):
        res = server.get("/header?v=" + q("日本"), timeout=5)
        assert res.status == 500 and res.header("X-Note") is None
    assert wait_for(lambda: "/header set a bad header" in server.log)
    assert server.get("/header?v=" + q("plain")).header("X-Note") == "plain"


@pytest.fixture(scope="module")
def app_port(tmp_path_factory):
    data = str(tmp_path_factory.mktemp("data"))
    with serve_in_thread(lambda: create_app(SITE, data_dir=data)) as p:
        yield p


def test_create_app_encodes_a_non_ascii_redirect(app_port):
    res = request("127.0.0.1", app_port, "GET", "/go?to=" + q("/search?q=日本"), timeout=5)
    assert res.status == 302 and res.header("Location") == "/search?q=%E6%97%A5%E6%9C%AC"


def test_create_app_unencodable_header_is_a_500(app_port):
    for _ in range(3):
        res = request("127.0.0.1", app_port, "GET", "/header?v=" + q("日本"), timeout=5)
        assert res.status == 500 and res.header("X-Note") is None
    assert request("127.0.0.1", app_port, "GET", "/header?v=" + q("ok"), timeout=5).status == 200
