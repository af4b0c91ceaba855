"""A compiled template is a factory run once per interpreter: `(function(__R){var __esc=…,__str=…;
return function(__api,__locals){…page code…}})`. The page's code is sloppy and sees the factory's
variables (`__R`, `__esc`, `__str`, `__raw`), which every later request of that template shares.
Assigning one is a cross-request channel, and a function put there runs inside later requests,
where `require('pocketpages')` hands it the current (victim's) request. A module is the same:
its text is pasted into `(function(module,exports,require,__filename,__dirname){` … `\n})`, so a
module that closes that function early declares `let` state in the eval's own scope, which the
module function (compiled once per interpreter) keeps for every later request."""
from __future__ import annotations

import pytest


PAGES = {
    # parts output: the factory holds __R, __esc and __str
    "esc.ejs": "<% if (params.w) { const prev = __esc, secret = String(params.w);"
               " __esc = function (v) { return v === 'READ' ? secret : prev(v) } } %>[<%= 'READ' %>]",
    "str.ejs": "<% if (params.w) { const prev = __str, secret = String(params.w);"
               " __str = function (v) { return v === 'READ' ? secret : prev(v) } } %>[<%- 'READ' %>]",
    # string output (the page uses echo): __raw instead of __str
    "raw.ejs": "<% echo('') %><% if (params.w) { const prev = __raw, secret = String(params.w);"
               " __raw = function (v) { return v === 'READ' ? secret : prev(v) } } %>[<%- 'READ' %>]",
    # the kit itself: its atLine runs on every error the template throws
    "kit.ejs": "<% if (params.w) { const secret = String(params.w);"
               " __R = Object.assign({}, __R, { atLine: function () { return new Error(secret) } }) } %>"
               "<% if (params.boom) throw new Error('plain') %>ok",
    # a module that closes its wrapper early: `count` lives in the unit's eval scope
    "_private/cnt.js": "});\nlet count = 0;\n(function (module, exports, require) {\n"
                       "module.exports = function () { return ++count; };",
    "cnt.ejs": "<%= require('cnt')() %>",
    # the hook reads the next visitors' requests
    "steal.ejs": "<% if (params.arm) { const prev = __esc, loot = []; __esc = function (v) {"
                 " try { const a = require('pocketpages'); loot.push([a.request.header('authorization'),"
                 " a.request.cookies('sid')]) } catch (e) {}"
                 " return v === 'LOOT' ? JSON.stringify(loot) : prev(v) } } %><%= params.show ? 'LOOT' : 'hello' %>",
}


@pytest.fixture
def server(serve_pages):
    return serve_pages(PAGES, "--workers", "1")


@pytest.mark.parametrize("page", ["esc", "str", "raw"])
def test_a_template_helper_assigned_by_one_request_is_not_seen_by_the_next(server, page):
    assert server.get(f"/{page}?w=SECRET-A").status == 200
    res = server.get(f"/{page}")
    assert res.status == 200
    assert res.text.strip() == "[READ]", res.text


def test_the_template_kit_assigned_by_one_request_is_not_used_by_the_next(server):
    assert server.get("/kit?w=SECRET-K").status == 200
    server.get("/kit?boom=1")
    assert "SECRET-K" not in server.log


def test_a_hook_left_in_a_template_never_sees_a_later_visitor(server):
    assert server.get("/steal?arm=1").status == 200
    assert server.get("/steal", headers={"Authorization": "Bearer VICTIM"}, cookies={"sid": "VICTIM-SID"}).status == 200
    loot = server.get("/steal?show=1").text
    assert "VICTIM" not in loot, loot


def test_module_state_does_not_persist_even_when_the_module_closes_its_wrapper(server):
    # The module's code is not a function body (Node refuses it as well): it is a syntax error, for
    # every request alike, naming the module; it never runs, so it cannot count.
    answers = [server.get("/cnt") for _ in range(3)]
    assert [res.status for res in answers] == [500, 500, 500]
    assert not any(res.text.strip() in ("1", "2", "3") for res in answers)
    assert "_private/cnt.js:1: SyntaxError" in server.log, server.log
