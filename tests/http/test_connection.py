"""The HTTP side of a worker (runtime/http/connection.py): what it answers without tornado.web."""
from __future__ import annotations

import email.utils
import http.client
import os
import re
import socket

from tests.helpers import SITES, served, start_server, wait_for

server = served(os.path.join(SITES, "front_site"), "--workers", "1")


def test_head_sends_the_headers_and_length_of_get_without_a_body(server):
    got = server.get("/?name=ann")
    head = server.request("HEAD", "/?name=ann")
    assert head.status == 200
    assert head.body == b""
    assert head.header("Content-Length") == str(len(got.body)) == got.header("Content-Length")
    assert server.request("HEAD", "/style.css").header("Content-Type").startswith("text/css")


def test_every_response_has_a_date_and_a_content_type(server):
    res = server.get("/")
    assert res.header("Content-Type") == "text/html; charset=utf-8"
    assert email.utils.parsedate_to_datetime(res.header("Date")) is not None


def test_a_method_pagesvm_does_not_serve_is_405(server):
    for method in ("TRACE", "BREW"):
        res = server.request(method, "/")
        assert res.status == 405, method
    assert server.get("/").status == 200


def test_a_control_character_in_a_header_value_is_a_500_not_a_broken_response(server):
    res = server.get("/badheader?v=%22a%01b%22")
    assert res.status == 500
    assert res.header("X-Note") is None
    assert wait_for(lambda: "/badheader set a bad header" in server.log)
    assert server.get("/").status == 200


def test_requests_on_one_keep_alive_connection_are_all_answered(server):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        bodies = []
        for name in ("a", "b", "c"):
            conn.request("GET", f"/?name={name}")
            res = conn.getresponse()
            bodies.append(res.read().decode().strip())
        assert bodies == ["hello a", "hello b", "hello c"]
    finally:
        conn.close()


def test_a_client_that_leaves_before_its_answer_does_not_disturb_the_worker(server):
    seen = len(server.lines)
    for _ in range(5):
        sock = socket.create_connection((server.host, server.port))
        sock.sendall(b"GET /?name=gone HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.close()
    assert wait_for(lambda: server.get("/?name=back").text.strip() == "hello back")
    assert "Traceback" not in "\n".join(server.lines[seen:])


def test_a_failing_page_is_a_500_and_the_next_request_is_served(server):
    assert server.get("/boom").status == 500
    assert server.get("/?name=next").text.strip() == "hello next"


def raw(server, data: bytes) -> bytes:
    """Send DATA and read one whole answer: its headers, then Content-Length bytes, or up to the close.

    The write side stays open: a client that half-closes may be taken for one that left, and then a
    loaded server can drop the connection before its answer is written.
    """
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(data)
        got = b""
        while b"\r\n\r\n" not in got:
            chunk = sock.recv(65536)
            if not chunk:
                return got
            got += chunk
        head, _, body = got.partition(b"\r\n\r\n")
        length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
        while length is None or len(body) < int(length.group(1)):
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return head + b"\r\n\r\n" + body
