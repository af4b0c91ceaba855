"""A long page body crosses from JavaScript as call_python's first argument, as text, not inside the JSON
(core.js R.done, quickjs.py TEXT): every body must arrive exactly as the page made it, whatever it holds
(a NUL, which ends dukpy's C string, lone surrogates, characters beyond the BMP), and the text way must
really be taken for the bodies it can carry."""
from __future__ import annotations

import json

import pytest

from bindings import builtins
from runtime.render.engine import Engine
from runtime.render.quickjs import RESEND, TEXT, _text
from runtime.render.router import Router
from runtime.render.site import Site
from tests.helpers import page_payload

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


def _payload(engine, router, params, path="/t"):
    return page_payload(engine, router, path, params)


def test_every_body_arrives_whole_and_long_ones_as_text(tmp_path):
    builtins.load()
    (tmp_path / "t.ejs").write_text(PAGE, encoding="utf-8")
    engine = Engine(Site(str(tmp_path)))
    router = Router(engine.site)
    as_text = []
    calls = engine.interp._call_python

    def spy(func, json_args):  # which results crossed the text way (the result's index is in the JSON)
        answer = calls(func, json_args)
        if func[:1] == TEXT and answer != RESEND:
            as_text.append(json.loads(json_args)[2])
        return answer

    engine.interp._call_python = spy
    names = list(CASES)
    results = {}
    engine.render_batch([_payload(engine, router, {"u": CASES[n][0]}) for n in names], results.__setitem__)
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


SHAPES = {  # page: what its result must hold besides the body
    "plain.ejs": ("<%- 'x'.repeat(300) %>", {"status": 200, "headers": [], "cookies": []}),
    "short.ejs": ("hi", {"status": 200, "headers": [], "cookies": []}),
    "status.ejs": ("<% response.status(404) %><%- 'y'.repeat(300) %>", {"status": 404, "headers": []}),
    "header.ejs": ("<% response.header('X-A', '1') %><%- 'z'.repeat(300) %>", {"headers": [["X-A", "1"]]}),
    "cookie.ejs": ("<% response.cookie('c', 'v') %>hi", {"status": 200}),
    "type.ejs": ('{"a": 1}', {"type": "application/json", "headers": []}),
    "headers.ejs": ("<% response.header('X-A', '1'); response.header('X-B', 'é—😀 \\\"q\\\"'); response.status(201) %>hi",
                    {"status": 201, "type": None, "headers": [["X-A", "1"], ["X-B", 'é—😀 "q"']]}),
}


def test_a_status_and_body_cross_alone_and_read_as_the_whole_record(tmp_path):
    """core.js R.done sends a result holding only a status, a body, a type and headers as those values
    (pv.page); Python must make of them the record the JSON would have given, and every other result must
    cross whole."""
    builtins.load()
    for name, (text, _) in SHAPES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    engine = Engine(Site(str(tmp_path)))
    router = Router(engine.site)
    names = list(SHAPES)
    payloads = [_payload(engine, router, {}, "/" + name[:-4]) for name in names]
    seen = []  # the function each result went to: pv.page (the values alone) or pv.body (the whole record)
    calls = engine.interp._call_python

    def spy(func, json_args):
        name = json.loads(json_args)[0] if func[:1] == TEXT else func.decode()
        if name in ("pv.page", "pv.body"):
            seen.append(name)
        return calls(func, json_args)

    engine.interp._call_python = spy
    results = {}
    engine.render_batch(payloads, results.__setitem__)
    keys = ["status", "headers", "cookies", "type", "redirect", "file", "deferred", "error", "body", "exhausted", "leaked"]
    for i, name in enumerate(names):
        assert list(results[i]) == keys, name  # the same record, in the same order, whichever way it came
        for key, value in SHAPES[name][1].items():
            assert results[i][key] == value, (name, key)
        assert results[i]["error"] is None and results[i]["leaked"] == [] and results[i]["deferred"] == []
    assert len(results[0]["body"]) == 300 and results[1]["body"] == "hi"
    assert results[4]["cookies"] and results[4]["cookies"][0]["name"] == "c"
    assert seen.count("pv.page") == 6  # plain, short, status, header, type, headers: the values alone
    assert seen.count("pv.body") == 1  # cookie: the whole record
