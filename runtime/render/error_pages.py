"""Error pages: in debug mode the failing line with context (like ejs' rethrow), else generic."""
from __future__ import annotations

import html

from .engine import PageError
from .site import Site

CONTEXT_LINES = 3


def source_excerpt(site: Site, path: str | None, line: int | None) -> str:
    """``path:line`` with three lines either side, the failing one marked ``>>``."""
    if not path or not line:
        return ""
    try:
        lines = site.read_text(path).splitlines()
    except (OSError, PermissionError, UnicodeDecodeError):
        return ""
    start, end = max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES)
    width = len(str(end))
    return "\n".join(
        f"{'>>' if n == line else '  '} {str(n).rjust(width)}| {lines[n - 1]}" for n in range(start, end + 1)
    )


def debug_page(site: Site, error: PageError) -> str:
    excerpt = source_excerpt(site, error.path, error.line)
    body = f"{error.location}\n{excerpt}\n\n{error.name}: {error.message}"
    if error.detail:
        body += "\n\n" + error.detail
    return (
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>pagesvm error</title></head>"
        "<body><h1>pagesvm error</h1><pre><code>" + html.escape(body) + "</code></pre></body></html>"
    )


def status_page(status: int, title: str, message: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{status} {html.escape(title)}</title></head>"
        f"<body><h1>{status} {html.escape(title)}</h1><p>{html.escape(message)}</p></body></html>"
    )


def generic_page(status: int = 500) -> str:
    if status == 500:
        return status_page(500, "Internal Server Error", "Something went wrong. Please try again later.")
    return status_page(status, "Error", "The request could not be completed.")
