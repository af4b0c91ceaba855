"""``/api/files``: a record's files served as PocketBase serves them, and the tokens for protected ones.

``GET /api/files/{collection}/{recordId}/{filename}`` answers only a name one of the record's file fields
holds (anything else, `..` and `.attrs` included, is a 404 before the disk is asked), with the binary's
headers (observed): the type sniffed at upload (from the `.attrs` beside the file), `inline` only for
images, video, audio and PDF (`attachment` for everything else and with `?download=1`), a 30-day
Cache-Control, a sandboxing Content-Security-Policy, Last-Modified with If-Modified-Since, and one byte
range. A non-protected file is served to anyone, whatever the view rule. A protected one needs a file
token in `?token=` (the Authorization header is not read) and the record's view rule passing for it.
Thumbs (`?thumb=`) are not made: the original is served, as the binary does for a size it does not offer.
"""
from __future__ import annotations

import email.utils

from runtime.data.db import NotFoundError
from runtime.data.fields import is_multiple
from runtime.data.files import FileStorage
from runtime.data.sniff import detect
from runtime.data.tokens import issue_file_token, verify_token
from runtime.data.uploads import data_dir_of

from . import rules
from .exchange import ApiError, ApiResponse, not_found, unauthorized
from .router import ROUTES

SUPERUSERS = "_superusers"
_INLINE = frozenset((
    "image/png", "image/jpg", "image/jpeg", "image/gif", "image/webp", "image/x-icon", "image/bmp",
    "video/webm", "video/mp4", "video/3gpp", "video/quicktime", "video/x-ms-wmv",
    "audio/basic", "audio/aiff", "audio/mpeg", "audio/midi", "audio/mp3", "audio/wave", "audio/wav",
    "audio/x-wav", "audio/x-mpeg", "audio/x-m4a", "audio/aac", "application/pdf", "application/x-pdf"))
# Served as these whatever was sniffed (browsers need them to load the file).
_BY_EXTENSION = {".svg": "image/svg+xml", ".css": "text/css", ".js": "text/javascript", ".mjs": "text/javascript"}
_CSP = "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
_CACHE = "max-age=2592000, stale-while-revalidate=86400"
_TRUE = ("1", "t", "T", "TRUE", "true", "True")  # Go's strconv.ParseBool


@ROUTES.route("POST", "/api/files/token")
def file_token(call) -> ApiResponse:
    found = call.auth
    if found is None:
        raise unauthorized("The request requires valid record authorization token.")
    collection, record = found
    return ApiResponse.json(200, {"token": issue_file_token(collection, record.id, record.token_key())})


def can_view(call, collection, record, auth) -> bool:
    """Whether `auth` ((collection, record) of the file token, or None) may see `record` under the collection's
    view rule, evaluated as for a record view (``@request.context`` is ``protectedFile``, as on the binary):
    the Authorization header plays no part, only the token does."""
    if auth is not None and auth[0].name == SUPERUSERS:
        return True
    rule = collection.viewRule
    if rule is None:
        return False
    if rule.strip() == "":
        return True
    info = rules.request_info(call, context="protectedFile")
    info.auth_collection, info.auth = (auth[0], rules.auth_export(auth[1])) if auth is not None else (None, None)
    return rules.matches(call, collection, info, rule, record_id=record.id)


def _holding_field(collection, record, filename: str):
    for field in collection.fields:
        if field.get("type") != "file":
            continue
        value = record.get(field["name"])
        if (filename in value) if is_multiple(field) else value == filename:
            return field
    return None


@ROUTES.route("GET", "/api/files/{collection}/{record_id}/{filename}")
def download(call, collection: str, record_id: str, filename: str) -> ApiResponse:
    try:
        found = call.store.find_collection_by_name_or_id(collection)
    except NotFoundError:
        raise ApiError(404, "Missing or invalid collection context.") from None
    record = call.store.find_record_by_id(found.name, record_id)  # NotFoundError: 404
    field = _holding_field(found, record, filename)
    if field is None:
        raise not_found()
    if field.get("protected"):
        auth = verify_token(call.request.arg("token"), call.store, "file")
        if not can_view(call, found, record, auth):
            raise not_found()
    opened = FileStorage(data_dir_of(call.store)).open(found.id, record.id, filename)
    if opened is None:
        raise not_found()
    handle, stat, attrs = opened
    with handle:
        content = handle.read()
    return _serve(call.request, filename, content, int(stat.st_mtime), attrs)


def _serve(request, name: str, content: bytes, mtime: int, attrs: dict) -> ApiResponse:
    real_type = attrs.get("user.content_type") or detect(content)[0]
    download_asked = request.arg("download") in _TRUE or request.arg("dl") in _TRUE
    disposition = "inline" if real_type in _INLINE and not download_asked else "attachment"
    dot = name.rfind(".")
    served_type = _BY_EXTENSION.get(name[dot:] if dot > 0 else "", real_type)
    common = [("Content-Disposition", f'{disposition}; filename="{name}"'), ("Content-Security-Policy", _CSP)]
    modified = email.utils.formatdate(mtime, usegmt=True)
    since = email.utils.parsedate_to_datetime(request.header("if-modified-since")) \
        if request.header("if-modified-since") else None
    if since is not None and mtime <= int(since.timestamp()):
        return ApiResponse(304, b"", [("Cache-Control", _CACHE)] + common + [("Last-Modified", modified)])
    head = [("Accept-Ranges", "bytes"), ("Cache-Control", _CACHE)] + common
    tail = [("Content-Type", served_type), ("Last-Modified", modified)]
    wanted = request.header("range")
    if not wanted:
        return ApiResponse(200, content, head + tail)
    span = _byte_range(wanted, len(content))
    if isinstance(span, str):
        extra = [("Content-Range", f"bytes */{len(content)}")] if span.endswith("overlap") else []
        return ApiResponse(416, (span + "\n").encode(), common[:1] + extra + common[1:] +
                           [("Content-Type", "text/plain; charset=utf-8")])
    if span is None:
        return ApiResponse(200, content, head + tail)
    start, end = span
    return ApiResponse(206, content[start:end + 1],
                       head + [("Content-Range", f"bytes {start}-{end}/{len(content)}")] + tail)


def _byte_range(text: str, size: int):
    """(first, last) of one `bytes=` range; None to serve it all (several ranges); Go's error text if bad."""
    if not text.startswith("bytes="):
        return "invalid range"
    parts = [p.strip() for p in text[6:].split(",") if p.strip()]
    if len(parts) != 1:
        return None if parts else "invalid range"
    first, sep, last = parts[0].partition("-")
    if not sep or not (first.isdigit() or first == "") or not (last.isdigit() or last == "") or first == last == "":
        return "invalid range"
    if first == "":
        count = min(int(last), size)
        return (size - count, size - 1) if count else "invalid range: failed to overlap"
    start = int(first)
    if start >= size:
        return "invalid range: failed to overlap"
    end = min(int(last), size - 1) if last else size - 1
    return "invalid range" if end < start else (start, end)

