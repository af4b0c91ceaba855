"""Cross-site guard: unsafe requests a browser sends from another site are refused.

A form or fetch on another site can make a visitor's browser POST here with their
cookies; SameSite=Lax stops the cookie on most such requests, and this guard stops
the request itself before any page code runs, using what browsers tell us:

* ``Sec-Fetch-Site: cross-site`` → refused;
* an ``Origin`` other than this server's own scheme://host (or ``null``) → refused;
* neither header (curl, server-to-server clients) → allowed: no browser, no ambient cookies.

A page that must accept cross-site posts (a webhook, say) opts out with the EJS comment
``<%# pagesvm:allow-cross-site %>`` anywhere in its file.
"""
from __future__ import annotations

import re
import urllib.parse

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
OPT_OUT_RE = re.compile(r"<%#\s*pagesvm:allow-cross-site\s*-?%>")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_of(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the default port filled in, or None if unparsable."""
    scheme = (scheme or "").lower()
    try:
        parsed = urllib.parse.urlsplit(f"{scheme}://{netloc}")
        port = parsed.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if not parsed.hostname or scheme not in _DEFAULT_PORTS:
        return None
    return scheme, parsed.hostname.lower(), port


def refusal(method: str, headers: dict, scheme: str, host: str) -> str | None:
    """Why this request must be refused as cross-site, or None. ``headers`` has lower-case keys."""
    if method.upper() not in UNSAFE_METHODS:
        return None
    if headers.get("sec-fetch-site", "").strip().lower() == "cross-site":
        return "cross-site request refused"
    origin = headers.get("origin")
    if origin is None:
        return None
    origin = origin.strip()
    own = _origin_of(scheme, host)
    if origin.lower() == "null" or "/" in origin.split("://", 1)[-1]:
        return "cross-origin request refused"
    scheme_part, _, netloc = origin.partition("://")
    theirs = _origin_of(scheme_part, netloc) if netloc else None
    if own is None or theirs is None or theirs != own:
        return "cross-origin request refused"
    return None


class OptOuts:
    """Which page files carry the opt-out marker; each file read again only when it changes."""

    def __init__(self, site):
        self.site = site
        self._seen: dict[str, tuple[object, bool]] = {}

    def allows(self, rel: str) -> bool:
        signature = self.site.signature(rel)
        if signature is None:
            return False
        cached = self._seen.get(rel)
        if cached is not None and cached[0] == signature:
            return cached[1]
        try:
            allowed = bool(OPT_OUT_RE.search(self.site.read_text(rel)))
        except (OSError, UnicodeDecodeError, PermissionError):
            allowed = False
        self._seen[rel] = (signature, allowed)
        return allowed
