"""A partial included by a page (no include data), then by a layout (which passes slot and slots), as the
datastar starter's count.ejs is: served both times (it once failed with "could not load" the second time)."""
from __future__ import annotations

from tests.helpers import start_server, write_site


def test_a_partial_included_by_a_page_then_by_a_layout(tmp_path):
    site = write_site(tmp_path / "site", {
        "(g)/+layout.ejs": "<html><%- slot %>|<%- include('part.ejs') %></html>",
        "(g)/index.ejs": "page",
        "_private/part.ejs": "<b>part</b>",
        "api/x.ejs": "<%- include('part.ejs') %>",
    })
    server = start_server(site, "--workers", "1", data_dir=str(tmp_path / "data"))
    try:
        assert server.get("/api/x").text == "<b>part</b>"
        answer = server.get("/")
        assert (answer.status, answer.text) == (200, "<html>page|<b>part</b></html>")
    finally:
        server.stop()
