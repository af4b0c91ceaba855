"""The headers a page asked for, checked once before any of them reaches Tornado.

Both serving paths (``runtime.front``'s Exchange and ``tornado.web``'s RequestHandler) write
headers as Latin-1 only when the response is flushed. A value that cannot be written then
fails after the request was marked answered, so the client got nothing and its connection
slot stayed taken. ``PagesRuntime._respond`` therefore runs every page-made header through
``checked`` first: a bad one becomes a logged 500 while nothing has been sent yet.
"""
from __future__ import annotations

import re

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BREAK = re.compile(r"[\r\n\x00]")  # refused in every header, Location too: never encoded away
# What a browser percent-encodes when it reads a Location: controls, space, DEL and non-ASCII.
_LOCATION_UNSAFE = re.compile(r"[\x00-\x20\x7f-\U0010ffff]+")


class HeaderError(ValueError):
    """A header the page set that HTTP/1.1 cannot carry."""


def location(url: str) -> str:
    """``url`` as a browser sends it on: UTF-8 percent-encoding of non-ASCII, controls and spaces.

    Existing ``%XX`` escapes are left as they are, so encoding twice changes nothing.
    """
    try:
        return _LOCATION_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), url)
    except UnicodeEncodeError:  # a lone surrogate from JavaScript
        raise HeaderError(f"Location {url!r} is not valid Unicode") from None


def checked(name, value) -> tuple[str, str]:
    """``(name, value)`` as they will be written, or HeaderError saying why they cannot be."""
    name = name if isinstance(name, str) else str(name)
    value = value if isinstance(value, str) else str(value)
    if not _TOKEN.fullmatch(name):
        raise HeaderError(f"invalid header name {name!r}")
    if _BREAK.search(value):
        raise HeaderError(f"{name}: line break or NUL in value {value!r}")
    if name.lower() == "location":
        value = location(value)
    if _CONTROL.search(value):
        raise HeaderError(f"{name}: control character in value {value!r}")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise HeaderError(f"{name}: value {value!r} has characters outside Latin-1") from None
    return name, value
