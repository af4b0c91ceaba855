"""Cookies in both directions: the ``Cookie`` header read, ``Set-Cookie`` written.

Reading: the first cookie of a name wins, as PocketBase and Express read it. A browser sends
the cookie with the most specific path first, and a cookie planted for the parent domain
or another path comes later, so it must not replace the one this site set.

Writing: every option is checked before it becomes an attribute. Options are joined into
the header verbatim, so an unchecked ``path: "/; Domain=evil.example"`` would add an
attribute of the page author's (or an attacker's) choosing. A bad option is a CookieError
with a message naming it; from a binding it reaches the page as an Error with status 500.
``bindings/response.js`` applies the same rules in JavaScript, so a page sees the error
where it called ``response.cookie()``; this module is the gate for everything sent.
"""
from __future__ import annotations

import datetime
import email.utils
import math
import re
import urllib.parse
from http.cookies import Morsel

from tornado.httputil import parse_cookie

from .headers import TOKEN
from .registry import BindingError

_PATH = re.compile(r"/[\x21-\x3a\x3c-\x7e]*")  # printable ASCII without ";" or space
_DOMAIN = re.compile(r"\.?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
_SAME_SITE = {"strict": "Strict", "lax": "Lax", "none": "None"}
# What a cookie value keeps unencoded: JavaScript's encodeURIComponent set minus "(" and ")",
# so the value is one http.cookies (and Tornado) would also send unquoted; the PocketBase SDK
# and pagesvm's own reading decode either way. bindings/tokens.py measures the auth cookie
# with the same encode_value, so its size check and what is sent cannot disagree.
_VALUE_SAFE = "-_.!~*'"


class CookieError(BindingError, ValueError):
    """A cookie name, value or option that cannot be sent as given."""

    def __init__(self, message: str):
        super().__init__(message, 500)


def parse_cookies(header: str) -> dict[str, str]:
    """Cookie names to raw values; of repeated names the first is kept."""
    found: dict[str, str] = {}
    for chunk in header.split(";"):
        for name, value in parse_cookie(chunk).items():
            found.setdefault(name, value)
    return found


def _expires(value) -> str:
    """An expiry as the HTTP date browsers read; a datetime or a date string."""
    when = value
    if isinstance(value, str):
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            try:
                when = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise CookieError(f"cookie option expires: {value!r} is not a date") from None
    if not isinstance(when, datetime.datetime):
        raise CookieError(f"cookie option expires must be a date, got {type(value).__name__}")
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return email.utils.format_datetime(when.astimezone(datetime.timezone.utc), usegmt=True)


def check_cookie(name, value, options: dict) -> dict:
    """The options as they will be written (``expires`` as an HTTP date), or CookieError."""
    if not isinstance(name, str) or not TOKEN.fullmatch(name):
        raise CookieError(f"invalid cookie name {name!r} (letters, digits and !#$%&'*+-.^_`|~ only)")
    if not isinstance(value, str):
        raise CookieError(f"cookie {name}: the value must be a string, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CookieError(f"cookie {name}: the value is not valid Unicode") from None
    if not isinstance(options, dict):
        raise CookieError(f"cookie {name}: options must be an object")
    path, domain = options.get("path"), options.get("domain")
    if path not in (None, "") and not (isinstance(path, str) and _PATH.fullmatch(path)):
        raise CookieError(f"cookie {name}: path {path!r} must start with / and hold no spaces, ';' or control characters")
    if domain not in (None, "") and not (isinstance(domain, str) and _DOMAIN.fullmatch(domain)):
        raise CookieError(f"cookie {name}: domain {domain!r} is not a host name")
    max_age = options.get("maxAge")
    if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, (int, float))
                                or not math.isfinite(max_age)):
        raise CookieError(f"cookie {name}: maxAge must be a number of seconds, got {max_age!r}")
    options = dict(options)
    if options.get("expires") not in (None, ""):
        options["expires"] = _expires(options["expires"])
    same_site = options.get("sameSite", "Lax")
    if not (same_site is None or isinstance(same_site, bool) or isinstance(same_site, str) and same_site.lower() in _SAME_SITE):
        raise CookieError(f"cookie {name}: sameSite must be true, false, 'strict', 'lax' or 'none', got {same_site!r}")
    return options


def encode_value(value: str) -> str:
    """A cookie value as Set-Cookie carries it, percent-encoded: the one encoding, which a size
    check (``bindings.tokens``) measures too."""
    return urllib.parse.quote(value, safe=_VALUE_SAFE)


def serialize_cookie(name: str, value: str, options: dict) -> str:
    """The Set-Cookie value, after ``check_cookie``; the value is percent-encoded."""
    options = check_cookie(name, value, options)
    morsel: Morsel = Morsel()
    morsel.set(name, value, encode_value(value))
    if options.get("maxAge") is not None:
        morsel["max-age"] = str(int(options["maxAge"]))
    for key in ("domain", "path"):
        if options.get(key):
            morsel[key] = options[key]
    if options.get("expires"):
        morsel["expires"] = options["expires"]
    if options.get("httpOnly"):
        morsel["httponly"] = True
    if options.get("secure"):
        morsel["secure"] = True
    same_site = options.get("sameSite", "Lax")
    if same_site:
        morsel["samesite"] = "Strict" if same_site is True else _SAME_SITE[same_site.lower()]
    return morsel.OutputString()
