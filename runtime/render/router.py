"""The file-based route table (SPEC §1), built once and rebuilt on change in --dev.

* ``x.ejs`` → ``/x``; ``dir/index.ejs`` → ``/dir`` and ``/dir/``; ``.md`` pages likewise
  when the site's ``+config.js`` lists the marked plugin (PocketPages serves them raw otherwise).
* ``(group)`` folders vanish from URLs; ``[name]`` folders and stems are parameters.
* Segments starting with ``_``, ``+`` or ``-`` are never routable; nor are dot files
  (``.env``, ``.git``) or symlinks leading out of the root (pagesvm is stricter here).
* Any other file is static at its own path; ``asset()`` URLs carry a content hash.
* Routes with more literal segments win; then pages before static files; then ``x.ejs``
  before ``x/index.ejs``; then path order.
* ``+404.ejs`` at the root, when present, is the not-found page (a pagesvm extension).
"""
from __future__ import annotations

import hashlib
import mimetypes
import os
import posixpath
import re
import time
from dataclasses import dataclass, field

from .site import Site

PAGE_KINDS = {".ejs": "template", ".md": "markdown"}
NOT_FOUND_PAGE = "+404.ejs"
REFRESH_INTERVAL = 0.5  # seconds between folder checks in --dev
METHOD_LOADERS = ("get", "post", "put", "patch", "delete")
_PARAM_RE = re.compile(r"^\[([A-Za-z_$][\w$]*)\]$")
_FINGERPRINT_RE = re.compile(r"^(.*)\.([0-9a-f]{64})(\.[^./]*)?$")
# Types the system's tables may lack or name otherwise, added by the first guess: mimetypes reads those tables as
# a type is first added or guessed (~0.35 MiB of every worker, issue 19), which a site serving no file needn't.
_ADDED_TYPES = (("text/markdown", ".md"), ("application/javascript", ".js"), ("image/svg+xml", ".svg"),
                ("application/manifest+json", ".webmanifest"))
_types_added = False


def is_private(segment: str) -> bool:
    return segment[:1] in ("_", "+", "-")


def is_hidden(segment: str) -> bool:
    return segment[:1] == "."


def is_group(segment: str) -> bool:
    return len(segment) > 2 and segment[0] == "(" and segment[-1] == ")"


@dataclass
class Route:
    pattern: str  # e.g. /products/[id]
    file: str  # site-relative
    kind: str  # template | markdown | static
    segments: tuple[str, ...]
    literals: int = 0
    params: tuple[str, ...] = ()

    def match(self, parts: list[str]) -> dict | None:
        if len(parts) != len(self.segments):
            return None
        found: dict = {}
        for segment, part in zip(self.segments, parts):
            param = _PARAM_RE.match(segment)
            if param:
                found[param.group(1)] = part
            elif segment != part:
                return None
        return found


@dataclass
class Match:
    route: Route
    params: dict
    middlewares: list[str] = field(default_factory=list)
    loaders: list[str] = field(default_factory=list)
    layouts: list[str] = field(default_factory=list)
    fingerprinted: bool = False

    @property
    def file(self) -> str:
        return self.route.file


