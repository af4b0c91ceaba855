"""Framing and connection headers, and the final status, are the server's (bindings/headers.py):
a page or binding that sets Transfer-Encoding, Content-Length, Connection… or a 1xx status gets a
logged 500, on both serving paths (`pagesvm serve` and create_app's tornado.web)."""
from __future__ import annotations

import json
import urllib.parse

import pytest

from bindings.context import ResponseEffects
from runtime import create_app
from bindings.headers import FRAMING, HeaderError, checked, valid_status
from tests.helpers import request, start_server, wait_for
from tests.http.test_mount import serve_in_thread

PAGES = {
    "header.ejs": "<% response.header(params.n, params.v) %>ok",
    "status.ejs": "<% response.status(Number(params.s)) %>body",
}
FRAMING_HEADERS = [("Transfer-Encoding", "chunked"), ("content-length", "3"), ("Connection", "close"),
                   ("Keep-Alive", "timeout=5"), ("Upgrade", "websocket"), ("TE", "trailers"),
                   ("Trailer", "X-Sum"), ("Proxy-Connection", "keep-alive")]


def q(value) -> str:
    return urllib.parse.quote(json.dumps(value))


@pytest.mark.parametrize("name, value", FRAMING_HEADERS)
def test_checked_refuses_a_framing_header(name, value):
    with pytest.raises(HeaderError, match="server only"):
        checked(name, value)


def test_every_framing_header_is_listed_lower_case():
    assert {n.lower() for n, _ in FRAMING_HEADERS} == FRAMING


@pytest.mark.parametrize("status, ok", [(100, False), (101, False), (199, False), (200, True), (204, True),
                                        (418, True), (599, True), (600, False), (0, False), (True, False)])
def test_valid_status_is_200_to_599(status, ok):
    assert valid_status(status) is ok


@pytest.mark.parametrize("name, value", FRAMING_HEADERS + [("X-Note", "a\r\nb"), ("X Note", "v")])
def test_a_binding_cannot_set_a_framing_or_unwritable_header(name, value):
    effects = ResponseEffects()
    with pytest.raises(ValueError):
        effects.set_header(name, value)
    effects.set_header("X-From-Python", "yes")
    assert effects.drain() == {"headers": [["X-From-Python", "yes"]]}


@pytest.mark.parametrize("status", [100, 101, 199, 99, 600])
def test_a_binding_cannot_set_a_status_outside_200_to_599(status):
    effects = ResponseEffects()
    with pytest.raises(ValueError, match="invalid status"):
        effects.set_status(status)
    effects.set_status(201)
    assert effects.drain() == {"status": 201}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    for name, text in PAGES.items():
        (root / name).write_text(text)
    return root


@pytest.fixture(scope="module")
def server(site, tmp_path_factory):
    running = start_server(str(site), "--workers", "1", data_dir=str(tmp_path_factory.mktemp("data")))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def app_port(site, tmp_path_factory):
    data = str(tmp_path_factory.mktemp("appdata"))
    with serve_in_thread(lambda: create_app(str(site), data_dir=data)) as port:
        yield port


@pytest.mark.parametrize("name, value", FRAMING_HEADERS)
def test_serve_a_page_setting_a_framing_header_is_a_logged_500(server, name, value):
    res = server.get(f"/header?n={q(name)}&v={q(value)}", timeout=5)
    assert res.status == 500
    assert res.header("Transfer-Encoding") is None and res.header("Upgrade") is None
    assert wait_for(lambda: f"{name} is set by the server only" in server.log)
    assert server.get(f"/header?n={q('X-Note')}&v={q('ok')}").header("X-Note") == "ok"


@pytest.mark.parametrize("name, value", FRAMING_HEADERS)
def test_create_app_a_page_setting_a_framing_header_is_a_500(app_port, name, value):
    res = request("127.0.0.1", app_port, "GET", f"/header?n={q(name)}&v={q(value)}", timeout=5)
    assert res.status == 500 and res.header("Transfer-Encoding") is None and res.header("Upgrade") is None


@pytest.mark.parametrize("code", [100, 101, 199])
def test_create_app_an_interim_status_is_a_500(app_port, code):
    res = request("127.0.0.1", app_port, "GET", f"/status?s={code}", timeout=5)
    assert res.status == 500
    assert request("127.0.0.1", app_port, "GET", "/status?s=201", timeout=5).status == 201


@pytest.mark.parametrize("code", [100, 101, 199])
def test_serve_an_interim_status_is_a_logged_500(server, code):
    assert server.get(f"/status?s={code}", timeout=5).status == 500
    assert wait_for(lambda: f"set an invalid status {code}" in server.log)
