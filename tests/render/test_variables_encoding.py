"""An evaluation's variables are written by orjson and what JavaScript sends back is read by orjson
(runtime/render/quickjs.py `encode_variables`, `_loads`): the values on the other side are exactly the ones the
standard library gave, and where orjson would differ (or refuses) the standard library does it as before."""
import json
import math

import pytest
from dukpy import _dukpy

from runtime.render.quickjs import PagesInterpreter, _loads, encode_variables, nonfinite, page_nonfinite

_STDLIB = json.JSONEncoder(ensure_ascii=False).encode


def typed(value):
    """``value`` with every number's type and sign kept (``-0.0 == 0`` and ``1 == 1.0`` in Python)."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, float):
        return ("float", repr(value))
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return ("int", value)
    return value


PAGE = {"route": {"page": "index.ejs", "kind": "template", "middlewares": [], "loaders": [], "layouts": ["+layout.ejs"],
                  "params": {"q": ["a", "b"], "n": "<5>"}},
        "request": {"method": "GET", "url": "/?q=a", "host": "x", "headers": {"accept": "*/*"}, "cookies": {},
                    "body": {"n": 1.5, "deep": [[{"x": None}]]}},
        "auth": {"id": "u1", "n": 2 ** 53, "f": 0.1, "z": -0.0, "big": 1e300, "tiny": 5e-324, "name": "Zoë 日本 😀"},
        "data": {"sep": "\u2028\u2029", "ctl": "\x00\x1f\x7f", "t": (1, 2)}, "units": [[1, "template", 3, "src"]]}


@pytest.mark.parametrize("variables", [
    {"k": "key", "p": PAGE},
    {"k": "key", "b": [PAGE, PAGE]},
    {"k": "key", "n": "recordHooks", "a": ["create", 7, False]},
])
def test_same_values_as_the_stdlib_in_javascript(variables):
    written = encode_variables(variables, False)
    assert typed(json.loads(written)) == typed(json.loads(_STDLIB(variables)))
    interp = PagesInterpreter()  # and QuickJS reads both to the same values (-0 kept apart from 0)
    read = "JSON.stringify(JSON.parse(%s), (k, v) => Object.is(v, -0) ? '-0' : v)"
    ours = interp.eval_script(read % json.dumps(written.decode()))
    assert ours == interp.eval_script(read % json.dumps(_STDLIB(variables)))


@pytest.mark.parametrize("variables", [
    {"k": "key", "p": {**PAGE, "data": {"big": 2 ** 64}}},   # beyond 64 bits
    {"k": "key", "p": {**PAGE, "data": {1: "int key"}}},
    {"k": "key", "a": [True, {2: [3]}]},
])
def test_what_orjson_refuses_the_stdlib_writes(variables):
    assert encode_variables(variables, False) == _STDLIB(variables).encode("utf-8")


@pytest.mark.parametrize("variables", [{"k": "key", "p": {**PAGE, "data": {"s": "\ud800"}}}, {"k": b"bytes"}, {"k": object()}])
def test_what_neither_writes_fails_as_before(variables):
    with pytest.raises((TypeError, ValueError)) as expected:
        _STDLIB(variables).encode("utf-8")
    with pytest.raises(expected.type):
        encode_variables(variables, False)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_found_and_written_by_the_stdlib(bad):
    for where in ("auth", "data", "route"):
        page = {**PAGE, where: {"deep": [{"x": (1, bad)}]}}
        assert page_nonfinite(page)
        assert encode_variables({"k": "key", "p": page}, page_nonfinite(page)) == _STDLIB({"k": "key", "p": page}).encode("utf-8")
    assert nonfinite({"a": [bad]}) and not nonfinite({"a": [1.5, 2 ** 80, "nan"]})
    assert not page_nonfinite(PAGE)


STDLIB_READ = [
    b'[0,{"status":200,"headers":[],"body":"<h1>Hi \xc3\xa9 \xf0\x9f\x98\x80</h1>","exhausted":false}]',
    b'["\xed\xa0\x80", "a\xed\xb0\x80b"]',                       # lone surrogates, as dukpy passes them
    b'[123456789012345680000, 9223372036854775808, -9223372036854775809, 18446744073709551616, 9007199254740993]',
    b'[1e+21, 1.7976931348623157e+308, 5e-324, -0, -0.0, 0.1, 1E2, 1e400, -1e400]',
    b'[NaN, Infinity, -Infinity]',
    b'{"a": 1, "a": 2, "b": {"\\u00e9": "\\ud83d\\ude00", "x": "\\ud800"}}',
    b'[' + b'[' * 300 + b']' * 300 + b']',
    b'"' + b'1' * 40 + b'"',
]


@pytest.mark.parametrize("raw", STDLIB_READ)
def test_read_back_as_the_stdlib_reads(raw):
    assert typed(_loads(raw)) == typed(json.loads(raw))


@pytest.mark.parametrize("depth", [990, 1000, 1024, 1025, 5000])
def test_deep_nesting_fails_or_not_as_before(depth):
    raw = b"[" * depth + b"]" * depth
    try:
        expected = json.loads(raw)
    except RecursionError:
        with pytest.raises(RecursionError):
            _loads(raw)
    else:
        assert _loads(raw) == expected


@pytest.mark.parametrize("script", ["[1e20, 2**63, -(2**64), -0, 0.1, 1/3, 'é😀', 1e21, 2**53 + 2]", "['\\ud800', '\\udc00x']"])
def test_values_from_javascript_as_the_stdlib_read_them(script):
    interp = PagesInterpreter()
    value = interp.eval_script(script)
    raw = _dukpy.eval_string(interp, script.encode(), b"{}", False, "t")
    assert typed(value) == typed(json.loads(raw))
    assert value[0] == 10 ** 20 and type(value[0]) is int if len(value) > 2 else value == ["\ud800", "\udc00x"]
