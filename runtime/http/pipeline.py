"""One site served in one process: URL → route → context → one render → HTTP response.

``PagesRuntime`` owns the site, its router, its interpreter and the options; the Tornado
handler in ``app.py`` hands it each request.
"""
from __future__ import annotations

import logging
import os
import re
import urllib.parse

from bindings import sqlite_db
from bindings.context import Context, ResponseEffects
from bindings.registry import BindingError, Registry
from bindings.request import BodyError, payload as request_payload, request_info
from runtime.data.busy import DatabaseBusyError

from . import csrf
from .extensions import registry_for
from ..realtime import Broker
from .api_routes import ApiRoutes, refusal as api_refusal
from .realtime_routes import schedule_on_loop
from .hook_routes import HookRoutes, hook_scripts
from .logline import flush_pending
from .loopback import Loopback
from .response import Refusal, Response, error_response, page_response, refusal_response
from .settings import AppSettings
from ..render.config import load_config
from ..render.executor import Job, RenderQueue
from ..render.engine import Engine, PageError, page_payload
from ..render.json_values import non_json
from ..render.limits import RequestLimits
from ..render.error_pages import debug_page, generic_page, status_page
from ..render.router import Router, content_type
from ..render.site import Site, find_pages_root

log = logging.getLogger("pagesvm")
MAX_PATH = 2048
_BAD_ENCODING_RE = re.compile(r"%(2f|5c|00)", re.I)


def clean_path(raw: str) -> str:
    """Decode a URL path, refusing anything that could leave the root or reach a private file
    (Refusal; a 404 for a private segment, answered as an unknown URL is)."""
    if len(raw) > MAX_PATH:
        raise Refusal(400, "URL too long")
    if _BAD_ENCODING_RE.search(raw):
        raise Refusal(400, "encoded separators are not allowed")
    try:
        decoded = urllib.parse.unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise Refusal(400, "malformed URL encoding") from None
    if "\\" in decoded or "\0" in decoded or not decoded.startswith("/"):
        raise Refusal(400, "malformed path")
    segments = decoded.split("/")[1:]
    if segments and segments[-1] == "":
        segments = segments[:-1]
    for segment in segments:
        if segment in (".", ".."):
            raise Refusal(400, "dot segments are not allowed")
        if segment == "" or segment[0] in "_+-":
            raise Refusal(404, "not found")
    return decoded


