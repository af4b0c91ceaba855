"""response.* and redirect are made once and shared by every request (bindings/response.js, issue 19): each call
acts on the request being served, detached calls work, and what one request does to them reaches no other."""
from __future__ import annotations

import json

from bindings import builtins
from runtime.render.engine import Engine
from runtime.render.router import Router
from runtime.render.site import Site

POLLUTE = """<%
const r = response;
try { r.status.extra = 'leak'; } catch (e) {}
try { r.json.toString = () => 'hacked'; } catch (e) {}
try { Object.getPrototypeOf(r.header).leak = 1; } catch (e) {}
try { redirect.extra = 'leak'; } catch (e) {}
r.mine = 'own';
const status = r.status, header = r.header;
status(201);
header('X-One', 'a').header('X-Two', 'b');
%><%= r.mine %> <%= typeof status.extra %>"""
CHECK = """<%
const seen = [typeof response.status.extra, typeof response.mine, String(response.json.toString === Function.prototype.toString),
              typeof redirect.extra, typeof ({}).leak];
%><%- JSON.stringify(seen) %>"""
REDIRECT = """<% const go = redirect; go('/elsewhere', { status: 303 }) %>"""
JSON_PAGE = """<% const json = response.json; json(202, { a: 1 }) %>"""


def _render(engine, router, path):
    match = router.match(path, "GET")
    route = {"page": match.file, "kind": match.route.kind, "middlewares": match.middlewares,
             "loaders": match.loaders, "layouts": match.layouts, "params": dict(match.params)}
    request = {"method": "GET", "url": path, "host": "", "headers": {}, "cookies": {}, "body": None}
    return {"route": route, "request": request, "auth": None, "data": {}, "units": engine.route_units(route)}


def test_shared_response_methods_act_on_their_own_request_and_stay_clean(tmp_path):
    builtins.load()
    for name, text in (("pollute", POLLUTE), ("check", CHECK), ("go", REDIRECT), ("json", JSON_PAGE)):
        (tmp_path / f"{name}.ejs").write_text(text, encoding="utf-8")
    engine = Engine(Site(str(tmp_path)))
    router = Router(engine.site)
    results = {}
    payloads = [_render(engine, router, p) for p in ("/pollute", "/check", "/go", "/json", "/check")]
    engine.render_batch(payloads, lambda i, result: results.__setitem__(i, result))
    polluted, check, go, as_json, check_again = (results[i] for i in range(5))
    assert polluted["error"] is None and polluted["status"] == 201
    assert polluted["body"] == "own undefined"
    assert [h[0] for h in polluted["headers"]] == ["X-One", "X-Two"]
    for seen in (check, check_again):
        assert seen["error"] is None and seen["status"] == 200 and seen["headers"] == []
        assert json.loads(seen["body"]) == ["undefined", "undefined", "true", "undefined", "undefined"]
    assert go["redirect"] == "/elsewhere" and go["status"] == 303
    assert as_json["status"] == 202 and json.loads(as_json["body"]) == {"a": 1} and as_json["type"] == "application/json"
