"""pb_hooks routes over HTTP: PocketBase's precedence around the pages, its CORS and JSON answers.

Order, as PocketBase with PocketPages answers: a CORS preflight under ``/api/``; a hook route; the
pages (``pipeline.py``); ``PROJECT/pb_public/``; then PocketBase's JSON 404. The ``routerUse``
middlewares wrap all of them, as on the binary: PocketPages is itself a ``routerUse`` middleware
(priority 0, registered where its loader file sorts), so a page, or a file of the pages folder, is
rendered as one step of that chain, in the same evaluation (``wrap_page``/``wrap_file``); a
``pb_public`` file and the 404 come after the whole chain. A site without hook files never builds one.
"""
from __future__ import annotations

import json
import logging
import os
import urllib.parse

from bindings import host_steps, tokens
from bindings.auth import backend
from bindings.context import Context, RequestInfo, ResponseEffects
from bindings.request import lowered_headers
from runtime.data import sniff

from . import cors, csrf
from .realtime_hooks import RealtimeHooks
from .response import Response
from ..hooks import JS_FILES, python_saves, RouteTable, find_hooks_dir, hook_files, learn, pages_loader, shown
from ..hooks.api_hooks import ApiHooks, request_hook_table
from ..hooks.api_saves import ApiRecordWrites
from ..hooks.learn import hook_route
from ..hooks.request_info import hook_info
from ..render.executor import Job
from ..render.router import guess_type
from ..render.site import file_id, walk_below, within

log = logging.getLogger("pagesvm")
NONE = "application/x-pagesvm-none"  # js/event.js: the handler wrote no body
FILE = "application/x-pagesvm-file"  # js/hooks.js: the chain let a prepared file through
JSON_TYPE = "application/json"
FILE_NOT_FOUND = "File not found."
NOT_FOUND = "The requested resource wasn't found."


def json_error(status: int, message: str) -> Response:
    body = json.dumps({"data": {}, "message": message, "status": status}, separators=(",", ":"))
    return Response(status, body, [("Content-Type", JSON_TYPE)])


def hook_scripts(pages_root: str) -> tuple[str | None, list[str], tuple]:
    """(pb_hooks folder, hook files to run, JavaScript the interpreter needs for them) of a pages root."""
    hooks_dir = find_hooks_dir(pages_root)
    names = hook_files(hooks_dir)
    return hooks_dir, names, (JS_FILES if names else ())


class _HookExchange:
    """The handler a hook request is answered through: adds CORS, drops the marker of 'no body', and
    sends ``prepared`` (a file's Response) with the middlewares' headers when the chain reached it."""

    __slots__ = ("inner", "request", "origin", "prepared")

    def __init__(self, inner, origin: bool, prepared: Response | None = None):
        self.inner, self.request, self.origin, self.prepared = inner, inner.request, origin, prepared

    @property
    def _finished(self):
        return getattr(self.inner, "_finished", True)

    def send(self, response: Response) -> None:
        # One scan, by value first: most answers carry neither marker (js/event.js writes one Content-Type).
        marker = next((v for k, v in response.headers if (v == FILE or v == NONE) and k.lower() == "content-type"), None)
        if marker is not None:
            prepared = self.prepared
            if marker == FILE and prepared is not None:
                kept = [(k, v) for k, v in response.headers if k.lower() != "content-type"]
                response.status, response.body, response.headers = prepared.status, prepared.body, kept + prepared.headers
            elif marker == NONE:
                response.headers = [(k, v) for k, v in response.headers if k.lower() != "content-type"]
        if self.origin:
            response.headers.append(("Access-Control-Allow-Origin", "*"))
        self.inner.send(response)


