"""A long page body crosses from JavaScript as call_python's first argument, as text, not inside the JSON
(core.js R.done, quickjs.py TEXT): every body must arrive exactly as the page made it, whatever it holds
(a NUL, which ends dukpy's C string, lone surrogates, characters beyond the BMP), and the text way must
really be taken for the bodies it can carry."""
from __future__ import annotations

import pytest

from bindings import builtins
from runtime.render.engine import Engine
from runtime.render.quickjs import _text
from runtime.render.router import Router
from runtime.render.site import Site

PAGE = "<%- String.fromCharCode.apply(null, params.u) %>"
LONG = [ord("a") + i % 26 for i in range(600)]

CASES = {  # name: (UTF-16 code units of the body, whether the text way carries it)
    "ascii": (LONG, True),
    "short": (LONG[:255], False),  # under 256 units: inside the JSON, as before
    "threshold": (LONG[:256], True),
    "latin1": (LONG + [0xE9, 0xFF], True),
    "wide": ([0x2014] + LONG, True),
    "astral": (LONG + [0xD83D, 0xDE00] * 3, True),
    "lone surrogates": ([0xD800] + LONG + [0xDC00, 0xDBFF], True),
    "nul first": ([0] + LONG, False),
    "nul late": (LONG + [0] + LONG, False),
    "astral then nul": (LONG + [0xD83D, 0xDE00, 0] + LONG, False),
    "nul then astral": (LONG[:10] + [0] + LONG + [0xD83D, 0xDE00] * 400, False),
}


def _expected(units: list[int]) -> str:
    return b"".join(u.to_bytes(2, "little") for u in units).decode("utf-16-le", "surrogatepass")


def _payload(engine, router, units):
    match = router.match("/t", "GET")
    route = {"page": match.file, "kind": match.route.kind, "middlewares": match.middlewares,
             "loaders": match.loaders, "layouts": match.layouts, "params": {"u": units}}
    request = {"method": "GET", "url": "/t", "host": "", "headers": {}, "cookies": {}, "body": None}
    return {"route": route, "request": request, "auth": None, "data": {}, "units": engine.route_units(route)}


def test_every_body_arrives_whole_and_long_ones_as_text(tmp_path):
    builtins.load()
    (tmp_path / "t.ejs").write_text(PAGE, encoding="utf-8")
    engine = Engine(Site(str(tmp_path)))
    router = Router(engine.site)
    as_text = []
    by_text = engine.interp._funcs["pv.body"]
    engine.interp._funcs["pv.body"] = lambda body, index, result: (as_text.append(index), by_text(body, index, result))
    names = list(CASES)
    results = {}
    engine.render_batch([_payload(engine, router, CASES[n][0]) for n in names], results.__setitem__)
    for i, name in enumerate(names):
        units, text_way = CASES[name]
        assert results[i]["error"] is None, name
        assert results[i]["body"] == _expected(units), name
        assert (i in as_text) is text_way, name


@pytest.mark.parametrize("text", ["plain", "é—😀", "\ud800x\udfff", ""])
def test_text_reads_what_quickjs_writes(text):
    raw = b"\x01" + text.encode("utf-8", "surrogatepass")
    length = len(text.encode("utf-16-le", "surrogatepass")) // 2
    assert _text(raw, length) == text
    assert _text(raw, length + 1) is None  # cut short (a NUL ended the C string)
    assert _text(b"\x01\xff\xfe", 2) is None  # not UTF-8 at all
