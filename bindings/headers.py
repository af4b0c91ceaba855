"""The headers a page asked for, checked once before any of them reaches Tornado.

Both serving paths (``runtime.http.connection``'s Exchange and ``tornado.web``'s RequestHandler) write
headers as Latin-1 only when the response is flushed. A value that cannot be written then
fails after the request was marked answered, so the client got nothing and its connection
slot stayed taken. ``PagesRuntime._respond`` therefore runs every page-made header through
``checked`` first: a bad one becomes a logged 500 while nothing has been sent yet.

The headers that frame the message or steer the connection (``FRAMING``) are the server's
alone: pagesvm computes Content-Length itself, so a page's Transfer-Encoding beside it (or
its own Content-Length, Connection, Upgrade…) would let a body be read as a second response
by a client or proxy, shifting every later answer on the connection. They are refused too.
"""
from __future__ import annotations

import re

TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP token: header and cookie names
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BREAK = re.compile(r"[\r\n\x00]")  # refused in every header, Location too: never encoded away
# What a browser percent-encodes when it reads a Location: controls, space, DEL and non-ASCII.
_LOCATION_UNSAFE = re.compile(r"[\x00-\x20\x7f-\U0010ffff]+")


# Lower-case names of the headers only the server writes (RFC 9110 §7.6.1, RFC 9112 §6-§9).
FRAMING = frozenset(("transfer-encoding", "content-length", "connection", "keep-alive", "upgrade", "te",
                     "trailer", "proxy-connection"))
# The statuses a page or binding may answer with: 1xx are interim answers, never the final one.
MIN_STATUS, MAX_STATUS = 200, 599


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
    if not TOKEN.fullmatch(name):
        raise HeaderError(f"invalid header name {name!r}")
    if name.lower() in FRAMING:
        raise HeaderError(f"{name} is set by the server only (it frames the response or the connection)")
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


def valid_status(status) -> bool:
    """Whether a page or binding may answer with ``status`` (an int from 200 to 599)."""
    return isinstance(status, int) and not isinstance(status, bool) and MIN_STATUS <= status <= MAX_STATUS
