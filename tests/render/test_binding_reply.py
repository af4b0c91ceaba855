"""A Python binding's answer to page JavaScript (engine.py ``_call_binding``, core.js ``R.py``): a string, number,
boolean or null crosses as itself, anything else inside ``{v}``; either way the page gets exactly what the binding
returned, and what the binding did to the response (a header, a status) or an error still reaches the page."""
from __future__ import annotations

import json

import pytest

from bindings import builtins
from bindings.context import Context, RequestInfo, ResponseEffects
from bindings.registry import REGISTRY, BindingError, Registry
from runtime.render.engine import Engine, page_payload
from runtime.render.site import Site

VALUES = {"text": "hi <there>", "empty": "", "int": 7, "big": 2 ** 53 - 1, "float": 1.5, "zero": -0.0, "yes": True,
          "no": False, "none": None, "dict": {"a": [1, None]}, "list": ["x", {"y": 2}], "nested_null": [None]}


def _engine(tmp_path) -> Engine:
    registry = Registry()
    builtins.load()
    registry.include("builtins", REGISTRY)

    def value(ctx, key):
        return VALUES[key]

    def headed(ctx):
        ctx.response.headers.append(("X-From", "binding"))
        return "with a header"

    def refuse(ctx):
        raise BindingError("no such thing", 404)

    registry.add("reply.value", value)
    registry.add("reply.headed", headed)
    registry.add("reply.refuse", refuse)
    engine = Engine(Site(str(tmp_path)), registry=registry)
    info = RequestInfo("GET", "/", "/", {}, {}, {}, None)
    engine.ctx = Context(request=info, response=ResponseEffects(), data_dir=str(tmp_path), site=str(tmp_path))
    return engine


@pytest.mark.parametrize("key", list(VALUES))
def test_the_page_gets_what_the_binding_returned(tmp_path, key):
    (tmp_path / "p.ejs").write_text(
        "<%- JSON.stringify([reply.value(k), typeof reply.value(k), Object.is(reply.value(k), -0)]) %>", encoding="utf-8")
    engine = _engine(tmp_path)
    got, kind, negative_zero = json.loads(engine.render_file("p.ejs", {"k": key}))
    expected = VALUES[key]
    assert got == (0 if key == "zero" else expected)
    assert kind == {dict: "object", list: "object", type(None): "object", bool: "boolean", str: "string"}.get(
        type(expected), "number")
    assert negative_zero is (key == "zero")


def test_bare_values_cross_alone_and_others_in_their_envelope(tmp_path):
    engine = _engine(tmp_path)
    for key, value in VALUES.items():
        reply = engine._call_binding("reply.value", [key], [])
        if isinstance(value, (dict, list)):
            assert reply == {"v": value}
        else:
            assert reply == value or (value is None and reply is None)


def test_effects_and_errors_still_reach_the_page(tmp_path):
    (tmp_path / "h.ejs").write_text(
        "<%= reply.headed() %>|<% try { reply.refuse() } catch (e) { %><%= e.message %>:<%= e.status %><% } %>",
        encoding="utf-8")
    engine = _engine(tmp_path)
    request = {"method": "GET", "url": "/", "host": "", "headers": {}, "cookies": {}, "body": None}
    payload = page_payload("h.ejs", "template", [], [], [], {}, request)
    payload["units"] = engine.route_units(payload["route"])
    result = engine.render(payload)
    assert result["body"] == "with a header|no such thing:404"
    assert ["X-From", "binding"] in result["headers"]
