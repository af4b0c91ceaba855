"""Body and query parsing (bindings/request.py) as plain functions: urlencoded and multipart forms,
JSON, other content types, the --max-fields caps, and ``request_info`` over a fake request.
The shared basics (parse_qsl parity, JSON depth) are in test_request.py."""
from __future__ import annotations

import pytest
from tornado.httputil import HTTPHeaders

from bindings.request import BodyError, parse_body, parse_query, payload, request_info

FORM = "application/x-www-form-urlencoded"
BOUNDARY = "b0undary-XyZ"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(*parts: tuple[list[str], bytes], close: bool = True, boundary: str = BOUNDARY) -> bytes:
    """A multipart body of (header lines, content) parts."""
    out = b""
    for headers, content in parts:
        out += f"--{boundary}\r\n".encode() + b"".join(h.encode("utf-8") + b"\r\n" for h in headers)
        out += b"\r\n" + content + b"\r\n"
    return out + (f"--{boundary}--\r\n".encode() if close else b"")


def text_part(name: str, value: bytes, *extra: str) -> tuple[list[str], bytes]:
    return [f'Content-Disposition: form-data; name="{name}"', *extra], value


def file_part(name: str, filename: str, content: bytes, content_type: str | None = None):
    headers = [f'Content-Disposition: form-data; name="{name}"; filename="{filename}"']
    if content_type:
        headers.append(f"Content-Type: {content_type}")
    return headers, content


def refusal(call) -> tuple[int, str]:
    with pytest.raises(BodyError) as refused:
        call()
    return refused.value.status, str(refused.value)


# -- urlencoded ---------------------------------------------------------------------------------
def test_urlencoded_decodes_plus_and_percent():
    fields = parse_body(FORM, b"a=1+2&b=%41%2B%26&c=caf%C3%A9&sp%20ace=x")
    assert fields == {"a": "1 2", "b": "A+&", "c": "café", "sp ace": "x"}


def test_urlencoded_keeps_empty_values_and_names():
    assert parse_body(FORM, b"a=&b&=v&c==x") == {"a": "", "b": "", "": "v", "c": "=x"}


def test_urlencoded_repeated_keys_become_lists_values_stay_strings():
    assert parse_body(FORM, b"n=1&n=2&n=3&j=%7B%7D") == {"n": ["1", "2", "3"], "j": "{}"}


@pytest.mark.parametrize("body, expected", [
    (b"a=%ff", {"a": "\ufffd"}),  # not UTF-8: replaced, not refused
    (b"a=\xe9t\xe9", {"a": "\ufffdt\ufffd"}),
    (b"a=%zz&b=%4", {"a": "%zz", "b": "%4"}),  # broken escapes stay as written
])
def test_urlencoded_bad_encodings_are_replaced_not_refused(body, expected):
    assert parse_body(FORM, body) == expected


def test_urlencoded_content_type_is_matched_without_case_or_parameters():
    assert parse_body("Application/X-WWW-Form-Urlencoded; charset=utf-8", b"a=1") == {"a": "1"}


def test_urlencoded_charset_parameter_is_not_honoured():
    # Only UTF-8 is read (as browsers send forms); a latin-1 form's é becomes U+FFFD.
    assert parse_body(f"{FORM}; charset=iso-8859-1", b"a=caf%E9") == {"a": "caf\ufffd"}


def test_urlencoded_unsafe_keys_are_dropped():
    assert parse_body(FORM, b"__proto__=1&constructor=2&prototype=3&ok=4") == {"ok": "4"}


def test_urlencoded_field_cap_is_413_naming_the_cap():
    assert len(parse_body(FORM, b"&".join([b"a=1"] * 5), max_fields=5)["a"]) == 5
    status, reason = refusal(lambda: parse_body(FORM, b"&".join([b"a=1"] * 6), max_fields=5))
    assert status == 413
    assert reason == "request body has more than 5 fields (--max-fields)"


# -- query string ---------------------------------------------------------------------------------
def test_query_values_are_json_parsed_when_they_parse():
    query = parse_query("n=5&t=true&z=null&o=%7B%22k%22%3A1%7D&s=hi&q=%22quoted%22&e=&big=1e999")
    assert query == {"n": 5, "t": True, "z": None, "o": {"k": 1}, "s": "hi", "q": "quoted", "e": "", "big": "1e999"}


