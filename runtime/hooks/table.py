"""What the hook files registered (in Python, in load order) and the routes among them.

Patterns are PocketBase 0.23+'s (Go's ServeMux): ``/api/x/{id}`` binds one segment, a last
``{path...}`` the rest of the path (maybe empty), ``{$}`` ends the pattern; ``GET`` also answers
``HEAD``; the more specific pattern wins (a literal segment over a parameter over the rest).
"""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

ANY = "*"
BODY_LIMIT_ID = "pbBodyLimit"  # $apis.bodyLimit's id on the binary (runtime/hooks/js/hooks.js)


@dataclass(frozen=True)
class Registration:
    """One call a hook file made while it loaded: ``kind`` is route, use, hook, cron or cronRemove;
    ``index`` its position among the file's registrations (where the closure is found again)."""

    file: str
    index: int
    kind: str
    name: str = ""            # hook: onRecordCreate…; cron: the job id
    method: str = ""          # route
    path: str = ""            # route; cron: the schedule expression
    filters: tuple = ()       # hook: the collection names given after the handler
    middlewares: tuple = ()   # route/use: ({priority, id, builtin, args}, …) as learned

    @property
    def body_limit(self) -> int | None:
        """The limit of the middleware bound last under PocketBase's ``pbBodyLimit`` id among these, if any: the
        binary binds a route's middlewares after the ``routerUse`` ones, each replacing the one bound before it
        under the same id, so the last ``$apis.bodyLimit(n)`` decides (n <= 0, or a file's own Middleware with
        that id: no limit, 0 here)."""
        limit = None
        for m in self.middlewares:
            if m.get("id") == BODY_LIMIT_ID:
                args = m.get("args") if m.get("builtin") == "bodyLimit" else None
                limit = args[0] if args and isinstance(args[0], (int, float)) and args[0] > 0 else 0
        return limit


@dataclass
class RouteMatch:
    registration: Registration | None  # None: the path is a route's, the method is not
    params: dict = field(default_factory=dict)


def _segments(path: str) -> list[str]:
    return path.split("/")[1:]


@dataclass
class _Pattern:
    registration: Registration
    parts: list           # (kind, text): "lit", "param", "rest", "end"
    rank: tuple

    @classmethod
    def parse(cls, registration: Registration) -> "_Pattern":
        path = registration.path
        if not path.startswith("/"):
            raise ValueError(f"{registration.file}: routerAdd path {path!r} must start with /")
        parts = []
        segments = _segments(path)
        for i, segment in enumerate(segments):
            if segment.startswith("{") and segment.endswith("}"):
                name = segment[1:-1]
                if name == "$":
                    parts.append(("end", ""))
                elif name.endswith("..."):
                    if i != len(segments) - 1:
                        raise ValueError(f"{registration.file}: {{{name}}} must end the path {path!r}")
                    parts.append(("rest", name[:-3]))
                else:
                    parts.append(("param", name))
            elif segment == "" and i == len(segments) - 1 and i > 0:
                parts.append(("rest", ""))  # a trailing slash: the whole subtree, as Go's mux
            else:
                parts.append(("lit", segment))
        order = {"lit": 0, "end": 0, "param": 1, "rest": 2}
        return cls(registration, parts, tuple(order[k] for k, _ in parts) + (3,))

    def match(self, segments: list[str]) -> dict | None:
        params = {}
        for i, (kind, text) in enumerate(self.parts):
            if kind == "rest":
                if text:
                    params[text] = "/".join(segments[i:])
                return params if i <= len(segments) else None
            if kind == "end":
                return params if i == len(segments) - 1 and segments[i] == "" else None
            if i >= len(segments):
                return None
            if kind == "lit":
                if segments[i] != text:
                    return None
            elif segments[i] == "":  # Go's ServeMux: {name} is one non-empty segment (/x/{id} does not take /x/)
                return None
            else:
                params[text] = segments[i]
        return params if len(segments) == len(self.parts) else None


class _Node:
    """One segment position of the route tree: its literal children, its parameter child, the patterns that end
    here (every segment used) and the ``{rest...}`` patterns that take whatever follows. Each pattern is kept
    with its place in ``RouteTable``'s order, so the tree only narrows which patterns are tried."""

    __slots__ = ("literals", "param", "ends", "rests")

    def __init__(self):
        self.literals: dict[str, _Node] = {}
        self.param: _Node | None = None
        self.ends: list[tuple[int, _Pattern]] = []
        self.rests: list[tuple[int, _Pattern]] = []

    def add(self, place: int, pattern: _Pattern) -> None:
        node = self
        for kind, text in pattern.parts:
            if kind == "rest":
                node.rests.append((place, pattern))
                return
            if kind == "lit":
                node = node.literals.setdefault(text, _Node())
            elif kind == "param":
                if node.param is None:
                    node.param = _Node()
                node = node.param
            else:  # "end" ({$}): one more segment, empty (the path's trailing slash), and nothing after it
                node = node.literals.setdefault("", _Node())
                break
        node.ends.append((place, pattern))

    def reaching(self, segments: list[str]) -> list[tuple[int, _Pattern]]:
        """The patterns whose literals and length fit ``segments`` (a superset of those that match)."""
        found = []
        walk, count = [(self, 0)], len(segments)
        while walk:
            node, i = walk.pop()
            found += node.rests
            if i == count:
                found += node.ends
                continue
            child = node.literals.get(segments[i])
            if child is not None:
                walk.append((child, i + 1))
            if node.param is not None:
                walk.append((node.param, i + 1))
        return found


def _place(entry: tuple) -> int:
    return entry[0]


class RouteTable:
    """The routes of every hook file, and the ``routerUse`` middlewares that wrap them."""

    def __init__(self, registrations: list[Registration]):
        self.registrations = list(registrations)
        self.uses = [r for r in self.registrations if r.kind == "use"]
        patterns = [_Pattern.parse(r) for r in self.registrations if r.kind == "route"]
        self._patterns = sorted(patterns, key=lambda p: p.rank)  # stable: load order among equals
        # Every request is matched against the routes (a page's too, before the pages): a tree of their segments
        # finds the few that can fit its path, where trying each in turn cost ~0.5 µs a route.
        self._tree = _Node()
        for place, pattern in enumerate(self._patterns):
            self._tree.add(place, pattern)

    def __bool__(self) -> bool:
        return bool(self._patterns or self.uses)

    def match(self, method: str, raw_path: str) -> RouteMatch | None:
        """The route for ``method`` and the request's raw (still encoded) path; a RouteMatch without a
        registration when only another method's route has the path; None when no route has it."""
        segments = [urllib.parse.unquote(s) for s in _segments(raw_path)]
        other = None
        reached = self._tree.reaching(segments)
        if len(reached) > 1:
            reached.sort(key=_place)
        for _, pattern in reached:
            params = pattern.match(segments)
            if params is None:
                continue
            wanted = pattern.registration.method
            if wanted == method or wanted == ANY or (wanted == "GET" and method == "HEAD"):
                return RouteMatch(pattern.registration, params)
            other = other or RouteMatch(None)
        return other