class HookRoutes:
    def __init__(self, runtime, hooks_dir: str, names: list[str]):
        self.runtime = runtime
        self.public = os.path.join(os.path.dirname(hooks_dir), "pb_public")
        self._resolved_public: tuple | None = None  # ((device, inode), resolved path) of pb_public: _in_public
        self.index_fallback = runtime.settings.index_fallback
        registrations = learn(runtime.engine, names)  # HookLoadError: start-up stops
        python_saves.install(runtime, runtime.engine.config.get("recordHooks"))  # ctx.app's saves run them too
        record_hooks = runtime.options.get("record_hooks")  # and the REST API's (None: no cost without any)
        self.record_writes = ApiRecordWrites(record_hooks, runtime.data_dir) if record_hooks is not None else None
        self.registrations = registrations
        table = request_hook_table(registrations)  # around the REST API: None (no cost) without any
        self.api_hooks = ApiHooks(lambda: runtime.engine, table) if table else None
        self.realtime_hooks = RealtimeHooks.of(self, registrations, self.api_hooks)  # None: none registered
        self.table = RouteTable(registrations)
        self.uses = [[r.file, r.index] for r in self.table.uses]
        # routerUse($apis.bodyLimit(n)) wraps every hook route, page, file and the JSON 404, as on the binary.
        # The last one bound decides, as a route's own replaces it (Registration.body_limit).
        self.use_limit = next((r.body_limit for r in reversed(self.table.uses) if r.body_limit is not None), None)
        self.pages_at = _pages_position(self.table.uses, pages_loader(hooks_dir))

    # -- before the pages -------------------------------------------------------------------------
    def before_pages(self, handler):
        """Answer ``handler`` if a hook route (or a CORS preflight) owns its URL; None: on to the pages."""
        request = handler.request
        raw_path = request.path
        preflight = cors.preflight(request)
        if preflight is not None:
            return handler.send(preflight) or True
        found = self.table.match(request.method, raw_path)
        if found is None:
            return None
        if found.registration is None:  # the path is a route's, the method is not: PocketBase's 404
            return self.not_found(handler, NOT_FOUND)
        if self._too_large(request, found.registration.body_limit):
            return handler.send(json_error(413, "Request entity too large.")) or True
        return self.run(handler, found.registration, found.params)

    def _too_large(self, request, route_limit: int | None) -> bool:
        """Whether the body passes the ``$apis.bodyLimit`` bound last: the route's, else the ``routerUse`` ones'
        (0: none)."""
        limit = route_limit if route_limit is not None else self.use_limit
        return bool(limit) and len(request.body or b"") > limit

    # -- after the pages ---------------------------------------------------------------------------
    def public_file(self, handler):
        """Answer from ``PROJECT/pb_public`` as PocketBase's ``apis.Static(..., indexFallback)`` does, after the
        whole ``routerUse`` chain (its Job, or True when sent): a file; a folder's index.html (301 to the path
        with a slash first); 301 from ``.../index.html`` to ``.../`` and from ``file/`` to ``file``. Never a dot
        file or anything outside the folder. What it lacks gets the root index.html, as the binary's
        ``--indexFallback`` gives a single-page app (unless ``--no-index-fallback``). False: nothing to send
        (the caller answers the 404)."""
        request = handler.request
        if request.method not in ("GET", "HEAD"):
            return False
        url_path = urllib.parse.unquote(request.path)
        parts = [p for p in url_path.split("/") if p]
        if any(p.startswith(".") or "\\" in p or "\0" in p for p in parts):
            return self._index_fallback(handler)
        # No part is `..`, so only a symlink can lead out of the folder, and only to something that exists: a
        # path with nothing there costs one stat (most 404s), and only what exists is resolved and checked.
        if not os.path.exists(os.path.join(self.public, *parts)):
            return self._index_fallback(handler)
        full = self._resolve_public(parts)
        if full is None:
            return self._index_fallback(handler)
        if os.path.isdir(full):
            if not url_path.endswith("/"):
                return self._public_send(handler, _moved(url_path + "/"))
            full = self._resolve_public(parts + ["index.html"])  # itself a symlink, perhaps
            if full is None or not os.path.isfile(full):
                return self._index_fallback(handler)
        elif url_path.endswith("/") and url_path.rstrip("/"):
            return self._public_send(handler, _moved(url_path.rstrip("/")))
        elif url_path.endswith("index.html"):
            return self._public_send(handler, _moved(url_path[:-len("index.html")]))
        return self._public_send(handler, _public_response(full))

    def _index_fallback(self, handler):
        """pb_public/index.html for a path pb_public lacks (the binary's ``--indexFallback``, on by default), sent
        as the file it is; False without one, or with the fallback off."""
        path = handler.request.path
        if not self.index_fallback or path == "/_" or path.startswith("/_/"):  # /_/ is the binary's dashboard
            return False
        if not os.path.isfile(os.path.join(self.public, "index.html")):  # one stat for a project without one
            return False
        index = self._resolve_public(["index.html"])
        if index is None or not os.path.isfile(index):
            return False
        return self._public_send(handler, _public_response(index))

    def _resolve_public(self, parts: list[str]) -> str | None:
        """The resolved path of ``parts`` (no `..` among them) under pb_public, None when a symlink leads out of
        it. The parts are looked at one by one from the folder's resolved path (one lstat each); only a path
        with a symlink in it is resolved in full."""
        root = self._public_root()
        if root is None:
            return None
        full, linked = walk_below(root, parts)
        return full if not linked or self._in_public(full) else None

    def _public_root(self) -> str | None:
        """pb_public resolved, kept with the folder's inode and used while both pb_public and the kept path still
        stat as that inode (two stats instead of resolving each part of its path again); None while there is no
        such folder. Both, because the walk starts at the kept path: pb_public may come to lead to the same
        folder under another name (renamed), and a symlink out of the project take the kept name."""
        folder = file_id(self.public)
        if folder is None:
            return None
        kept = self._resolved_public
        if kept is None or kept[0] != folder or file_id(kept[1]) != folder:
            kept = self._resolved_public = (folder, os.path.realpath(self.public))
        return kept[1]

    def _in_public(self, full: str) -> bool:
        """Whether ``full`` (resolved) lies in pb_public; a path the kept folder path refuses is checked once more
        against the folder resolved afresh (its path may have changed with the same inode: a renamed parent)."""
        root = self._public_root()
        if root is not None and within(full, root):
            return True
        self._resolved_public = None
        root = self._public_root()
        return root is not None and within(full, root)

    def _public_send(self, handler, response: Response):
        if self.uses:
            return self.wrap_file(handler, response, public=True)
        return handler.send(response) or True

    # -- pages and files inside the routerUse chain ------------------------------------------------
    def wrap_page(self, handler, payload: dict):
        """Run the page of ``payload`` as PocketPages' step of the ``routerUse`` chain (only called when
        there are middlewares): the handler to answer it through, or None when answered already (413)."""
        if self._too_large(handler.request, None):
            return handler.send(json_error(413, "Request entity too large.")) or None
        request = handler.request
        headers = lowered_headers(request.headers)
        payload["route"]["hook"] = self._spec(request, headers, None, {}, None, self.pages_at)
        return _HookExchange(handler, False)

    def wrap_file(self, handler, response: Response, public: bool = False):
        """Send ``response`` (a file's) if the ``routerUse`` chain lets it through, with the headers its
        middlewares set: at PocketPages' place for a file of the pages folder, after them all for pb_public."""
        if self._too_large(handler.request, None):
            return handler.send(json_error(413, "Request entity too large.")) or True
        return self.run(handler, None, {}, None, None if public else self.pages_at, response)

    def not_found(self, handler, message: str = FILE_NOT_FOUND):
        """PocketBase's JSON 404, after the ``routerUse`` middlewares as the binary runs them (a method but GET
        or HEAD reaches no file route there: the router's own message)."""
        if handler.request.method not in ("GET", "HEAD"):
            message = NOT_FOUND
        if self.uses:
            if self._too_large(handler.request, None):
                return handler.send(json_error(413, "Request entity too large.")) or True
            return self.run(handler, None, {}, message)
        return handler.send(json_error(404, message)) or True

    # -- a request for the interpreter -------------------------------------------------------------
    def _auth(self, headers: dict) -> dict | None:
        """The record an ``Authorization`` token (bare or ``Bearer``) stands for: PocketBase reads no cookie.
        ``headers``: the request's, under lower-case names."""
        token = headers.get("authorization", "").strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        if not token:
            return None
        try:
            found = tokens.verify_token(token, backend(self.runtime.data_dir).store)
        except Exception:  # noqa: BLE001 - a database that cannot answer: not signed in, logged
            log.exception("cannot check an Authorization token")
            return None
        if found is None:
            return None
        collection, record = found
        return {"id": record.id, "collectionId": collection.id, "collectionName": collection.name}

    def _spec(self, request, headers: dict, registration, params: dict, not_found: str | None,
              pages_at: int | None) -> dict:
        """What js/hooks.js runs: the route (or none), the ``routerUse`` list, where PocketPages' step sits
        in it (``pages``, or None), and the request as PocketBase types it (``headers``: lower-case names)."""
        raw_query = request.query or ""
        info = hook_info(request.method, headers, headers.get("content-type", ""), request.body or b"", raw_query,
                         self.runtime.max_fields)
        return {"route": [registration.file, registration.index] if registration else None, "uses": self.uses,
                "params": params, "path": request.path, "rawQuery": raw_query, "info": info,
                "auth": self._auth(headers), "remoteAddr": request.remote_ip,
                "tls": request.protocol == "https", "notFound": not_found, "pages": pages_at}

    def run(self, handler, registration, params: dict, not_found: str | None = None, pages_at: int | None = None,
            prepared: Response | None = None):
        """Queue a hook request: a route, the 404 (``not_found``), or a prepared file (``prepared``: its
        step sits at ``pages_at`` among the ``routerUse`` middlewares)."""
        request = handler.request
        headers = lowered_headers(request.headers)
        # Cross-site refusal only protects what cookies could authorise; a token-only request passes.
        refused = csrf.refusal(request.method, headers, request.protocol, request.host) if "cookie" in headers else None
        if refused and prepared is None:  # a file of the site was checked as pages are (pipeline.py)
            return handler.send(json_error(403, "Cross-site request refused.")) or True
        spec = self._spec(request, headers, registration, params, not_found, pages_at)
        if prepared is not None:
            spec["file"] = True
        unit = registration.file if registration else self.uses[0][0]
        return self.submit(_HookExchange(handler, "origin" in headers, prepared), headers, unit, spec)

    def run_api(self, handler, answer):
        """Queue a call of the REST API that request hooks concern (runtime/hooks/api_hooks.py): ``answer()``
        runs the API inside the evaluation and gives its answer (``{status, headers, body}``)."""
        request = handler.request
        headers = lowered_headers(request.headers)
        spec = {"api": True, "path": request.path}
        return self.submit(_HookExchange(handler, True), headers, self.registrations[0].file, spec, answer)

    def submit(self, exchange, headers: dict, unit: str, spec: dict, step=None):
        """Queue one evaluation of the hook files for `exchange` (a hook route, a request hook around the API, a
        realtime hook chain: runtime/http/realtime_hooks.py), `step` run inside it when given."""
        request = exchange.request
        runtime = self.runtime
        plain = RequestInfo(method=request.method, path=request.path, url=request.uri, headers=headers, cookies={},
                            query={}, body=None, host=request.host, scheme=request.protocol, remote_ip=request.remote_ip)
        ctx = Context(request=plain, response=ResponseEffects("/"), data_dir=runtime.data_dir, site=runtime.site.root,
                      options={**runtime.options, "debug": runtime.debug})
        if step is not None:
            host_steps.push(ctx, step)
        payload = hook_route(unit, spec, {"method": request.method, "url": request.uri, "host": request.host,
                                          "headers": headers, "cookies": {}, "body": None})
        return runtime.queue.submit(Job(exchange, ctx, payload))


