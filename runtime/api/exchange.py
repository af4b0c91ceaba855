"""The values an API call is made of: ``ApiRequest``, ``ApiResponse``, ``UploadedFile``, ``ApiError``.

A request comes either from HTTP (raw ``body`` bytes with their ``content_type``, read here on first
use) or from ``pb()`` in a page (``data`` and ``files`` given already parsed): handlers only ever ask
``request.data()`` and ``request.files()``, so both paths meet the same code.
"""
from __future__ import annotations

import json
import urllib.parse

GENERIC = "Something went wrong while processing your request."
NOT_FOUND = "The requested resource wasn't found."
JSON_TYPE = "application/json"


class ApiError(Exception):
    """An answer in PocketBase's error shape: ``{"data": {...}, "message": "...", "status": N}``."""

    def __init__(self, status: int, message: str = GENERIC, data: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.data = status, message, data or {}

    def response(self) -> "ApiResponse":
        return ApiResponse.json(self.status, {"data": self.data, "message": self.message, "status": self.status})


def bad_request(message: str = GENERIC, data: dict | None = None) -> ApiError:
    return ApiError(400, message, data)


def not_found(message: str = NOT_FOUND) -> ApiError:
    return ApiError(404, message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, message)


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message)


class UploadedFile:
    """One uploaded file: its name as sent, its type as sent, its bytes."""

    __slots__ = ("filename", "content_type", "content")

    def __init__(self, filename: str, content_type: str, content: bytes):
        self.filename, self.content_type, self.content = filename, content_type, content

    @property
    def size(self) -> int:
        return len(self.content)


class ApiRequest:
    """One call to the API. ``headers`` have lower-case names; ``query`` is the raw query string."""

    __slots__ = ("method", "path", "query", "headers", "body", "content_type", "remote_ip", "_args",
                 "_data", "_files")

    def __init__(self, method: str, path: str, query: str = "", headers: dict | None = None,
                 body: bytes = b"", content_type: str = "", remote_ip: str = "",
                 data: dict | None = None, files: dict | None = None):
        self.method, self.path, self.query = method.upper(), path, query
        self.headers = {k.lower(): v for k, v in (headers or {}).items()}
        self.body, self.content_type, self.remote_ip = body, content_type or self.headers.get("content-type", ""), remote_ip
        self._args: dict | None = None
        self._data, self._files = data, files

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def args(self) -> dict:
        """Every query value under its name, in order: ``{"expand": ["a"], ...}``."""
        if self._args is None:
            self._args = {}
            for key, value in urllib.parse.parse_qsl(self.query, keep_blank_values=True):
                self._args.setdefault(key, []).append(value)
        return self._args

    def arg(self, name: str, default: str = "") -> str:
        """The first query value of ``name`` (PocketBase reads one), or ``default``."""
        values = self.args().get(name)
        return values[0] if values else default

    def data(self) -> dict:
        """The body's fields: JSON as sent, or form fields (a repeated field as a list)."""
        if self._data is None:
            self._parse()
        return self._data

    def files(self) -> dict:
        """Uploaded files by field name, each a list of ``UploadedFile``."""
        if self._files is None:
            self._parse()
        return self._files

    def _parse(self) -> None:
        from .body import read_body  # the parsers, loaded by the first request that has a body

        data, files = read_body(self.content_type, self.body)
        if self._data is None:
            self._data = data
        if self._files is None:
            self._files = files


class ApiResponse:
    """One answer: status, headers (name, value) pairs, body bytes."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, body: bytes = b"", headers: list | None = None):
        self.status, self.body, self.headers = status, body, headers or []

    @classmethod
    def json(cls, status: int, value) -> "ApiResponse":
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        return cls(status, text.encode("utf-8"), [("Content-Type", JSON_TYPE)])

    @classmethod
    def empty(cls, status: int = 204) -> "ApiResponse":
        return cls(status)

    def value(self):
        """The JSON body as a value (what ``pb()`` hands to page code); None without a body."""
        return json.loads(self.body) if self.body else None