class PagesRuntime:
    def __init__(self, site_dir: str, settings: AppSettings | None = None, *, registry: Registry | None = None,
                 limits: RequestLimits | None = None, options: dict | None = None, **more):
        """``settings`` (or keyword options naming its fields); ``registry``: see ``registry_for``."""
        self.settings = settings = AppSettings.of(**more) if settings is None else settings.replace(**more)
        registry = registry_for(settings.extensions, registry)
        self.limits = limits or RequestLimits(settings.timeout, watchdog=False)
        # A write waiting on another process's database lock gives up (503) well before --timeout.
        sqlite_db.set_busy_timeout(sqlite_db.busy_timeout_for(self.limits.timeout))
        self.site = Site(find_pages_root(site_dir))
        self.site_config = load_config(self.site)
        self.debug = bool(settings.debug or self.site_config.debug)
        self.prefix = settings.prefix
        self.data_dir = os.path.abspath(settings.data_dir)
        self.registry = registry
        self.max_output = settings.max_output
        self.max_fields = settings.max_fields
        # $http.send (bindings/http_api.py) cuts its timeout to what --timeout leaves, and hands a call to this
        # same server to the loopback, which serves it in-process (a worker never waits on itself).
        self.loopback = Loopback(self)
        self.options = {"auth_ttl": settings.auth_ttl, "allow_exec": settings.allow_exec, "time_left": self.limits.left,
                        "loopback": self.loopback, **(options or {})}
        self.router = Router(self.site, self.site_config.page_kinds)
        self.cross_site = csrf.OptOuts(self.site)
        markdown = None
        if "markdown" in self.site_config.plugins:  # the marked plugin is listed: load Python-Markdown
            from ..render.markdown import MarkdownRenderer

            markdown = MarkdownRenderer()
        hooks_dir, hook_names, scripts = hook_scripts(self.site.root)
        engine = Engine(self.site, registry=registry, markdown=markdown, router=self.router, scripts=scripts, config={
            "prefix": self.prefix, "debug": self.debug, "ejs_in_markdown": self.site_config.ejs_in_markdown,
            "plugins": self.site_config.plugins,
        })
        self.queue = RenderQueue(engine, self.limits, self.answer, before_pages=flush_pending)
        # pb_hooks/*.pb.js: learned now (a file that fails to load raises HookLoadError); None without any.
        self.hooks = HookRoutes(self, hooks_dir, hook_names) if hook_names else None
        # routerUse middlewares wrap every page and file, as on PocketBase: None (the one check) without any.
        self._wrap = self.hooks if self.hooks is not None and self.hooks.uses else None
        # Realtime clients and their messages (runtime/realtime); pages and hooks: $app.subscriptionsBroker().
        self.options["realtime"] = Broker(self.data_dir, self.options, schedule=schedule_on_loop)
        self.api = ApiRoutes(self.data_dir, self.options, self.hooks) if settings.api else None
        # pb() in pages is answered by this same API in-process, request hooks included (even under --no-api).
        self.options["api"] = self.api.api if self.api is not None else ApiRoutes(self.data_dir, self.options, self.hooks).api

    @property
    def engine(self) -> Engine:
        """The interpreter serving now (the render queue replaces it after a failure)."""
        return self.queue.engine

    # -- serving ------------------------------------------------------------------------------
    def serve(self, handler) -> Job | None:
        """Answer ``handler.request``: a static file at once, a page queued for the interpreter
        (its Job is returned; ``answer`` sends it). A refusal anywhere on the way is answered here."""
        request = handler.request
        try:
            if self.hooks is not None:  # hook routes come first, as on PocketBase
                owned = self.hooks.before_pages(handler)
                if owned is not None:
                    return owned if isinstance(owned, Job) else None
            if self.api is not None:  # PocketBase's REST API under /api/ (a Job when request hooks concern it)
                owned = self.api.serve(handler)
                if owned:
                    return owned if isinstance(owned, Job) else None
            path, match = self._match(request)
            if match is not None and match.route.kind == "static":
                response = self._static(request, match)
                if response is not None:
                    if self._wrap is not None:
                        owned = self._wrap.wrap_file(handler, response)
                        return owned if isinstance(owned, Job) else None
                    return handler.send(response)
                match, path = None, "/"  # removed since the table was built
            if match is None:  # an unknown URL: pb_public, the site's own +404 page, PocketBase's 404
                if self.hooks is not None:
                    owned = self.hooks.public_file(handler)
                    if owned:
                        return owned if isinstance(owned, Job) else None
                match = self.router.not_found(request.method)
                if match is None:
                    if self.hooks is not None:
                        owned = self.hooks.not_found(handler)
                        return owned if isinstance(owned, Job) else None
                    raise Refusal(404, "not found")
                return self._page(handler, match, path, status=404)
            return self._page(handler, match, path)
        except (Refusal, BodyError) as e:
            self.refuse(handler, e.status, str(e), getattr(e, "detail", None))
        return None

    def refuse(self, handler, status: int, reason: str, detail: str | None = None) -> None:
        """Answer with a status page instead: for a refusal decided before the pipeline (the
        admission check in ``connection.py``/``app.py``) or in it. ``detail`` goes to the log. Under
        ``/api/`` (the API on) it is PocketBase's JSON error, the status unchanged."""
        request = handler.request
        if detail:
            log.error("%s %s %s", request.method, request.path, detail)
        if self.api is not None and request.path.startswith("/api/"):
            return handler.send(api_refusal(status))  # PocketBase's JSON error shape for its API's URLs
        handler.send(refusal_response(status, reason))

    def _match(self, request) -> tuple:
        """(path, route match or None for an unknown URL), or Refusal: a bad path, outside the
        prefix, or a cross-site request to anything but a page that opts out."""
        match, path = None, "/"
        try:
            path = clean_path(request.path)
        except Refusal as e:
            if e.status != 404:
                raise
            # a private segment is answered like an unknown URL: the site's own 404 page, if any
        else:
            if self.prefix:
                if not (path == self.prefix or path.startswith(self.prefix + "/")):
                    raise Refusal(404, "not found")
                path = path[len(self.prefix):] or "/"
            if self.debug:
                self.router.refresh()
            match = self.router.match(path, request.method)
            if match is None and path.endswith("/index"):  # PocketPages serves a folder's index at .../index too
                match = self.router.match(path[:-5], request.method)
        # Checked before anything the request reaches, so an unknown URL (whose +404 page runs the
        # root middleware) or a static file is guarded like a page; only a page that opts out is open.
        refused = csrf.refusal(request.method, request.headers, request.protocol, request.host)
        if refused and not (match is not None and match.route.kind != "static" and self.cross_site.allows(match.file)):
            raise Refusal(403, refused)
        return path, match

    def _static(self, request, match) -> Response | None:
        if request.method not in ("GET", "HEAD"):
            raise Refusal(405, "method not allowed")
        try:
            body = self.site.read_bytes(match.file)
        except (OSError, PermissionError):  # removed since the table was built
            return None
        headers = [("Content-Type", content_type(match.file))]
        if match.fingerprinted:
            headers.append(("Cache-Control", "public, max-age=31536000, immutable"))
        return Response(200, body, headers)

    def _page(self, handler, match, path: str, status: int | None = None) -> Job:
        info = request_info(handler.request, path, handler.request.protocol, handler.request.remote_ip,
                            self.max_fields)
        ctx = Context(request=info, response=ResponseEffects(self.prefix or "/"), data_dir=self.data_dir,
                      site=self.site.root, options={**self.options, "debug": self.debug})
        self._run_request_hooks(ctx)
        payload = page_payload(match.file, match.route.kind, match.middlewares, match.loaders, match.layouts,
                               {**info.query, **match.params}, request_payload(info), ctx.auth, ctx.data)
        early = ctx.response.drain()  # what on_request hooks set: applied before the page's own calls
        if early:
            payload["fx"] = early
        if self._wrap is not None:  # the page runs as PocketPages' step of the routerUse chain
            handler = self._wrap.wrap_page(handler, payload)
            if handler is None:
                return None
        return self.queue.submit(Job(handler, ctx, payload, status))

    def answer(self, job: Job) -> None:
        """Send the response for a rendered job (the render queue's callback). A response that
        fails to be made costs that request a 500, never the other jobs of its batch."""
        handler, result = job.handler, job.result
        try:
            if result.get("timeout"):
                return self.refuse(handler, 504, "the page took too long")
            if job.status and not result.get("error") and not result.get("redirect") and int(result.get("status") or 200) == 200:
                result["status"] = job.status  # the +404.ejs page answers 404 unless it chose otherwise
            self._respond(handler, result, job.host_error)
        except Exception:  # noqa: BLE001 - one broken response must not stop the others
            log.exception("%s %s failed", handler.request.method, handler.request.path)
            if not getattr(handler, "_finished", True):
                self.internal_error(handler)

    def _run_request_hooks(self, ctx) -> None:
        """``on_request`` hooks, in registration order; a dict return is merged into ``data``.

        A BindingError is a Refusal with its status and message, a busy database a 503; any other
        failure a logged 500.
        """
        for hook in self.registry.request_hooks:
            name = getattr(hook, "__qualname__", repr(hook))
            try:
                extra = hook(ctx)
            except BindingError as e:
                raise Refusal(e.status if 400 <= e.status < 600 else 500, e.message) from None
            except DatabaseBusyError as e:  # another process held data.db's lock: retry, as bindings get
                raise Refusal(503, str(e)) from None
            except Exception:  # noqa: BLE001 - a bug in a hook must not take the server down
                log.exception("on_request hook %s failed", name)
                raise Refusal(500, f"internal error in on_request hook {name}" if self.debug else "internal error") from None
            if isinstance(extra, dict):
                bad = non_json(extra)
                if bad:
                    log.error("on_request hook %s returned a non-JSON value: %s", name, bad)
                    raise Refusal(500, "internal error")
                ctx.data.update(extra)

    def _respond(self, handler, result: dict, host_error: PageError | None = None) -> None:
        """Send what the page rendered; a refusal decided from it (a bad header or status,
        output over --max-output, a missing file) is answered instead."""
        try:
            if result.get("error"):
                response = self._error(handler, result["error"], host_error)
            else:
                response = page_response(result, self.max_output, self._file)
        except Refusal as e:
            return self.refuse(handler, e.status, e.reason, e.detail)
        handler.send(response)

    def _file(self, rel: str) -> tuple[str, bytes]:
        """(content type, bytes) of what ``response.file()`` named, if the site serves it statically."""
        rel = self.router.static_file(rel)
        if rel is None:  # only what the site serves statically, never a source
            raise Refusal(404, "file not found")
        return content_type(rel), self.site.read_bytes(rel)

    def _error(self, handler, error: dict, host_error: PageError | None = None) -> Response:
        located = self.engine.locate_error(error, host_error)
        status = located.status if 400 <= located.status < 600 else 500
        log.error("%s %s failed at %s: %s: %s", handler.request.method, handler.request.path,
                  located.location, located.name, located.message)
        if self.debug:
            return error_response(status, debug_page(self.site, located))
        if located.binding and status < 500:
            return error_response(status, status_page(status, "Error", located.message))
        return error_response(status, generic_page(status))

    def close_streams(self) -> None:
        """End every realtime stream (a draining worker)."""
        if self.api is not None and self.api.realtime is not None:
            self.api.realtime.close_all()

    def internal_error(self, handler) -> None:
        self.refuse(handler, 500, "internal error")
