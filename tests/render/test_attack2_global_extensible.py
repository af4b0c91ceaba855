"""The global object stays open (new globals are swept after each request), but nothing restores its
extensibility: one request's `Object.preventExtensions(globalThis)` (or seal/freeze) lasts for the
interpreter's life. Later requests can read it (a channel from one request to the next), and every
later page that assigns an undeclared name (sloppy `title = 'x'`, common in EJS) fails with a
ReferenceError."""
from __future__ import annotations

import pytest


PAGES = {
    "lock.ejs": "<% if (params.how) Object[params.how](globalThis) %><%= Object.isExtensible(globalThis) %>",
    "sloppy.ejs": "<% title = 'hello' %><%= title %>",
    "swap.ejs": "<% Object.setPrototypeOf(globalThis, { injected: 'X' }); Object.preventExtensions(globalThis) %>"
                "<%= injected %>",
    "seen.ejs": "<%= typeof injected %>",
}


@pytest.fixture
def server(serve_pages):
    return serve_pages(PAGES, "--workers", "1")


@pytest.mark.parametrize("how", ["preventExtensions", "seal", "freeze"])
def test_locking_the_global_object_lasts_only_for_its_request(server, how):
    assert server.get("/sloppy").text.strip() == "hello"
    assert server.get(f"/lock?how={how}").status == 200
    assert server.get("/lock").text.strip() == "true"
    res = server.get("/sloppy")
    assert (res.status, res.text.strip()) == (200, "hello"), res.text


def test_a_swapped_global_prototype_then_locked_is_answered_and_gone(server):
    res = server.get("/swap")
    assert (res.status, res.text.strip()) == (200, "X"), res.text
    assert server.get("/seen").text.strip() == "undefined"
    res = server.get("/sloppy")
    assert (res.status, res.text.strip()) == (200, "hello"), res.text
