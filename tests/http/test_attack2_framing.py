"""Message framing belongs to the server, not to a page. A page's `Transfer-Encoding: chunked` is
sent beside the Content-Length pagesvm computes (RFC 9112 §6.1: a server MUST NOT send both), so a
client or proxy that honours Transfer-Encoding ends the response at the page's "0\\r\\n\\r\\n" and
takes the rest of the body as the answer to its next request. A page's `response.status(100..199)`
is sent as the only answer: an interim response, after which the client waits for a final one and
takes the next request's answer for it. Either way the answers on the connection shift by one."""
from __future__ import annotations

import socket
import time

import pytest


SMUGGLED = "0\\r\\n\\r\\nHTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: 8\\r\\n\\r\\nSMUGGLED"
PAGES = {
    "te.ejs": "<% response.header('Transfer-Encoding', 'chunked') %><%- '" + SMUGGLED + "' %>",
    "interim.ejs": "<% response.status(Number(params.s)) %>body",
    "hello.ejs": "hello",
}


@pytest.fixture
def server(serve_pages):
    return serve_pages(PAGES, "--workers", "1")


def head_of(server, path):
    """The status line and headers of the answer to one GET (lower-case names)."""
    with socket.create_connection((server.host, server.port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        deadline = time.monotonic() + 10
        while b"\r\n\r\n" not in data and time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    names = [line.split(":", 1)[0].strip().lower() for line in lines[1:]]
    return lines[0], names


def test_a_page_cannot_add_transfer_encoding_beside_content_length(server):
    status, names = head_of(server, "/te")
    assert not ("transfer-encoding" in names and "content-length" in names), (status, names)


@pytest.mark.parametrize("code", [100, 101, 199])
def test_a_page_cannot_make_an_interim_status_its_final_answer(server, code):
    status, _ = head_of(server, f"/interim?s={code}")
    assert int(status.split()[1]) >= 200, status
