"""The request family: what a page reads of the HTTP request, parsed once in Python.

It travels into the interpreter with the request (no calls back to Python): method,
URL, lower-cased headers, cookies (of a repeated name, the first), and the body —
urlencoded and multipart forms as an object (repeated keys and `a[]` keys as arrays),
JSON as its value, anything else as text.
"""
from __future__ import annotations

import json
import urllib.parse
from io import BytesIO

from python_multipart import parse_form
from python_multipart.multipart import parse_options_header

from .context import RequestInfo
from .cookies import parse_cookies

_UNSAFE_KEYS = {"__proto__", "constructor", "prototype"}


class BodyError(ValueError):
    """A request body that says it is JSON or a form but cannot be parsed."""


def parse_query(query_string: str) -> dict:
    """Query values JSON-parsed when they parse (``?n=5`` → 5); the first of repeated keys wins."""
    params: dict = {}
    for key, value in urllib.parse.parse_qsl(query_string, keep_blank_values=True):
        if key in params or key in _UNSAFE_KEYS:
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def _add_field(fields: dict, key: str, value) -> None:
    if key in _UNSAFE_KEYS:
        return
    if key in fields:
        current = fields[key]
        fields[key] = current + [value] if isinstance(current, list) else [current, value]
    else:
        fields[key] = [value] if key.endswith("[]") else value


def parse_body(content_type: str, body: bytes):
    if not body:
        return None
    mime_bytes, options = parse_options_header(content_type or "")
    mime = mime_bytes.decode("latin-1").lower()
    if mime == "application/json" or mime.endswith("+json"):
        try:
            return json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise BodyError(f"request body is not valid JSON: {e}") from None
    if mime == "application/x-www-form-urlencoded":
        fields: dict = {}
        for key, value in urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            _add_field(fields, key, value)
        return fields
    if mime == "multipart/form-data":
        if not options.get(b"boundary"):
            raise BodyError("multipart body without a boundary")
        fields = {}

        def on_field(field):
            _add_field(fields, field.field_name.decode("utf-8", "replace"), (field.value or b"").decode("utf-8", "replace"))

        def on_file(upload):
            upload.close()
            _add_field(fields, upload.field_name.decode("utf-8", "replace"), {
                "filename": (upload.file_name or b"").decode("utf-8", "replace"), "size": upload.size,
                "type": getattr(upload, "content_type", None)})

        headers = {"Content-Type": content_type.encode("latin-1"), "Content-Length": str(len(body)).encode()}
        try:
            parse_form(headers, BytesIO(body), on_field, on_file)
        except Exception as e:  # noqa: BLE001 - the parser raises several kinds
            raise BodyError(f"malformed multipart body: {e}") from None
        return fields
    return body.decode("utf-8", "replace")


def request_info(tornado_request, path: str, scheme: str, remote_ip: str) -> RequestInfo:
    headers = {k.lower(): v for k, v in tornado_request.headers.items()}
    # Several Cookie headers are one list of cookies (RFC 6265 §5.4); the first of a name wins.
    cookie = "; ".join(tornado_request.headers.get_list("Cookie")) if "cookie" in headers else ""
    cookies = {k: urllib.parse.unquote(v) for k, v in parse_cookies(cookie).items()} if cookie else {}
    body = parse_body(headers.get("content-type", ""), tornado_request.body)
    query = tornado_request.query
    return RequestInfo(
        method=tornado_request.method.upper(), path=path, url=tornado_request.uri, headers=headers,
        cookies=cookies, query=parse_query(query) if query else {}, body=body,
        host=tornado_request.host, scheme=scheme, remote_ip=remote_ip,
    )


def payload(info: RequestInfo) -> dict:
    """The request as page JavaScript receives it."""
    return {"method": info.method, "url": info.url, "host": info.host, "headers": info.headers,
            "cookies": info.cookies, "body": info.body}
