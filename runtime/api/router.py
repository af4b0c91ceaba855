"""The API's route table: one compiled pattern per route, found by method and path.

Patterns are PocketBase's (``/api/collections/{collection}/records/{id}``): a ``{name}`` is one path
segment, a ``{name...}`` the rest of the path. A path that matches no route for the method is not
the API's (PocketBase answers such a request 404, never 405), so ``match`` returns None for it.
"""
from __future__ import annotations

import re
import urllib.parse

_PARAM = re.compile(r"\{(\w+)(\.\.\.)?\}")


def compile_pattern(pattern: str) -> re.Pattern:
    out, at = [], 0
    for found in _PARAM.finditer(pattern):
        out.append(re.escape(pattern[at:found.start()]))
        out.append(f"(?P<{found.group(1)}>.+)" if found.group(2) else f"(?P<{found.group(1)}>[^/]+)")
        at = found.end()
    out.append(re.escape(pattern[at:]))
    return re.compile("".join(out))


class Route:
    __slots__ = ("method", "pattern", "regex", "handler")

    def __init__(self, method: str, pattern: str, handler):
        self.method, self.pattern, self.handler = method, pattern, handler
        self.regex = compile_pattern(pattern)


class RouteTable:
    """Routes in registration order; the first whose method and pattern match answers."""

    def __init__(self):
        self.routes: list[Route] = []

    def add(self, method: str, pattern: str, handler) -> None:
        self.routes.append(Route(method.upper(), pattern, handler))

    def route(self, method: str, pattern: str):
        """Decorator: ``@ROUTES.route("GET", "/api/health")`` registers ``handler(call, **params)``."""
        def register(handler):
            self.add(method, pattern, handler)
            return handler
        return register

    def match(self, method: str, path: str):
        """(handler, params) for the request, or None. ``HEAD`` is answered by the ``GET`` route."""
        wanted = "GET" if method == "HEAD" else method
        for route in self.routes:
            if route.method != wanted:
                continue
            found = route.regex.fullmatch(path)
            if found is not None:
                return route.handler, {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}
        return None


ROUTES = RouteTable()
