"""Low-severity edges of the records API where pagesvm answered otherwise than PocketBase 0.40.6; each expected
answer was observed on the binary (same collection, same request)."""
from __future__ import annotations

import json
import urllib.parse

import pytest

from runtime.api import Api, ApiRequest
from runtime.data.collections import Collection, save_collection
from runtime.data.process import forget, store_for

GENERIC_400 = {"data": {}, "message": "Something went wrong while processing your request.", "status": 400}
LIST = "/api/collections/comments/records"


@pytest.fixture
def api(tmp_path):
    data_dir = str(tmp_path / "pb_data")
    store = store_for(data_dir)
    save_collection(store.db, Collection.from_api({
        "name": "comments", "type": "base", "listRule": "", "viewRule": "", "createRule": "", "updateRule": "",
        "deleteRule": "", "fields": [{"name": "text", "type": "text"}]}))
    store.save(store.new_record("comments", {"text": "a"}))
    yield Api(data_dir)
    forget(data_dir)


def _ask(api, method, path, query="", raw=b"", content_type="application/json"):
    answer = api.handle(ApiRequest(method, path, query, {}, raw, content_type if raw else ""))
    return answer.status, json.loads(answer.body) if answer.body else None


def _listed(api, text):
    status, body = _ask(api, "GET", LIST, "filter=" + urllib.parse.quote(text))
    return status, (len(body["items"]) if status == 200 else body)


@pytest.mark.parametrize("depth", [100, 300, 1746])
def test_redundant_parentheses_compile_flat(api, depth):
    """The binary lists through 1746 wrapping parentheses (the most 3500 characters hold); SQLite's parser
    stack refused pagesvm's nested SQL from about 100 (a 400)."""
    assert _listed(api, "(" * depth + "text='a'" + ")" * depth) == (200, 1)


@pytest.mark.parametrize("depth", [50, 199])
def test_a_nested_conjunction_compiles_flat(api, depth):
    """`a && (a && (a && ...))` is one conjunction: the binary answers it (199 deep: 200 expressions)."""
    assert _listed(api, "text='a' && (" * depth + "text='a'" + ")" * depth) == (200, 1)


@pytest.mark.parametrize("text", [
    "text='a' || (text='b' || (text='c' || text='d'))",
    "(text='b' || text='a') && text='a'",
    "text='b' && (text='x' || text='a')",
    "text='b' && text='x' || (text='a' || text='y')",
    "(text='a' && text='x') || (text='a' && (text='a'))",
])
def test_flattening_keeps_the_meaning(api, text):
    expected = eval(text.replace("text=", "'a'==").replace("&&", " and ").replace("||", " or "))  # noqa: S307
    assert _listed(api, text) == (200, int(expected))


@pytest.mark.parametrize("count, status", [(200, 200), (201, 400)])
def test_a_filter_holds_at_most_200_expressions(api, count, status):
    """The binary's limit: 200 comparisons per filter (parentheses do not count), then the generic 400."""
    answer = _listed(api, " || ".join(["text='a'"] * count))
    assert answer == ((200, 1) if status == 200 else (400, GENERIC_400))
    grouped = _listed(api, " || ".join(["(text='a' && text='a')"] * (count // 2 + count % 2)))
    assert grouped == ((200, 1) if status == 200 else (400, GENERIC_400))


@pytest.mark.parametrize("text, listed", [("text='a\x00'", None), ("te\x00xt='a'", None), ("text='a'\x00", 1),
                                          ("text='a'\x00 && text='b'", 1), ("(text='a'\x00)", None)])
def test_a_nul_ends_the_filter(api, text, listed):
    """The binary's filter scanner reads NUL as the end of the text: what comes before it is the filter."""
    assert _listed(api, text) == ((400, GENERIC_400) if listed is None else (200, listed))


@pytest.mark.parametrize("size, status", [("99999999999999999999", 400), ("9223372036854775808", 400),
                                          ("-9223372036854775809", 400), ("9223372036854775800", 200),
                                          ("10.5", 200)])
def test_an_excerpt_size_beyond_64_bits_is_refused(api, size, status):
    answer_status, body = _ask(api, "GET", LIST, f"fields=text:excerpt({size})")
    assert (answer_status, body if status == 400 else body["items"]) == (
        (400, GENERIC_400) if status == 400 else (200, [{"text": "a"}]))


LOADING_400 = {"data": {}, "message": "An error occurred while loading the submitted data.", "status": 400}
UNREADABLE = [b'{"text": ', b"[1]", b'{"\\ud800": 1}', b'{"text": "\\ud800"}', b'{"x": {"\\udc00y": 1}}',
              b'{"text": NaN}', b'{"text": -Infinity}', b'{"text": 1e999}', b'{"text": "a", "text": "b"}',
              b'{"text": "a", "x": {"y": 1, "y": 2}}', b'{"text": 1' + b"0" * 400 + b"}"]


@pytest.mark.parametrize("raw", UNREADABLE)
def test_a_body_the_binary_cannot_read_is_its_generic_400_on_the_records_routes(api, raw):
    """The binary refuses JSON with a lone UTF-16 surrogate (key or value), NaN/Infinity, a number beyond
    float64 or a repeated key, anywhere in the body; records create/update answer the generic 400 (pagesvm
    accepted most, and answered its own "Failed to load the submitted data" text for the rest)."""
    _, listed = _ask(api, "GET", LIST)
    record_id = listed["items"][0]["id"]
    assert _ask(api, "POST", LIST, raw=raw) == (400, GENERIC_400)
    assert _ask(api, "PATCH", f"{LIST}/{record_id}", raw=raw) == (400, GENERIC_400)
    assert _ask(api, "POST", "/api/collections/users/records", raw=raw) == (400, GENERIC_400)


@pytest.mark.parametrize("raw", UNREADABLE[:3] + UNREADABLE[5:6] + UNREADABLE[8:9])
@pytest.mark.parametrize("endpoint", ["auth-with-password", "request-password-reset", "confirm-password-reset",
                                      "request-verification"])
def test_an_unreadable_body_on_an_auth_endpoint_is_the_loading_400(api, raw, endpoint):
    assert _ask(api, "POST", f"/api/collections/users/{endpoint}", raw=raw) == (400, LOADING_400)


@pytest.mark.parametrize("content_type, raw", [("multipart/form-data", b"xx"),
                                               ("multipart/form-data; boundary=zz", b"garbage")])
def test_an_unreadable_multipart_body_is_the_generic_400(api, content_type, raw):
    assert _ask(api, "POST", LIST, raw=raw, content_type=content_type) == (400, GENERIC_400)


def test_a_readable_body_still_saves(api):
    status, body = _ask(api, "POST", LIST, raw=b'{"text": "a\\ud83d\\ude00 \\\\ud800", "n": 1.5, "m": 10}')
    assert status == 200 and body["text"] == "a\U0001F600 \\ud800"
