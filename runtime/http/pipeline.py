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
from bindings.cookies import CookieError, serialize_cookie
from bindings.headers import HeaderError, checked, valid_status
from bindings.registry import Registry
from bindings.request import BodyError, payload as request_payload, request_info

from . import csrf
from .extensions import registry_for
from .settings import AppSettings
from ..render.config import load_config
from ..render.executor import Job, RenderQueue
from ..render.engine import Engine, PageError, non_json
from ..render.limits import RequestLimits
from ..render.error_pages import debug_page, generic_page, status_page
from ..render.router import Router, content_type
from ..render.site import Site, find_pages_root

log = logging.getLogger("pagesvm")
MAX_PATH = 2048
RETRY_AFTER = "1"  # seconds, on a 503: as the admission check answers a full worker
_BAD_ENCODING_RE = re.compile(r"%(2f|5c|00)", re.I)


class BadPath(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def clean_path(raw: str) -> str:
    """Decode a URL path, refusing anything that could leave the root or reach a private file."""
    if len(raw) > MAX_PATH:
        raise BadPath(400, "URL too long")
    if _BAD_ENCODING_RE.search(raw):
        raise BadPath(400, "encoded separators are not allowed")
    try:
        decoded = urllib.parse.unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise BadPath(400, "malformed URL encoding") from None
    if "\\" in decoded or "\0" in decoded or not decoded.startswith("/"):
        raise BadPath(400, "malformed path")
    segments = decoded.split("/")[1:]
    if segments and segments[-1] == "":
        segments = segments[:-1]
    for segment in segments:
        if segment in (".", ".."):
            raise BadPath(400, "dot segments are not allowed")
        if segment == "" or segment[0] in "_+-":
            raise BadPath(404, "not found")
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
        self.options = {"auth_ttl": settings.auth_ttl, **(options or {})}
        self.router = Router(self.site, self.site_config.page_kinds)
        self.cross_site = csrf.OptOuts(self.site)
        markdown = None
        if "markdown" in self.site_config.plugins:  # the marked plugin is listed: load Python-Markdown
            from ..render.markdown import MarkdownRenderer

            markdown = MarkdownRenderer()
        self.engine = Engine(self.site, registry=registry, markdown=markdown, config={
            "prefix": self.prefix, "debug": self.debug, "assets": self,
            "ejs_in_markdown": self.site_config.ejs_in_markdown,
        })
        self.queue = RenderQueue(self)

    def url_for(self, path: str, from_file: str) -> str:
        return self.router.asset_url(path, from_file, self.prefix)

    # -- serving ------------------------------------------------------------------------------
    def serve(self, handler) -> Job | None:
        """Answer ``handler.request``; a page is queued for the interpreter (its Job is returned)."""
        request = handler.request
        match, path = None, "/"
        try:
            path = clean_path(request.path)
        except BadPath as e:
            if e.status != 404:
                return self._status(handler, e.status, e.reason)
            # a private segment is answered like an unknown URL: the site's own 404 page, if any
        else:
            if self.prefix:
                if not (path == self.prefix or path.startswith(self.prefix + "/")):
                    return self._status(handler, 404, "not found")
                path = path[len(self.prefix):] or "/"
            if self.debug:
                self.router.refresh()
            match = self.router.match(path, request.method)
        # Checked before anything the request reaches, so an unknown URL (whose +404 page runs the
        # root middleware) or a static file is guarded like a page; only a page that opts out is open.
        refused = csrf.refusal(request.method, request.headers, request.protocol, request.host)
        if refused and not (match is not None and match.route.kind != "static" and self.cross_site.allows(match.file)):
            return self._status(handler, 403, refused)
        if match is None:
            return self._not_found(handler, path)
        if match.route.kind == "static":
            return self._static(handler, match)
        return self._page(handler, match, path)

    def _static(self, handler, match) -> None:
        if handler.request.method not in ("GET", "HEAD"):
            return self._status(handler, 405, "method not allowed")
        try:
            body = self.site.read_bytes(match.file)
        except (OSError, PermissionError):  # removed since the table was built
            return self._not_found(handler)
        handler.set_header("Content-Type", content_type(match.file))
        if match.fingerprinted:
            handler.set_header("Cache-Control", "public, max-age=31536000, immutable")
        handler.finish(body)

    def _page(self, handler, match, path: str, status: int | None = None) -> Job | None:
        try:
            info = request_info(handler.request, path, handler.request.protocol, handler.request.remote_ip,
                                self.max_fields)
        except BodyError as e:
            return self._status(handler, e.status, str(e))
        ctx = Context(request=info, response=ResponseEffects(self.prefix or "/"), data_dir=self.data_dir,
                      site=self.site.root, options={**self.options, "debug": self.debug, "runtime": self})
        refused = self._run_request_hooks(ctx)
        if refused:
            return self._status(handler, *refused)
        route = {
            "page": match.file, "kind": match.route.kind, "middlewares": match.middlewares,
            "loaders": match.loaders, "layouts": match.layouts,
            "params": {**info.query, **match.params},
        }
        payload = {"route": route, "request": request_payload(info), "auth": ctx.auth, "data": ctx.data}
        early = ctx.response.drain()  # what on_request hooks set: applied before the page's own calls
        if early:
            payload["fx"] = early
        return self.queue.submit(Job(handler, ctx, payload, status))

    def answer(self, job: Job) -> None:
        """Send the response for a rendered job (called by the render queue)."""
        handler, result = job.handler, job.result
        if result.get("timeout"):
            return self._status(handler, 504, "the page took too long")
        if job.status and not result.get("error") and not result.get("redirect") and int(result.get("status") or 200) == 200:
            result["status"] = job.status  # the +404.ejs page answers 404 unless it chose otherwise
        self._respond(handler, result, job.host_error)

    def replace_engine(self) -> None:
        """A fresh interpreter after one was interrupted mid-request (its state is unknown)."""
        old = self.engine
        # Forget first: if the new interpreter cannot be built, the old one is sent everything
        # again (sending too much is harmless; counting a unit as held that is not is not).
        old.units.forget_interpreter()
        self.engine = Engine(self.site, registry=old.registry, markdown=old.markdown, config=old.config)
        self.engine.units = old.units

    def _run_request_hooks(self, ctx) -> tuple[int, str] | None:
        """``on_request`` hooks, in registration order; a dict return is merged into ``data``.

        A BindingError answers with its status and message; any other failure is a logged 500.
        """
        from bindings.registry import BindingError

        for hook in self.registry.request_hooks:
            name = getattr(hook, "__qualname__", repr(hook))
            try:
                extra = hook(ctx)
            except BindingError as e:
                return e.status if 400 <= e.status < 600 else 500, e.message
            except Exception:  # noqa: BLE001 - a bug in a hook must not take the server down
                log.exception("on_request hook %s failed", name)
                return 500, f"internal error in on_request hook {name}" if self.debug else "internal error"
            if isinstance(extra, dict):
                bad = non_json(extra)
                if bad:
                    log.error("on_request hook %s returned a non-JSON value: %s", name, bad)
                    return 500, "internal error"
                ctx.data.update(extra)
        return None

    @staticmethod
    def failure(e: BaseException) -> tuple[dict, PageError | None]:
        """The result of a request that failed in Python (compiling) or broke the interpreter."""
        from ..render.ejs_compiler import TemplateSyntaxError

        if isinstance(e, TemplateSyntaxError):
            return {"error": {"name": e.name, "message": e.message}}, PageError(e.name, e.message, e.path, e.line, 500)
        error = {"name": type(e).__name__, "message": str(e).splitlines()[0] if str(e) else "", "stack": str(e)}
        return {"error": error}, None

    @staticmethod
    def _page_headers(result: dict) -> tuple[list, list, tuple | None]:
        """Every header the page and its bindings asked for, checked (HeaderError if one is bad):
        the cookies, the other headers, and the redirect's Location (or None)."""
        cookies = [checked("Set-Cookie", serialize_cookie(c["name"], c["value"], c.get("options") or {}))
                   for c in result.get("cookies") or []]
        headers = [checked(name, value) for name, value in result.get("headers") or []]
        location = checked("Location", result["redirect"]) if result.get("redirect") else None
        return cookies, headers, location

    def _respond(self, handler, result: dict, host_error: PageError | None = None) -> None:
        if result.get("error"):
            return self._error(handler, result["error"], host_error)
        try:
            cookies, headers, location = self._page_headers(result)
        except (HeaderError, CookieError) as e:  # nothing is sent yet: answer 500 instead
            log.error("%s %s set a bad header: %s", handler.request.method, handler.request.path, e)
            return self._status(handler, 500, "invalid response header")
        for name, value in cookies:
            handler.add_header(name, value)
        status = int(result.get("status") or 200)
        if not valid_status(status):  # 1xx would be taken as an interim answer, not this one
            log.error("%s %s set an invalid status %s", handler.request.method, handler.request.path, status)
            return self._status(handler, 500, "invalid status")
        for name, value in headers:
            handler.set_header(name, value)
        handler.set_status(status)
        if status in (204, 304):  # no body allowed, not even an empty one
            return handler.finish()
        if location:
            handler.set_header(*location)
            return handler.finish()
        if result.get("file"):
            return self._send_file(handler, result["file"])
        body = result.get("body") or ""
        if len(body) > self.max_output:
            log.error("output of %s is %d characters, over --max-output", handler.request.path, len(body))
            handler.clear()
            return self._status(handler, 500, "response too large")
        page_set_type = any(name.lower() == "content-type" for name, _ in result.get("headers") or [])
        if result.get("type") or not page_set_type:
            handler.set_header("Content-Type", result.get("type") or "text/html; charset=utf-8")
        handler.finish(body)

    def _send_file(self, handler, rel: str) -> None:
        rel = self.router.static_file(rel)
        if rel is None:  # only what the site serves statically, never a source
            return self._status(handler, 404, "file not found")
        handler.set_header("Content-Type", content_type(rel))
        handler.finish(self.site.read_bytes(rel))

    def _error(self, handler, error: dict, host_error: PageError | None = None) -> None:
        located = self.engine.locate_error(error, host_error)
        status = located.status if 400 <= located.status < 600 else 500
        log.error("%s %s failed at %s: %s: %s", handler.request.method, handler.request.path,
                  located.location, located.name, located.message)
        self._error_head(handler, status)
        if self.debug:
            return handler.finish(debug_page(self.site, located))
        if located.binding and status < 500:
            return handler.finish(status_page(status, "Error", located.message))
        handler.finish(generic_page(status))

    def _not_found(self, handler, path: str = "/") -> None:
        page = self.router.not_found(handler.request.method)
        if page is None:
            return self._status(handler, 404, "not found")
        return self._page(handler, page, path, status=404)

    def internal_error(self, handler) -> None:
        self._status(handler, 500, "internal error")

    @staticmethod
    def _error_head(handler, status: int) -> None:
        """What the page set is dropped; an HTML error page follows (a 503, something busy such as
        the database, says when to retry)."""
        handler.clear()
        handler.set_status(status)
        handler.set_header("Content-Type", "text/html; charset=utf-8")
        if status == 503:
            handler.set_header("Retry-After", RETRY_AFTER)

    def _status(self, handler, status: int, reason: str) -> None:
        self._error_head(handler, status)
        titles = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 414: "URI Too Long",
                  413: "Content Too Large", 431: "Request Header Fields Too Large", 504: "Gateway Timeout"}
        handler.finish(status_page(status, titles.get(status, "Error"), reason))

