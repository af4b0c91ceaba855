"""Refusals the HTTP layer decides before the API (dot segments, a head over --max-header, a body over the
cap, a method it does not serve) are answered under `/api/` in PocketBase's JSON error shape, with the API's
CORS header: a client of the API (the JS SDK) reads `message`/`status` from every answer. The statuses stay
pagesvm's (the binary answers a `%2e%2e` path 404 and serves a 200 KB header); elsewhere they stay HTML."""
from __future__ import annotations

import json
import socket

from tests.helpers import write_site

import pytest


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return write_site(tmp_path_factory.mktemp("site"), {"pages/index.ejs": "hi"})


@pytest.fixture(scope="module")
def server(site, tmp_path_factory):
    from tests.helpers import start_server

    running = start_server(site, "--workers", "1", data_dir=str(tmp_path_factory.mktemp("data")))
    yield running
    running.stop()


def _raw(server, request: bytes) -> tuple[int, dict, bytes]:
    with socket.create_connection((server.host, server.port), timeout=10) as conn:
        conn.sendall(request)
        out = b""
        while chunk := conn.recv(65536):
            out += chunk
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def _is_api_error(status, headers, body, expected_status, message):
    assert status == expected_status
    assert headers["content-type"] == "application/json" and headers["access-control-allow-origin"] == "*"
    assert json.loads(body) == {"data": {}, "message": message, "status": expected_status}
    return True


def test_a_dot_segment_under_api_is_a_json_400(server):
    answer = server.get("/api/%2e%2e/api/health")
    assert _is_api_error(answer.status, {k.lower(): v for k, v in answer.headers}, answer.body, 400,
                         "Something went wrong while processing your request.")


@pytest.mark.parametrize("request_bytes", [
    b"GET /api/health?" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-A: " + b"a" * 200_000 + b"\r\n\r\n",
], ids=["request-line", "header"])
def test_an_oversized_head_under_api_is_a_json_431(server, request_bytes):
    assert _is_api_error(*_raw(server, request_bytes), 431, "Request Header Fields Too Large.")


def test_an_oversized_body_under_api_is_a_json_413(server):
    request = (b"POST /api/collections/users/records HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
               b"Content-Type: application/json\r\nContent-Length: 999999999999\r\n\r\n")
    assert _is_api_error(*_raw(server, request), 413, "Request entity too large.")


def test_refusals_outside_api_stay_html(server):
    answer = server.get("/x/%2e%2e/index")
    assert answer.status == 400 and answer.header("Content-Type").startswith("text/html")
    status, headers, _ = _raw(server, b"GET /?" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 431 and headers["content-type"].startswith("text/html")


def test_ten_thousand_query_fields_stay_refused(server):
    """Documented limit (README, Differences): 1000 query fields at most (Tornado's); the binary reads 10,000."""
    answer = server.get("/api/health?" + "&".join(f"a{i}=1" for i in range(10_000)))
    assert answer.status == 400