def test_query_first_value_wins_and_unsafe_keys_are_dropped():
    assert parse_query("a=1&a=2&__proto__=x&constructor=y") == {"a": 1}


def test_query_cap_is_400_naming_the_query_string():
    assert parse_query("a&b&c", max_fields=3) == {"a": "", "b": "", "c": ""}
    status, reason = refusal(lambda: parse_query("a&b&c&d", max_fields=3))
    assert status == 400 and reason == "query string has more than 3 fields (--max-fields)"


# -- multipart ----------------------------------------------------------------------------------
def test_multipart_text_fields_and_repeated_names():
    body = multipart(text_part("a", b"1"), text_part("a", b"2"), text_part("t[]", b"only"), text_part("b", b"x y"))
    assert parse_body(MULTIPART, body) == {"a": ["1", "2"], "t[]": ["only"], "b": "x y"}


def test_multipart_file_part_gives_name_size_and_type_not_content():
    body = multipart(file_part("up", "résumé.txt", b"hello world", "text/plain"), text_part("note", b"n"))
    assert parse_body(MULTIPART, body) == {
        "up": {"filename": "résumé.txt", "size": 11, "type": "text/plain"}, "note": "n"}


def test_multipart_file_without_content_type_or_name():
    body = multipart(file_part("f", "a.bin", b"\0" * 10), file_part("g", "", b"", "application/octet-stream"))
    assert parse_body(MULTIPART, body) == {"f": {"filename": "a.bin", "size": 10, "type": None},
                                           "g": {"filename": "", "size": 0, "type": "application/octet-stream"}}


def test_multipart_repeated_file_names_collect_into_a_list():
    body = multipart(file_part("f", "1.txt", b"a"), file_part("f", "2.txt", b"bb"))
    assert [(f["filename"], f["size"]) for f in parse_body(MULTIPART, body)["f"]] == [("1.txt", 1), ("2.txt", 2)]


def test_multipart_values_are_read_as_utf8_whatever_the_part_charset():
    body = multipart(text_part("u", "é".encode()), text_part("l", "é".encode("latin-1"), "Content-Type: text/plain; charset=latin-1"))
    assert parse_body(MULTIPART, body) == {"u": "é", "l": "\ufffd"}


def test_multipart_quoted_boundary_and_unsafe_names():
    body = multipart(text_part("q", b"v"), text_part("__proto__", b"x"), boundary="with space")
    assert parse_body('multipart/form-data; boundary="with space"', body) == {"q": "v"}


def test_multipart_without_boundary_is_400():
    assert refusal(lambda: parse_body("multipart/form-data", multipart(text_part("a", b"1")))) == (
        400, "multipart body without a boundary")


@pytest.mark.parametrize("body", [
    b"not multipart at all",
    multipart((["Content-Disposition: form-data"], b"no name")),
    multipart((["X-Other: header"], b"no disposition")),
    multipart(text_part("a", b"1"), boundary="another-boundary"),
], ids=["garbage", "no-name", "no-disposition", "other-boundary"])
def test_malformed_multipart_is_400(body):
    status, reason = refusal(lambda: parse_body(MULTIPART, body))
    assert status == 400 and reason.startswith("malformed multipart body: ")


@pytest.mark.parametrize("body", [
    multipart(text_part("a", b"1"), close=False),
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\ncut off'.encode(),
], ids=["no-closing-boundary", "cut-mid-part"])
def test_truncated_multipart_is_refused(body):
    assert refusal(lambda: parse_body(MULTIPART, body)) == (400, "malformed multipart body: no closing boundary")


def test_multipart_parts_of_both_kinds_count_against_the_cap():
    parts = [text_part("a", b"1"), file_part("f", "x.txt", b"x"), text_part("b", b"2")]
    assert len(parse_body(MULTIPART, multipart(*parts), max_fields=3)) == 3
    status, reason = refusal(lambda: parse_body(MULTIPART, multipart(*parts, text_part("c", b"3")), max_fields=3))
    assert status == 413 and reason == "request body has more than 3 parts (--max-fields)"


# -- JSON and the rest ---------------------------------------------------------------------------
@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "application/vnd.api+json", "APPLICATION/JSON"])
def test_json_bodies_are_parsed(content_type):
    assert parse_body(content_type, b'{"a": [1, "x", null], "b": {"c": true}}') == {
        "a": [1, "x", None], "b": {"c": True}}


