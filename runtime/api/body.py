"""A request body read as PocketBase reads it: JSON, a urlencoded form, or multipart with its files.

Multipart goes through ``python_multipart`` (streaming, C-speed boundary search); files are kept in
memory (the HTTP layer has already capped the body's size). A body that cannot be read is a 400 in
PocketBase's shape, never an exception out of the API: the generic 400 (the records routes answer that;
auth endpoints turn it into their own loading message). JSON is read as strictly as the binary reads it: a
repeated key, a lone UTF-16 surrogate, `NaN`/`Infinity` or a number beyond float64 anywhere is unreadable.
"""
from __future__ import annotations

import json
import math
import re
import urllib.parse

from python_multipart import create_form_parser
from python_multipart.multipart import MultipartState, parse_options_header

from .exchange import ApiError, UploadedFile, bad_request

MAX_PARTS = 1000
_JSON_FIELD = "@jsonPayload"  # multipart: the SDK sends non-file fields as one JSON part under this name


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _unreadable() -> ApiError:
    return bad_request()


def _refuse(*_args):
    raise ValueError("not JSON the binary reads")


def _unique(pairs: list) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("repeated key")
    return out


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError("number beyond float64")
    return value


def _int(text: str) -> int:
    value = int(text)
    if len(text) > 300:
        _finite(text)
    return value


def load_json(raw: bytes):
    """A JSON body as the binary reads it (module docstring); ValueError when it does not."""
    value = json.loads(raw.decode("utf-8"), object_pairs_hook=_unique, parse_constant=_refuse,
                       parse_float=_finite, parse_int=_int)
    if _SURROGATE_ESCAPE.search(raw):  # only then can a lone surrogate be in there: encoding finds it
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    return value


def read_body(content_type: str, body: bytes) -> tuple[dict, dict]:
    """(fields, files) of a body; an empty or unknown body has none."""
    if not body:
        return {}, {}
    mime_bytes, options = parse_options_header(content_type or "")
    mime = mime_bytes.decode("latin-1").lower()
    if mime == "application/json" or mime.endswith("+json"):
        try:
            value = load_json(body)
        except (ValueError, UnicodeError, RecursionError):
            raise _unreadable() from None
        if not isinstance(value, dict):
            raise _unreadable()
        return value, {}
    if mime == "application/x-www-form-urlencoded":
        fields: dict = {}
        for key, value in urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            _add(fields, key, value)
        return fields, {}
    if mime == "multipart/form-data":
        return _multipart(content_type, options, body)
    return {}, {}


def _add(fields: dict, key: str, value) -> None:
    if key in fields:
        old = fields[key]
        fields[key] = old + [value] if isinstance(old, list) else [old, value]
    else:
        fields[key] = value


def _multipart(content_type: str, options: dict, body: bytes) -> tuple[dict, dict]:
    if not options.get(b"boundary"):
        raise _unreadable()
    fields: dict = {}
    files: dict = {}
    count = 0

    def counted() -> None:
        nonlocal count
        count += 1
        if count > MAX_PARTS:
            raise _unreadable()

    def on_field(field) -> None:
        counted()
        _add(fields, (field.field_name or b"").decode("utf-8", "replace"),
             (field.value or b"").decode("utf-8", "replace"))

    def on_file(upload) -> None:
        counted()
        upload.file_object.seek(0)
        content = upload.file_object.read()
        upload.close()
        name = (upload.field_name or b"").decode("utf-8", "replace")
        files.setdefault(name, []).append(UploadedFile(
            (upload.file_name or b"").decode("utf-8", "replace"), getattr(upload, "content_type", None) or "",
            content))

    headers = {"Content-Type": content_type.encode("latin-1"), "Content-Length": str(len(body)).encode()}
    try:
        parser = create_form_parser(headers, on_field, on_file, config={"MAX_MEMORY_FILE_SIZE": 1 << 62})
        parser.write(body)
        parser.finalize()
    except ApiError:
        raise
    except Exception:  # noqa: BLE001 - the parser raises several kinds for a malformed body
        raise _unreadable() from None
    if parser.parser.state != MultipartState.END:
        raise _unreadable()
    payload = fields.pop(_JSON_FIELD, None)
    if payload is not None:
        for text in payload if isinstance(payload, list) else [payload]:
            try:
                extra = load_json(text.encode("utf-8", "surrogatepass"))
            except (ValueError, UnicodeError, RecursionError):
                raise _unreadable() from None
            if isinstance(extra, dict):
                fields.update(extra)
    return fields, files