def _moved(path: str) -> Response:
    """The binary's 301 (its safeRedirectPath: leading slashes and backslashes made one slash)."""
    if len(path) > 1 and path[0] in "/\\" and path[1] in "/\\":
        path = "/" + path.lstrip("/\\")
    return Response(301, b"", [("Location", path)])


def _public_response(full: str) -> Response:
    """A pb_public file with the type Go gives it: by extension, `text/*` with `; charset=utf-8`, else sniffed."""
    with open(full, "rb") as f:
        body = f.read()
    kind = guess_type(full)
    if kind is None:
        kind = sniff.detect(body)[0]
    elif kind.startswith("text/"):
        kind += "; charset=utf-8"
    return Response(200, body, [("Content-Type", kind)])


def _pages_position(uses: list, loader: str | None) -> int:
    """How many ``routerUse`` registrations come before PocketPages' own (its loader file's place in name
    order; without a loader file, after them all). One that comes after, at priority 0 or more, never runs
    for a page, as on the binary (PocketPages answers without ``e.next()``): said once at start-up."""
    at = sum(1 for r in uses if loader is None or shown(r.file)[len("pb_hooks/"):] < loader)
    for k, r in enumerate(uses):
        if any(m.get("priority", 0) > 0 or (k >= at and m.get("priority", 0) == 0) for m in r.middlewares):
            log.warning("%s: a routerUse middleware there runs after PocketPages' (priority 0, %s), so never for "
                        "pages, as on PocketBase; give it a negative priority to guard pages", shown(r.file),
                        "pb_hooks/" + loader if loader else "no loader file: after every file")
    return at