@pytest.mark.parametrize("body", [b"{bad", b"\xff\xfe", b"[1,]", b'{"a": NaN}', b"[" * 600 + b"]" * 600])
def test_bad_json_body_is_400(body):
    status, reason = refusal(lambda: parse_body("application/json", body))
    assert status == 400 and reason.startswith("request body is not valid JSON: ")


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream", "", "nonsense", None])
def test_other_content_types_give_the_body_as_text(content_type):
    assert parse_body(content_type, b"a=1&b=\xff") == "a=1&b=\ufffd"


@pytest.mark.parametrize("content_type", [FORM, MULTIPART, "application/json", "text/plain"])
def test_empty_body_is_none_whatever_the_type(content_type):
    assert parse_body(content_type, b"") is None


# -- request_info over a request object ----------------------------------------------------------
class FakeRequest:
    """What request_info reads of Tornado's request (or connection.py's _Request)."""

    def __init__(self, method="GET", uri="/", headers=(), body=b"", host="example.test"):
        self.method, self.uri, self.body, self.host = method, uri, body, host
        self.headers = HTTPHeaders()
        for name, value in headers:
            self.headers.add(name, value)
        self.path, _, self.query = uri.partition("?")


def test_request_info_reads_method_url_headers_query_and_body():
    request = FakeRequest("post", "/shop/cart?n=2&tag=a&tag=b", [("Content-Type", FORM), ("X-Thing", "1")],
                          b"item=7&item=8")
    info = request_info(request, "/shop/cart", "https", "10.1.2.3")
    assert (info.method, info.path, info.url, info.host) == ("POST", "/shop/cart", "/shop/cart?n=2&tag=a&tag=b",
                                                            "example.test")
    assert info.headers == {"content-type": FORM, "x-thing": "1"}
    assert info.query == {"n": 2, "tag": "a"}
    assert info.body == {"item": ["7", "8"]}
    assert info.secure and info.remote_ip == "10.1.2.3" and info.cookies == {}
    assert payload(info) == {"method": "POST", "url": "/shop/cart?n=2&tag=a&tag=b", "host": "example.test",
                             "headers": info.headers, "cookies": {}, "body": {"item": ["7", "8"]},
                             "query": {"n": 2, "tag": "a"}}  # parsed once, here: also request.url.query


def test_request_info_merges_cookie_headers_first_name_wins_values_unquoted():
    request = FakeRequest(headers=[("Cookie", "a=1; j=%7B%22k%22%3A1%7D"), ("Cookie", "a=2; s=x%20y")])
    info = request_info(request, "/", "http", "127.0.0.1")
    assert info.cookies == {"a": "1", "j": '{"k":1}', "s": "x y"}
    assert not info.secure


def test_request_info_without_query_or_body():
    info = request_info(FakeRequest(), "/", "http", "127.0.0.1")
    assert info.query == {} and info.body is None


def test_request_info_caps_query_with_400_and_body_with_413():
    too_many_query = FakeRequest(uri="/?a&b&c")
    assert refusal(lambda: request_info(too_many_query, "/", "http", "::1", max_fields=2))[0] == 400
    too_many_fields = FakeRequest("POST", "/", [("Content-Type", FORM)], b"a&b&c")
    assert refusal(lambda: request_info(too_many_fields, "/", "http", "::1", max_fields=2))[0] == 413


def test_request_info_refuses_a_bad_json_body():
    request = FakeRequest("POST", "/", [("Content-Type", "application/json")], b"{")
    assert refusal(lambda: request_info(request, "/", "http", "::1"))[0] == 400


def test_lowered_headers_read_as_tornados_items_lower_cased():
    from bindings.request import lowered_headers

    headers = HTTPHeaders()
    for name, value in [("Host", "h"), ("X-A", "1"), ("x-a", "2"), ("Accept", ""), ("X-Long", "a,b"), ("X-A", "3")]:
        headers.add(name, value)
    assert lowered_headers(headers) == {k.lower(): v for k, v in headers.items()}
    assert lowered_headers(headers)["x-a"] == "1,2,3"
    assert lowered_headers({"Content-Type": "text/plain"}) == {"content-type": "text/plain"}  # a plain mapping
