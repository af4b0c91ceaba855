"""One answer as a value: ``Response`` (status, headers, cookies, body) and ``Refusal``.

Everything that decides what an answer looks like on the wire lives here, once: the
statuses that carry no body (1xx, 204, 304), Content-Length, HEAD, the Set-Cookie
encoding and the check of every header a page asked for. The pipeline builds a Response;
the two serving paths only write it: ``connection.Exchange.send`` straight to Tornado's
HTTP/1.1 connection (``Response.framed``), ``app.PageHandler.send`` through a
``tornado.web.RequestHandler`` (which applies the same body rules itself).

A refusal (a status decided instead of the page's answer: bad path, body, header, a
full worker…) is raised as ``Refusal`` where it is decided and answered where it is
caught, by ``refusal_response``.
"""
from __future__ import annotations

from bindings.cookies import CookieError, serialize_cookie
from bindings.headers import HeaderError, checked, valid_status

HTML = "text/html; charset=utf-8"
RETRY_AFTER = "1"  # seconds, on a 503: as the admission check answers a full worker
_REPRESENTATION = ("Content-Length", "Content-Type", "Transfer-Encoding")
_TITLES = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 414: "URI Too Long",
           413: "Content Too Large", 431: "Request Header Fields Too Large", 504: "Gateway Timeout"}


class Refusal(Exception):
    """The request is answered with ``status`` and ``reason`` (shown on a small status page)
    instead of what it asked for. ``detail``, when given, is logged with the request's method
    and path: a 500 that is the page's doing (a bad header, an invalid status…)."""

    def __init__(self, status: int, reason: str, detail: str | None = None):
        super().__init__(reason)
        self.status, self.reason, self.detail = status, reason, detail


def has_body(status: int) -> bool:
    """Whether an answer with ``status`` carries a body: 1xx, 204 and 304 never do, not even
    an empty one (RFC 9110 §6.4.1), so they get no Content-Length or Content-Type either."""
    return status >= 200 and status != 204 and status != 304


class Response:
    """One answer. ``headers`` are (name, value) pairs, already checked, applied in order (a
    later one replaces an earlier of the same name); ``cookies`` are Set-Cookie values, written
    before the headers; ``body`` is text (sent as UTF-8) or bytes."""

    __slots__ = ("status", "headers", "cookies", "body")

    def __init__(self, status: int = 200, body: str | bytes = b"", headers: list | None = None,
                 cookies: list | None = None):
        self.status = status
        self.body = body
        self.headers = [("Content-Type", HTML)] if headers is None else headers
        self.cookies = [] if cookies is None else cookies

    def header(self, name, value) -> None:
        """Add a header a page or binding asked for: HeaderError if HTTP/1.1 cannot carry it or
        it is one only the server writes (``bindings.headers.checked``)."""
        self.headers.append(checked(name, value))

    def cookie(self, name, value, options: dict) -> None:
        """Add a cookie, encoded as ``bindings.cookies.serialize_cookie`` writes it (the encoding
        ``bindings.cookies.encode_value`` measures); CookieError or HeaderError if it cannot be."""
        self.cookies.append(checked("Set-Cookie", serialize_cookie(name, value, options))[1])

    def framed(self, into, method: str) -> bytes:
        """Write the head into ``into`` (an HTTPHeaders: ``[]=`` replaces, ``add`` appends) and
        return the bytes to send after it: none for a status without a body or for HEAD (whose
        Content-Length still says what a GET would get)."""
        for value in self.cookies:
            into.add("Set-Cookie", value)
        for name, value in self.headers:
            into[name] = value
        if not has_body(self.status):
            for name in _REPRESENTATION:
                into.pop(name, None)
            return b""
        body = self.body
        chunk = body if isinstance(body, bytes) else body.encode("utf-8")
        into["Content-Length"] = str(len(chunk))
        return b"" if method == "HEAD" else chunk


def error_response(status: int, html: str) -> Response:
    """An HTML error page, nothing the page set kept; a 503 (something busy, such as the
    database) says when to retry."""
    if status == 503:
        return Response(status, html, [("Content-Type", HTML), ("Retry-After", RETRY_AFTER)])
    return Response(status, html)


def refusal_response(status: int, reason: str) -> Response:
    """The small status page a refusal is answered with."""
    # Imported here: admission.py needs Refusal in processes that never load the interpreter.
    from ..render.error_pages import status_page

    return error_response(status, status_page(status, _TITLES.get(status, "Error"), reason))


def page_response(result: dict, max_output: int, read_file) -> Response:
    """The answer a rendered page asked for (``result`` as render.js reports it, without an
    error). ``read_file(rel)`` gives (content type, bytes) for ``response.file()``, or raises
    Refusal. A header, cookie or status HTTP cannot carry, or output over ``max_output``
    characters, is a Refusal(500) with a detail to log: nothing has been sent yet."""
    response = Response(200, b"", [])
    headers = response.headers
    location = result.get("redirect")
    try:
        for c in result.get("cookies") or ():
            response.cookie(c["name"], c["value"], c.get("options") or {})
        if not any(name.lower() == "content-type" for name, _ in result.get("headers") or ()):
            headers.append(("Content-Type", HTML))
        for name, value in result.get("headers") or ():
            response.header(name, value)
        if location:
            location = checked("Location", location)
    except (HeaderError, CookieError) as e:
        raise Refusal(500, "invalid response header", f"set a bad header: {e}") from None
    status = int(result.get("status") or 200)
    if not valid_status(status):  # 1xx would be taken as an interim answer, not this one
        raise Refusal(500, "invalid status", f"set an invalid status {status}")
    response.status = status
    if not has_body(status):
        return response
    if location:
        headers.append(location)
        return response
    if result.get("file"):
        file_type, response.body = read_file(result["file"])
        headers.append(("Content-Type", file_type))
        return response
    body = result.get("body") or ""
    if len(body) > max_output:
        raise Refusal(500, "response too large", f"output is {len(body)} characters, over --max-output")
    if result.get("type"):
        headers.append(("Content-Type", result["type"]))
    response.body = body
    return response