class Router:
    def __init__(self, site: Site, page_kinds: dict[str, str] | None = None):
        self.site = site
        self.page_kinds = dict(PAGE_KINDS if page_kinds is None else page_kinds)
        self.routes: list[Route] = []
        self._hashes: dict[str, tuple] = {}
        self._chains: dict[tuple[str, str], tuple[list, list, list]] = {}
        self._folders: dict[str, int] = {}
        self._checked = 0.0
        self.builds = 0  # how many times the table was built (tests read it)
        self.build()

    def build(self) -> None:
        routes = []
        folders: dict[str, int] = {}
        for folder, _, _ in os.walk(self.site.root):
            try:
                folders[folder] = os.stat(folder).st_mtime_ns
            except OSError:
                continue
        for index, rel in enumerate(self.site.walk()):
            route = self._route_for(rel)
            if route and self.site.is_file(rel):  # is_file: symlinks out of the root are refused
                routes.append((route, index))
        # More literal segments first, then pages before statics, x.ejs before x/index.ejs, walk order.
        routes.sort(key=lambda r: (-r[0].literals, r[0].kind == "static", len(r[0].params),
                                   r[0].file.rsplit("/", 1)[-1].startswith("index."), r[1]))
        self.routes = [r for r, _ in routes]
        self._chains = {}
        self._folders = folders
        self._checked = time.monotonic()
        self.builds += 1

    def refresh(self) -> bool:
        """--dev: rebuild when a folder changed (file added, removed, renamed); checks at most every 0.5 s."""
        now = time.monotonic()
        if now - self._checked < REFRESH_INTERVAL:
            return False
        self._checked = now
        for folder, mtime in self._folders.items():
            try:
                changed = os.stat(folder).st_mtime_ns != mtime
            except OSError:
                changed = True
            if changed:
                self.build()
                return True
        return False

    def static_file(self, rel: str) -> str | None:
        """``rel`` normalised, when the site serves that file as itself at its own URL, else None:
        ``response.file()`` sends nothing else (no template, Markdown page, ``+`` file, ``_private``
        or dot file)."""
        rel = str(rel)
        if "\0" in rel or "\\" in rel:
            return None
        rel = "/".join(p for p in rel.split("/") if p)
        if not rel:
            return None
        route = self._route_for(rel)
        return rel if route is not None and route.kind == "static" and self.site.is_file(rel) else None

    def _route_for(self, rel: str) -> Route | None:
        parts = rel.split("/")
        if any(is_private(p) or is_hidden(p) for p in parts):
            return None
        folders = [p for p in parts[:-1] if not is_group(p)]
        filename = parts[-1]
        stem, ext = posixpath.splitext(filename)
        kind = self.page_kinds.get(ext)
        if kind:
            segments = folders + ([] if stem == "index" else [stem])
        else:
            kind = "static"
            segments = folders + [filename]
        params = tuple(m.group(1) for m in (_PARAM_RE.match(s) for s in segments) if m)
        pattern = "/" + "/".join(segments)
        return Route(pattern, rel, kind, tuple(segments), len(segments) - len(params), params)

    def not_found(self, method: str = "GET") -> Match | None:
        """The site's root ``+404.ejs`` with the root middleware and layouts, if the site has one."""
        if not self.site.is_file(NOT_FOUND_PAGE):
            return None
        route = Route("(404)", NOT_FOUND_PAGE, "template", ())
        match = self._complete(route, {}, method)
        match.loaders = []
        return match

    # -- matching ---------------------------------------------------------------------------
    def match(self, path: str, method: str = "GET") -> Match | None:
        """Match a decoded, already validated URL path ('/a/b', '/a/b/' or '/')."""
        parts = [p for p in path.split("/") if p]
        for route in self.routes:
            params = route.match(parts)
            if params is not None:
                return self._complete(route, params, method)
        if parts:  # an asset URL: name.<sha256>.ext of a static file
            fingerprint = _FINGERPRINT_RE.match(parts[-1])
            if fingerprint:
                plain = parts[:-1] + [fingerprint.group(1) + (fingerprint.group(3) or "")]
                for route in self.routes:
                    if route.kind == "static" and route.match(plain) is not None and self.content_hash(route.file) == fingerprint.group(2):
                        return Match(route, {}, fingerprinted=True)
        return None

    def _complete(self, route: Route, params: dict, method: str) -> Match:
        match = Match(route, params)
        if route.kind == "static":
            return match
        key = (route.file, method)
        chain = self._chains.get(key)
        if chain is None:
            # Which +middleware/+load/+layout files exist only changes with the table (a new file
            # changes its folder's mtime, and --dev rebuilds on that): look once per route and method.
            chain = self._chains[key] = self._find_chain(route.file, method)
        match.middlewares, match.loaders, match.layouts = (list(files) for files in chain)
        return match

    def _find_chain(self, page: str, method: str) -> tuple[list, list, list]:
        middlewares, loaders, layouts = [], [], []
        folders = page.split("/")[:-1]
        chain = ["/".join(folders[:i]) for i in range(len(folders) + 1)]
        for folder in chain:
            candidate = _in(folder, "+middleware.js")
            if self.site.is_file(candidate):
                middlewares.append(candidate)
        page_folder = chain[-1]
        for name in ("+load.js", f"+{method.lower()}.js"):
            candidate = _in(page_folder, name)
            if name[1:-3] in ("load",) + METHOD_LOADERS and self.site.is_file(candidate):
                loaders.append(candidate)
        for folder in reversed(chain):
            candidate = _in(folder, "+layout.ejs")
            if self.site.is_file(candidate):
                layouts.append(candidate)
        return middlewares, loaders, layouts

    # -- assets ----------------------------------------------------------------------------
    def content_hash(self, rel: str) -> str | None:
        signature = self.site.signature(rel)
        if signature is None:
            return None
        cached = self._hashes.get(rel)
        if cached and cached[0] == signature:
            return cached[1]
        digest = hashlib.sha256(self.site.read_bytes(rel)).hexdigest()
        self._hashes[rel] = (signature, digest)
        return digest

    def asset_url(self, path: str, from_file: str, prefix: str = "") -> str:
        """``asset('/app.css')`` → ``/app.<sha256>.css`` (unchanged when no such file)."""
        if path.startswith(("http://", "https://", "//", "data:")):
            return path
        if path.startswith("/"):
            url_path = posixpath.normpath(path)
        else:
            folder = "/".join(p for p in from_file.split("/")[:-1] if not is_group(p))
            url_path = posixpath.normpath("/" + posixpath.join(folder, path))
        match = self.match(url_path)
        # None as well for a file gone (or refused) since the route table was built: no fingerprint to give.
        digest = self.content_hash(match.route.file) if match and match.route.kind == "static" else None
        if digest is None:
            return prefix + path if path.startswith("/") else path
        head, dot, ext = url_path.rpartition(".")
        if not dot or "/" in ext:
            fingerprinted = f"{url_path}.{digest}"
        else:
            fingerprinted = f"{head}.{digest}.{ext}"
        return prefix + fingerprinted

    def table(self) -> list[tuple[str, str, str]]:
        rows = [(r.pattern, r.kind, r.file) for r in self.routes]
        if self.site.is_file(NOT_FOUND_PAGE):
            rows.append(("(not found)", "template", NOT_FOUND_PAGE))
        return rows


def guess_type(path: str) -> str | None:
    """The type of a file by its name (mimetypes with pagesvm's additions), or None."""
    global _types_added
    if not _types_added:
        for kind, ext in _ADDED_TYPES:
            mimetypes.add_type(kind, ext)
        _types_added = True
    return mimetypes.guess_type(path)[0]


def content_type(rel: str) -> str:
    guessed = guess_type(rel) or "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/javascript", "application/json", "image/svg+xml"):
        guessed += "; charset=utf-8"
    return guessed


def _in(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name
