"""PocketBase's default CORS under ``/api/``: any origin, and the preflight answered before any route."""
from __future__ import annotations

from .response import Response

CORS_METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE"
ALLOW_ANY = ("Access-Control-Allow-Origin", "*")


def preflight(request) -> Response | None:
    """The 204 answer to a CORS preflight for an ``/api/`` URL, or None when the request is not one."""
    headers = request.headers
    if request.method != "OPTIONS" or not request.path.startswith("/api/") or "Origin" not in headers \
            or "Access-Control-Request-Method" not in headers:
        return None
    allow = [ALLOW_ANY, ("Access-Control-Allow-Methods", CORS_METHODS)]
    if "Access-Control-Request-Headers" in headers:
        allow.append(("Access-Control-Allow-Headers", headers["Access-Control-Request-Headers"]))
    return Response(204, b"", allow)
