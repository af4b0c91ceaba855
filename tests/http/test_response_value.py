"""``Response`` as a plain object (runtime/http/response.py): the no-body rule, Content-Length and
HEAD, cookies and headers as they are written, and what ``page_response`` refuses."""
from __future__ import annotations

import pytest
from tornado.httputil import HTTPHeaders

from bindings.cookies import serialize_cookie
from bindings.tokens import AUTH_COOKIE, MAX_COOKIE_VALUE, auth_cookie_json, encode_auth_cookie
from runtime.http.response import (HTML, Refusal, Response, error_response, has_body, page_response,
                                   refusal_response)


def framed(response: Response, method: str = "GET") -> tuple[HTTPHeaders, bytes]:
    headers = HTTPHeaders()
    return headers, response.framed(headers, method)


def no_file(rel):
    raise AssertionError(f"read_file({rel!r}) was not expected")


@pytest.mark.parametrize("status", [100, 101, 199, 204, 304])
def test_a_status_without_a_body_sends_none_and_no_representation_headers(status):
    headers, chunk = framed(Response(status, "dropped", [("Content-Type", HTML), ("X-Kept", "1")]))
    assert chunk == b"" and not has_body(status)
    assert "Content-Length" not in headers and "Content-Type" not in headers
    assert headers["X-Kept"] == "1"


def test_content_length_counts_the_utf8_bytes_and_head_sends_only_the_head():
    response = Response(200, "héllo 日本")
    headers, chunk = framed(response)
    assert chunk == "héllo 日本".encode("utf-8") and headers["Content-Length"] == str(len(chunk))
    head_headers, head_chunk = framed(response, "HEAD")
    assert head_chunk == b"" and head_headers["Content-Length"] == str(len(chunk))


def test_an_empty_200_still_says_content_length_0():
    headers, chunk = framed(Response(200, ""))
    assert chunk == b"" and headers["Content-Length"] == "0"


def test_cookies_are_written_first_and_a_later_header_replaces_an_earlier_one():
    response = Response(200, b"x", [("Content-Type", HTML), ("content-type", "text/plain")])
    response.cookie("a", "1", {})
    response.cookie("b", "2 3", {"path": "/p"})
    headers, _ = framed(response)
    assert headers.get_list("Set-Cookie") == ["a=1; SameSite=Lax", "b=2%203; Path=/p; SameSite=Lax"]
    assert headers.get_list("Content-Type") == ["text/plain"]


@pytest.mark.parametrize("name, value", [("X-Bad", "a\r\nb"), ("Bad Name", "v"), ("X-Wide", "日本"),
                                         ("Content-Length", "5"), ("Transfer-Encoding", "chunked")])
def test_a_header_http_cannot_carry_is_a_500_refusal_with_a_detail_to_log(name, value):
    with pytest.raises(Refusal) as caught:
        page_response({"headers": [[name, value]], "body": "x"}, 1000, no_file)
    assert caught.value.status == 500 and caught.value.reason == "invalid response header"
    assert caught.value.detail.startswith("set a bad header")


def test_a_bad_cookie_is_a_500_refusal():
    with pytest.raises(Refusal) as caught:
        page_response({"cookies": [{"name": "c", "value": "v", "options": {"path": "/; Domain=evil"}}]}, 1000, no_file)
    assert caught.value.status == 500 and "set a bad header" in caught.value.detail


@pytest.mark.parametrize("status", [100, 101, 199, 600, 999])
def test_a_status_outside_200_to_599_is_a_500_refusal(status):
    with pytest.raises(Refusal) as caught:
        page_response({"status": status, "body": "x"}, 1000, no_file)
    assert (caught.value.status, caught.value.detail) == (500, f"set an invalid status {status}")


def test_output_over_the_limit_is_a_500_refusal():
    assert page_response({"body": "x" * 10}, 10, no_file).body == "x" * 10
    with pytest.raises(Refusal) as caught:
        page_response({"body": "x" * 11}, 10, no_file)
    assert caught.value.status == 500 and "over --max-output" in caught.value.detail


