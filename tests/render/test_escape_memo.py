"""`<%= %>` escaping remembers short texts' escapes (runtime/render/js/core.js R.esc): whatever the table holds,
fills or empties, every text escapes exactly as before, request after request, long texts and non-strings too."""
from __future__ import annotations

from bindings import builtins
from runtime.render.engine import Engine
from runtime.render.router import Router
from runtime.render.site import Site

PAGE = """<% const texts = [];
for (let i = 0; i < 2600; i++) texts.push(i % 3 ? 'a<' + i + '"&\\'>' : 'plain' + (i % 50));
texts.push('x'.repeat(199) + '<', 'y'.repeat(200) + '&', 'z'.repeat(201) + '"', '', 'ünï<cødé>'); %>
<% for (const t of texts) { %><%= t %>|<% } %><%= 12.5 %>|<%= null %>|<%= undefined %>|<%= true %>|<%= {a: 1} %>|<%= ['<', 2] %>"""


def _escaped(text: str) -> str:
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;"), ("'", "&#39;")):
        text = text.replace(a, b)
    return text


def _expected() -> str:
    texts = [f"a<{i}\"&'>" if i % 3 else f"plain{i % 50}" for i in range(2600)]
    texts += ["x" * 199 + "<", "y" * 200 + "&", "z" * 201 + '"', "", "ünï<cødé>"]
    return "\n" + "".join(_escaped(t) + "|" for t in texts) + "12.5|||true|[object Object]|&lt;,2"


def _render(engine: Engine, router: Router) -> str:
    match = router.match("/", "GET")
    route = {"page": match.file, "kind": match.route.kind, "middlewares": match.middlewares,
             "loaders": match.loaders, "layouts": match.layouts, "params": dict(match.params)}
    request = {"method": "GET", "url": "/", "host": "", "headers": {}, "cookies": {}, "body": None}
    payload = {"route": route, "request": request, "auth": None, "data": {}, "units": engine.route_units(route)}
    result = engine.render(payload)
    assert not result.get("error"), result["error"]
    return result["body"]


def test_escapes_stay_exact_as_the_table_fills_and_empties(tmp_path):
    builtins.load()
    (tmp_path / "index.ejs").write_text(PAGE)
    engine = Engine(Site(str(tmp_path)))
    router = Router(engine.site)
    for _ in range(3):  # first misses, then hits, across a table emptied twice a request
        assert _render(engine, router) == _expected()
