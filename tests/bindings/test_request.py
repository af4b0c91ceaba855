"""Request parsing as plain objects: forms field by field, JSON only as far as the page can take it."""
from __future__ import annotations

import urllib.parse

import pytest

from bindings.request import BodyError, form_fields, load_json, parse_body, parse_query

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("text", ["a=1&b=%20x+y&c&=v&a=2&&d[]=1&d[]=2", "e=%ff%E2%82%AC&f==g", "&&&", "x", ""])
def test_form_fields_are_what_parse_qsl_gives(text):
    assert list(form_fields(text, 100)) == urllib.parse.parse_qsl(text, keep_blank_values=True)


def test_repeated_and_bracket_keys_collect_into_lists_in_order():
    fields = parse_body(FORM, b"a=1&b[]=x&a=2&c=3&a=3&__proto__=p")
    assert fields == {"a": ["1", "2", "3"], "b[]": ["x"], "c": "3"}


def test_fields_past_the_cap_are_refused_with_413_and_empty_pieces_do_not_count():
    assert len(parse_body(FORM, b"a=&" * 10 + b"&&&&", max_fields=10)["a"]) == 10
    with pytest.raises(BodyError) as refused:
        parse_body(FORM, b"a=&" * 11, max_fields=10)
    assert refused.value.status == 413
    parts = b'--B\r\nContent-Disposition: form-data; name="f"; filename="x.txt"\r\n\r\nhi\r\n' * 3 + b"--B--\r\n"
    assert len(parse_body("multipart/form-data; boundary=B", parts, max_fields=3)["f"]) == 3
    with pytest.raises(BodyError) as refused:
        parse_body("multipart/form-data; boundary=B", parts, max_fields=2)
    assert refused.value.status == 413


def test_query_string_past_the_cap_is_a_400_and_its_first_value_wins():
    assert parse_query("a=1&a=2&b=x", max_fields=3) == {"a": 1, "b": "x"}
    with pytest.raises(BodyError) as refused:
        parse_query("a=1&a=2&b=x", max_fields=2)
    assert refused.value.status == 400


@pytest.mark.parametrize("text", ["[" * 513 + "]" * 513, "[" * 5000 + "]" * 5000, "[NaN]", "[Infinity]",
                                  "[-1e999]", '["\\ud800"]', '{"\\udc00x": 1}'],
                         ids=["deep-513", "deep-5000", "nan", "infinity", "overflow", "surrogate", "surrogate-key"])
def test_json_the_interpreter_cannot_take_is_refused(text):
    with pytest.raises(ValueError):
        load_json(text)


@pytest.mark.parametrize("text", ["[" * 512 + "]" * 512, '["[[[' + "[" * 600 + '"]', '["\\ud83d\\ude00", "\\\\ud800"]',
                                  "[1e308, -0.5, 12345678901234567890]", '{"a": [{}, [], {"b": [1]}]}'],
                         ids=["deep-512", "brackets-in-a-string", "surrogate-pair", "numbers", "mixed"])
def test_json_within_reach_is_parsed_as_python_parses_it(text):
    import json

    assert load_json(text) == json.loads(text)


def _as_json_loads_reads_it(value: str):
    """The rule parse_query's shortcut must keep: json.loads (with load_json's refusals), else the text."""
    try:
        return load_json(value)
    except ValueError:
        return value


def test_query_values_that_skip_the_decoder_read_as_the_decoder_would():
    # Every first character (and each after JSON's whitespace), then a few tails: the shortcut that skips the
    # decoder for a value no JSON text can start with must give what the decoder's refusal gives.
    tails = ["", "1", "rue", "ull", "alse", "\"", "]", "}", "x", "e5", ".5", " ", "NaN", "nfinity"]
    values = [lead + chr(c) + tail for c in range(0x20, 0x7f) for lead in ("", " ", "\t", "\r\n ") for tail in tails]
    values += ["\ufeff1", "\u00a01", "NaN", "Infinity", "-Infinity", "1e999", "\"\\ud800\"", "[" * 600 + "]" * 600]
    for value in values:
        query = "v=" + urllib.parse.quote(value, safe="")
        assert parse_query(query) == {"v": _as_json_loads_reads_it(value)}, repr(value)
