"""A request body read as PocketBase reads it: JSON, a urlencoded form, or multipart with its files.

Multipart goes through ``python_multipart`` (streaming, C-speed boundary search); files are kept in
memory (the HTTP layer has already capped the body's size). A body that cannot be read is a 400 in
PocketBase's shape, never an exception out of the API.
"""
from __future__ import annotations

import json
import urllib.parse

from python_multipart import create_form_parser
from python_multipart.multipart import MultipartState, parse_options_header

from .exchange import ApiError, UploadedFile

MAX_PARTS = 1000
_JSON_FIELD = "@jsonPayload"  # multipart: the SDK sends non-file fields as one JSON part under this name


def _unreadable() -> ApiError:
    return ApiError(400, "Failed to load the submitted data due to invalid formatting.")


def read_body(content_type: str, body: bytes) -> tuple[dict, dict]:
    """(fields, files) of a body; an empty or unknown body has none."""
    if not body:
        return {}, {}
    mime_bytes, options = parse_options_header(content_type or "")
    mime = mime_bytes.decode("latin-1").lower()
    if mime == "application/json" or mime.endswith("+json"):
        try:
            value = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):
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
                extra = json.loads(text)
            except (ValueError, RecursionError):
                raise _unreadable() from None
            if isinstance(extra, dict):
                fields.update(extra)
    return fields, files
