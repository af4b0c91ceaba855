"""``e.requestInfo()`` as PocketBase computes it: the query's first values, the headers under
lower-case names with ``_`` for ``-``, and the body: JSON as parsed, form fields typed (``"1"`` → 1,
``"true"`` → true) with a urlencoded body's URL query merged in, as the binary does."""
from __future__ import annotations

import re

from bindings.request import BodyError, form_fields, load_json, parse_body

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?")
MAX_EXACT = 2 ** 53


def typed(value: str):
    """A form value as PocketBase reads it: true/false, a number written as Go prints it back, or the text."""
    if value == "true":
        return True
    if value == "false":
        return False
    if _NUMBER.fullmatch(value):
        if "." in value:
            return float(value) if repr(float(value)) == value else value
        if abs(int(value)) <= MAX_EXACT:
            return int(value)
    return value


def _collect(pairs) -> dict:
    fields: dict = {}
    for key, value in pairs:
        fields.setdefault(key, []).append(typed(value))
    return {k: v[0] if len(v) == 1 else v for k, v in fields.items()}


def first_values(raw_query: str, max_fields: int) -> dict:
    out: dict = {}
    for key, value in form_fields(raw_query, max_fields, "query string", 400) if raw_query else ():
        out.setdefault(key, value)
    return out


def hook_info(method: str, headers: dict, content_type: str, body: bytes, raw_query: str, max_fields: int) -> dict:
    """The values ``e.requestInfo()`` hands out; ``bodyError`` when the body cannot be read."""
    info = {"method": method, "query": first_values(raw_query, max_fields),
            "headers": {k.lower().replace("-", "_"): v for k, v in headers.items()}, "body": {}}
    mime = content_type.split(";")[0].strip().lower()
    try:
        if mime == "application/x-www-form-urlencoded":
            pairs = list(form_fields(body.decode("utf-8", "replace"), max_fields)) if body else []
            if raw_query:
                pairs += list(form_fields(raw_query, max_fields, "query string", 400))
            info["body"] = _collect(pairs)
        elif body and (mime == "application/json" or mime.endswith("+json")):
            info["body"] = load_json(body.decode("utf-8"))
        elif body and mime == "multipart/form-data":
            fields = parse_body(content_type, body, max_fields) or {}
            info["body"] = {k: ([typed(x) if isinstance(x, str) else x for x in v] if isinstance(v, list)
                                else typed(v) if isinstance(v, str) else v) for k, v in fields.items()}
    except (BodyError, ValueError, UnicodeDecodeError):
        info["bodyError"] = True
    return info