def test_a_304_page_keeps_its_headers_and_cookies_but_no_body_or_location():
    response = page_response({"status": 304, "body": "rendered", "redirect": "/x", "headers": [["ETag", '"1"']],
                              "cookies": [{"name": "c", "value": "v"}]}, 1000, no_file)
    headers, chunk = framed(response)
    assert chunk == b"" and headers["ETag"] == '"1"' and "Location" not in headers
    assert headers["Set-Cookie"].startswith("c=v")


def test_a_redirect_has_its_location_encoded_and_no_body():
    headers, chunk = framed(page_response({"status": 302, "redirect": "/s?q=日", "body": "ignored"}, 1000, no_file))
    assert headers["Location"] == "/s?q=%E6%97%A5" and chunk == b""


def test_the_type_a_page_finished_with_wins_over_its_content_type_header():
    page = {"headers": [["Content-Type", "text/plain"]], "body": "{}"}
    assert framed(page_response(page, 1000, no_file))[0]["Content-Type"] == "text/plain"
    headers, _ = framed(page_response({**page, "type": "application/json"}, 1000, no_file))
    assert headers.get_list("Content-Type") == ["application/json"]
    assert framed(page_response({"body": "x"}, 1000, no_file))[0]["Content-Type"] == HTML


def test_a_file_answer_reads_through_the_given_reader_and_its_refusal_passes_through():
    response = page_response({"file": "a.css", "headers": [["X-A", "1"]]}, 1000, lambda rel: ("text/css", b"b{}"))
    headers, chunk = framed(response)
    assert chunk == b"b{}" and headers["Content-Type"] == "text/css" and headers["X-A"] == "1"

    def missing(rel):
        raise Refusal(404, "file not found")

    with pytest.raises(Refusal) as caught:
        page_response({"file": "+load.js"}, 1000, missing)
    assert caught.value.status == 404


def test_refusal_and_error_pages_are_html_and_a_503_says_when_to_retry():
    headers, chunk = framed(refusal_response(413, "too big"))
    assert headers["Content-Type"] == HTML and b"413" in chunk and b"too big" in chunk
    assert "Retry-After" not in headers
    assert framed(error_response(503, "busy"))[0]["Retry-After"] == "1"


# -- the auth cookie: its size check measures the encoding that is sent ---------------------------
def _record(**fields) -> dict:
    return {"id": "u1", "email": "a@example.com", "created": "2024-01-01", "updated": "2024-01-01",
            "verified": False, **fields}


def _sent_value(value: str) -> str:
    """The value part of the Set-Cookie header pagesvm writes for ``value``."""
    return serialize_cookie(AUTH_COOKIE, value, {"sameSite": None}).split("=", 1)[1]


def test_the_auth_cookie_is_measured_exactly_as_it_is_sent():
    # "(" and ")" were kept by the Set-Cookie encoding but counted as %28/%29 by the size check.
    record = _record(name="(Big) (Name)" * 3)
    payload = auth_cookie_json("tok.en", record)
    assert _sent_value(payload) == encode_auth_cookie("tok.en", record)


@pytest.mark.parametrize("filler", ["(", "é", "x"])
def test_a_record_that_would_make_the_sent_cookie_too_large_is_cut_and_one_that_fits_is_kept(filler):
    base = len(_sent_value(auth_cookie_json("tok.en", _record(bio=""))))
    per_char = len(_sent_value(filler))
    fits = _record(bio=filler * ((MAX_COOKIE_VALUE - base) // per_char))
    over = _record(bio=filler * ((MAX_COOKIE_VALUE - base) // per_char + 1))
    assert '"bio"' in auth_cookie_json("tok.en", fits)
    assert len(_sent_value(auth_cookie_json("tok.en", fits))) <= MAX_COOKIE_VALUE
    assert '"bio"' not in auth_cookie_json("tok.en", over)
