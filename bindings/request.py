"""The request family: what a page reads of the HTTP request, parsed once in Python.

It travels into the interpreter with the request (no calls back to Python): method,
URL, lower-cased headers, cookies (of a repeated name, the first), and the body —
urlencoded and multipart forms as an object (repeated keys and `a[]` keys as arrays),
JSON as its value, anything else as text.

Parsing is linear in the body's size and stops at ``max_fields`` fields (``--max-fields``):
it runs before page code and outside ``--timeout``, so a body of many repeated fields must
not cost more than reading it.
"""
from __future__ import annotations

import json
import math
import re
import urllib.parse
from itertools import accumulate

from python_multipart import create_form_parser
from python_multipart.multipart import MultipartState, parse_options_header

from .context import RequestInfo
from .cookies import parse_cookies

_UNSAFE_KEYS = {"__proto__", "constructor", "prototype"}
MAX_FIELDS = 1000  # the default of --max-fields (as Django's DATA_UPLOAD_MAX_NUMBER_FIELDS)
# Deeper JSON is refused: Python's decoder and the JSON the payload crosses into the
# interpreter as both recurse per level, and fail somewhere short of 1000 levels.
MAX_JSON_DEPTH = 512


class BodyError(ValueError):
    """A request the page cannot be given: a body that says it is JSON or a form but cannot be
    parsed (400), or a body or query string with more fields than ``--max-fields`` allows."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


_FIELD = re.compile(r"[^&]+")


def form_fields(text: str, max_fields: int, what: str = "request body", status: int = 413):
    """The (name, value) pairs of an urlencoded string, as ``parse_qsl(keep_blank_values=True)``
    gives them, one at a time: nothing is built for the pieces past ``max_fields`` (a body of
    millions of ``&`` costs no list of millions of strings), whose first one raises BodyError."""
    unquote = urllib.parse.unquote_plus
    for count, match in enumerate(_FIELD.finditer(text), 1):
        if count > max_fields:
            raise BodyError(f"{what} has more than {max_fields} fields (--max-fields)", status)
        name, _, value = match.group().partition("=")
        yield unquote(name), unquote(value)


# -- JSON ------------------------------------------------------------------------------------
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _nested_deeper(text: str, limit: int) -> bool:
    """Whether valid JSON ``text`` nests arrays and objects deeper than ``limit``, found without
    recursion: strings dropped, the brackets left are a running sum (all of it in C)."""
    if len(text) < 2 * (limit + 1):  # each level deeper than ``limit`` needs its opening and closing bracket
        return False
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if len(brackets) // 2 <= limit:  # balanced: half of them open
        return False
    return max(accumulate(map(_STEP.__getitem__, brackets.encode("ascii")))) > limit


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


# One decoder for every call: json.loads with these hooks builds a new JSONDecoder each time.
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite_float)
# What a JSON text can start with, after its leading whitespace: a query value that starts with
# anything else (most do: `?name=x`) is a string without a decoder's SyntaxError, which costs
# ~10 µs to raise and catch.
_MAY_START_JSON = re.compile(r'[ \t\n\r]*[-0-9"\[{tfn]')


def load_json(text: str):
    """``json.loads``, refusing (ValueError) what the page's interpreter could not be given:
    nesting over MAX_JSON_DEPTH, NaN, Infinity or a number that overflows to it, a string with
    a lone surrogate (``"\\ud800"``: not encodable as UTF-8)."""
    if text.startswith("\ufeff"):  # json.loads's own refusal, with its message
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    try:
        value = _DECODER.decode(text)
    except RecursionError:
        value, deep = None, True
    else:
        deep = _nested_deeper(text, MAX_JSON_DEPTH)
    if deep:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    if _SURROGATE_ESCAPE.search(text):  # a pair is fine, a lone half is not
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("a string holds a lone UTF-16 surrogate") from None
    return value


# -- query and body --------------------------------------------------------------------------
def parse_query(query_string: str, max_fields: int = MAX_FIELDS) -> dict:
    """Query values JSON-parsed when they parse (``?n=5`` → 5); the first of repeated keys wins."""
    params: dict = {}
    for key, value in form_fields(query_string, max_fields, "query string", 400):
        if key in params or key in _UNSAFE_KEYS:
            continue
        if not _MAY_START_JSON.match(value):
            params[key] = value
            continue
        try:
            params[key] = load_json(value)
        except ValueError:
            params[key] = value
    return params


def _add_field(fields: dict, key: str, value) -> None:
    """Repeated keys and ``a[]`` keys collect into a list, appended to in place (values are
    never lists themselves)."""
    if key in _UNSAFE_KEYS:
        return
    current = fields.get(key, _ABSENT)
    if current is _ABSENT:
        fields[key] = [value] if key.endswith("[]") else value
    elif isinstance(current, list):
        current.append(value)
    else:
        fields[key] = [current, value]


_ABSENT = object()


def parse_body(content_type: str, body: bytes, max_fields: int = MAX_FIELDS):
    if not body:
        return None
    mime_bytes, options = parse_options_header(content_type or "")
    mime = mime_bytes.decode("latin-1").lower()
    if mime == "application/json" or mime.endswith("+json"):
        try:
            return load_json(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise BodyError(f"request body is not valid JSON: {e}") from None
    if mime == "application/x-www-form-urlencoded":
        fields: dict = {}
        for key, value in form_fields(body.decode("utf-8", "replace"), max_fields):
            _add_field(fields, key, value)
        return fields
    if mime == "multipart/form-data":
        return _parse_multipart(content_type, options, body, max_fields)
    return body.decode("utf-8", "replace")


def _parse_multipart(content_type: str, options: dict, body: bytes, max_fields: int) -> dict:
    if not options.get(b"boundary"):
        raise BodyError("multipart body without a boundary")
    fields: dict = {}
    count = 0

    def add(name: bytes, value) -> None:
        nonlocal count
        count += 1
        if count > max_fields:
            raise BodyError(f"request body has more than {max_fields} parts (--max-fields)", 413)
        _add_field(fields, name.decode("utf-8", "replace"), value)

    def on_field(field):
        add(field.field_name or b"", (field.value or b"").decode("utf-8", "replace"))

    def on_file(upload):
        upload.close()
        add(upload.field_name or b"", {
            "filename": (upload.file_name or b"").decode("utf-8", "replace"), "size": upload.size,
            "type": getattr(upload, "content_type", None)})

    headers = {"Content-Type": content_type.encode("latin-1"), "Content-Length": str(len(body)).encode()}
    try:
        parser = create_form_parser(headers, on_field, on_file)
        parser.write(body)
        parser.finalize()
    except BodyError:
        raise
    except Exception as e:  # noqa: BLE001 - the parser raises several kinds
        raise BodyError(f"malformed multipart body: {e}") from None
    # The parser stops quietly where the body does: without its closing boundary the body was cut
    # short, and the parts read so far are not the form that was sent.
    if parser.parser.state != MultipartState.END:
        raise BodyError("malformed multipart body: no closing boundary")
    return fields


# A Cookie header's cookies, decoded, by the header's text: a client sends the same header on every request, and
# URL-decoding a signed-in visitor's pb_auth value (~650 characters, mostly %XX) costs ~14 µs. Only headers with
# a %XX to decode, of at most 4096 characters; at most 512, the table emptied when full. Each request gets a copy.
_decoded_cookies: dict = {}
_COOKIES_MAX = 512


def _cookies(header: str) -> dict:
    found = _decoded_cookies.get(header)
    if found is not None:
        return found.copy()
    found = {k: urllib.parse.unquote(v) for k, v in parse_cookies(header).items()}
    if "%" in header and len(header) <= 4096:
        if len(_decoded_cookies) >= _COOKIES_MAX:
            _decoded_cookies.clear()
        _decoded_cookies[header] = found.copy()
    return found


def lowered_headers(headers) -> dict:
    """Header names lower-cased, a repeated header's values joined with "," (what Tornado's ``items()`` gives),
    read off ``get_all``'s lines: ``items()`` goes through the Mapping machinery, ~0.3 µs more a header."""
    get_all = getattr(headers, "get_all", None)
    if get_all is None:
        return {k.lower(): v for k, v in headers.items()}
    out: dict = {}
    repeated = None  # name: its values, for a name given more than once (joined once: linear in the lines)
    for name, value in get_all():
        name = name.lower()
        if name not in out:
            out[name] = value
        elif repeated is None:
            repeated = {name: [out[name], value]}
        elif name in repeated:
            repeated[name].append(value)
        else:
            repeated[name] = [out[name], value]
    if repeated is not None:
        for name, values in repeated.items():
            out[name] = ",".join(values)
    return out


def request_info(tornado_request, path: str, scheme: str, remote_ip: str,
                 max_fields: int = MAX_FIELDS) -> RequestInfo:
    headers = lowered_headers(tornado_request.headers)
    # Several Cookie headers are one list of cookies (RFC 6265 §5.4); the first of a name wins.
    cookie = "; ".join(tornado_request.headers.get_list("Cookie")) if "cookie" in headers else ""
    cookies = _cookies(cookie) if cookie else {}
    body = parse_body(headers.get("content-type", ""), tornado_request.body, max_fields)
    query = tornado_request.query
    return RequestInfo(
        method=tornado_request.method.upper(), path=path, url=tornado_request.uri, headers=headers,
        cookies=cookies, query=parse_query(query, max_fields) if query else {}, body=body,
        host=tornado_request.host, scheme=scheme, remote_ip=remote_ip,
    )


def payload(info: RequestInfo) -> dict:
    """The request as page JavaScript receives it. The query parsed here (``params``) is also
    ``request.url.query`` (bindings/request.js), so the two agree and it is parsed once."""
    sent = {"method": info.method, "url": info.url, "host": info.host, "headers": info.headers,
            "cookies": info.cookies, "body": info.body}
    if info.query:
        sent["query"] = info.query
    return sent
