"""Replies to page JavaScript's calls are written by orjson (runtime/render/quickjs.py `_encode_reply`): the same
JSON as the stdlib encoder for what bindings return, and what orjson refuses is written by the stdlib as before."""
import json

import pytest

from runtime.render.quickjs import _encode_reply

_STDLIB = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


@pytest.mark.parametrize("value", [
    {"v": {"ok": {"b": 2 ** 50, "l": 3, "r": [["c", False, 0, "id", "t <&>\"'", 1.5, 846.0, -0.0, 1e300, 5e-324]]}}},
    {"v": ["\u2028\u2029", "日本語 😀", "\x00\x1f\x7f", "", None, True, False, 0, -(2 ** 63)]},
    {"v": {"k": {"x": [{"listRule": None, "deep": [[[{}]]]}]}}, "fx": [["header", "a", "b"]]},
    {"v": (1, 2)},
])
def test_same_json_as_the_stdlib(value):
    assert json.loads(_encode_reply(value)) == json.loads(_STDLIB(value))


@pytest.mark.parametrize("value", [{"v": 2 ** 64}, {"v": {1: "int key"}}, {"v": [True, {2: [3]}]}])
def test_what_orjson_refuses_the_stdlib_writes(value):
    assert _encode_reply(value) == _STDLIB(value).encode("utf-8")


@pytest.mark.parametrize("value", [{"v": "\ud800"}, {"v": b"bytes"}, {"v": object()}])
def test_what_neither_writes_fails_as_before(value):
    with pytest.raises((TypeError, ValueError)) as expected:
        _STDLIB(value).encode("utf-8")
    with pytest.raises(expected.type):
        _encode_reply(value)
