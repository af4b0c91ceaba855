"""A unit's file text is pasted into a wrapper function (a template's render function, a module's
function). Text that closes the wrapper and opens a new function runs its own code once per
interpreter, so `let` state declared between the two is shared by every later request. core.js
refuses such a unit as a syntax error of its file (see test_attack2_template_closure for modules)."""
from __future__ import annotations

import pytest


# Ends the try statement, closes the render function, declares state in the factory, opens a new render function.
ESCAPE = ("<% } catch (e) {} }; let count = 0; return function(__api,__locals){var __pvParts=[],__pvCount=0,__line=1;try{ %>"
          "<%= ++count %>")
PAGES = {
    "cnt.ejs": ESCAPE,
    "cntmd.md": ESCAPE,
    "ok.ejs": "<%= '日本 😀' %>|<% const n = 1 %><%= n %>",
    "typo.ejs": "line one\n<% if (x { %>\n",
    "+config.js": "module.exports = { plugins: [{ name: 'pocketpages-plugin-ejs', extensions: ['.ejs', '.md'] },"
                  " 'pocketpages-plugin-marked'] }",
}


@pytest.fixture
def server(serve_pages):
    return serve_pages(PAGES, "--workers", "1")


@pytest.mark.parametrize("page, file", [("cnt", "cnt.ejs"), ("cntmd", "cntmd.md")])
def test_a_template_that_closes_its_render_function_is_refused_and_keeps_no_state(server, page, file):
    answers = [server.get(f"/{page}") for _ in range(3)]
    assert [res.status for res in answers] == [500, 500, 500], [res.text for res in answers]
    assert f"{file}:1: SyntaxError" in server.log, server.log


def test_ordinary_templates_and_syntax_errors_are_unchanged(server):
    res = server.get("/ok")
    assert (res.status, res.text.strip()) == (200, "日本 😀|1")
    assert server.get("/typo").status == 500
    assert "typo.ejs:2: SyntaxError" in server.log, server.log
