"""echo, meta, require, asset, request.header, request.cookies and formData's field lookup are made once and
shared by every request (runtime/render/js/context.js, bindings/request.js, issue 19), acting on the request
being served: detached calls read their own request, each request of a batch sees only its own headers, cookies,
form and meta, and what one request puts on the shared functions reaches no other."""
from __future__ import annotations

import json

from bindings import builtins
from runtime.render.engine import Engine
from runtime.render.router import Router
from runtime.render.site import Site

POLLUTE = """<%
const targets = [echo, meta, require, asset, request.header, request.cookies, Object.getPrototypeOf(echo)];
for (const t of targets) { try { t.leak = 'leak'; } catch (e) {} try { t.toString = () => 'hacked'; } catch (e) {} }
try { Object.defineProperty(request.header, 'x', { value: 1 }); } catch (e) {}
formData.planted = 'mine';
body().planted = 'mine';
const h = request.header, c = request.cookies, m = meta, e = echo;
m('title', params.who);
e('echoed-' + params.who);
%><%= h('x-who') %>|<%= c('who') %>|<%= c().n %>|<%= formData.field %>|<%= formData.planted %>|<%= 'field' in formData %>|<%= m('title') %>|<%= formData.name %>|<%= formData.length %>"""
CHECK = """<%
const seen = [echo, meta, require, asset, request.header, request.cookies].map((f) => typeof f.leak + ':' + String(f.toString === Function.prototype.toString));
seen.push(typeof formData.planted, typeof body().planted, String(meta('title')), String('field' in formData), typeof ({}).leak);
%><%- JSON.stringify(seen) %>|<%= request.header('x-who') %>|<%= request.cookies('who') %>"""


def _payload(engine, router, path, who, body=None):
    match = router.match(path, "GET")
    route = {"page": match.file, "kind": match.route.kind, "middlewares": match.middlewares,
             "loaders": match.loaders, "layouts": match.layouts, "params": {"who": who, **match.params}}
    request = {"method": "POST" if body else "GET", "url": path + "?who=" + who, "query": {"who": who}, "host": "",
               "headers": {"x-who": "h-" + who}, "cookies": {"who": "c-" + who, "n": "5"}, "body": body}
    return {"route": route, "request": request, "auth": None, "data": {}, "units": engine.route_units(route)}


def test_shared_request_functions_read_their_own_request_and_stay_clean(tmp_path):
    builtins.load()
    for name, text in (("pollute", POLLUTE), ("check", CHECK)):
        (tmp_path / f"{name}.ejs").write_text(text, encoding="utf-8")
    engine = Engine(Site(str(tmp_path)))
    router = Router(engine.site)
    results = {}
    payloads = [_payload(engine, router, "/pollute", "a", {"field": "fa", "name": "na", "length": "la"}), _payload(engine, router, "/check", "b"),
                _payload(engine, router, "/pollute", "c", {"field": "fc", "name": "nc", "length": "lc"}), _payload(engine, router, "/check", "d")]
    engine.render_batch(payloads, lambda i, result: results.__setitem__(i, result))
    first, check, second, check_again = (results[i] for i in range(4))
    for result, who in ((first, "a"), (second, "c")):
        assert result["error"] is None, result["error"]
        assert result["body"] == f"echoed-{who}h-{who}|c-{who}|5|f{who}|mine|true|{who}|n{who}|l{who}"
    expected = ["undefined:true"] * 6 + ["undefined", "undefined", "undefined", "false", "undefined"]
    for result, who in ((check, "b"), (check_again, "d")):
        assert result["error"] is None, result["error"]
        seen, header, cookie = result["body"].split("|")
        assert json.loads(seen) == expected
        assert (header, cookie) == (f"h-{who}", f"c-{who}")
