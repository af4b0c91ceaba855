"""One long-lived QuickJS interpreter per worker, and the single evaljs per request.

Request data goes in once (``render(payload)``); the page, its includes and layouts run
inside that call. JavaScript reaches Python through two exported functions only:
``pv.call`` (registered bindings) and ``pv.host`` (file lookups, compiling, markdown).
"""
from __future__ import annotations

import json
import logging
import os
import re
import secrets
import sys
import traceback
from dataclasses import dataclass


from bindings.registry import REGISTRY, BindingError, Registry
from runtime.data.busy import DatabaseBusyError

from .ejs_compiler import TemplateSyntaxError
from .modules import ModuleResolver
from .json_values import non_json
from .quickjs import JSRuntimeError, PagesInterpreter, encode_variables, nonfinite, page_nonfinite
from .site import MODULE_EXTENSIONS, TEMPLATE_EXTENSIONS, Site
from .units import UnitCache

log = logging.getLogger("pagesvm.engine")

JS_DIR = os.path.join(os.path.dirname(__file__), "js")
CORE_JS = ("core.js", "render.js", "modules.js", "context.js", "microdash.js", "stubs.js")
# A unit's frame "at fn (<input>:L:C)", or a unit's syntax error "at <input>:L:C" raised by eval;
# any other bare "at <input>:1:1" is the JSON text of a JSON.parse error, not a unit.
_FRAME_RE = re.compile(r"\(<input>:(\d+)(?::(\d+))?\)|^\s+at <input>:(\d+):(\d+)\n\s+at eval \(native\)", re.M)


@dataclass
class PageError:
    """An error raised by page code, located in the page's own files."""

    name: str
    message: str
    path: str | None
    line: int | None
    status: int
    binding: str | None = None
    detail: str = ""

    @property
    def location(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}"
        return self.path or "?"


class RenderError(Exception):
    """``Engine.render_file`` failed; ``error`` says where, in the site's own files."""

    def __init__(self, error: PageError):
        super().__init__(f"{error.location}: {error.name}: {error.message}")
        self.error = error


_BARE = frozenset((str, int, float, bool, type(None)))  # a binding's value sent without its {"v": …} envelope


def page_payload(page: str, kind: str, middlewares: list, loaders: list, layouts: list, params: dict,
                 request: dict, auth=None, data=None) -> dict:
    """A request as render.js receives it (the only place its shape is written): the route
    (page, its kind, the middleware, loaders and layouts around it, the params), the request
    (``bindings.request.payload``), the signed-in user's record and the data so far."""
    return {"route": {"page": page, "kind": kind, "middlewares": middlewares, "loaders": loaders,
                      "layouts": layouts, "params": params},
            "request": request, "auth": auth, "data": {} if data is None else data}


def hooks_folder(root: str) -> str:
    """``__hooks``: the project's pb_hooks folder (the pages root's parent when it is one), else the root."""
    parent = os.path.dirname(root)
    return parent if os.path.basename(parent) == "pb_hooks" else root


class Engine:
    """``router`` (a render.router.Router, or None) gives ``asset()`` its fingerprinted URLs."""

    def __init__(self, site: Site, *, registry: Registry = REGISTRY, config: dict | None = None, markdown=None,
                 router=None, scripts: tuple = ()):
        """``scripts``: more JavaScript files (a layer above's halves, such as the hook files' runtime),
        loaded after the bindings and before lockdown.js, so what they define is frozen with the rest."""
        self.site = site
        self.scripts = tuple(scripts)
        self.registry = registry
        self.config = dict(config or {})
        self.markdown = markdown
        self.router = router
        self.ctx = None  # the bindings.context.Context of the request being served
        self.interp = PagesInterpreter()
        self.interp.export_function("pv.call", self._call_binding)
        self.interp.export_function("pv.defer", self._flush_deferred)
        self.interp.export_function("pv.host", self._host)
        self.interp.export_function("pv.body", self._done_body)
        self.interp.export_function("pv.page", self._done_page)
        self.interp.export_function("pv.drain", self._drain)
        self._on_done = None
        self.drain_error: BaseException | None = None
        # The evaluation's variables must carry this key (core.js `dukpy` accessor): only this
        # object and the runtime's closures know it, so page code cannot forge an entry.
        self._key = secrets.token_hex(16)
        for name in CORE_JS:
            self._load_js(os.path.join(JS_DIR, name))
        self.interp.eval_script("__pv.config = " + json.dumps(self._js_config()) + "; __pv.key = " + json.dumps(self._key) + "; 0")
        self._install_bindings(registry)
        for path in self.scripts:
            self._load_js(path)
        api_names = tuple(self.interp.eval_script("__pv.apiNames.slice()"))
        self._load_js(os.path.join(JS_DIR, "lockdown.js"))
        self.interp.collections.settle()
        self.api_names = api_names
        self.modules = ModuleResolver(site)
        self.units = UnitCache(site, api_names, ejs_in_markdown=self.config.get("ejs_in_markdown", True))
        self.host_error: PageError | None = None

    def _install_bindings(self, registry: Registry) -> None:
        """Python stubs, then the families' JavaScript halves, then Python overrides of JS names: exactly
        what ``registry`` holds (whoever built it chose the families, ``bindings.builtins``)."""
        python = registry.python_bindings()
        listing = [{"name": b.name, "defer": b.defer, "cache": b.cache} for b in python if not b.replaces_js]
        self.interp.eval_script("__pv.installBindings(" + json.dumps(listing) + "); 0")
        for path in registry.js_files:
            self._load_js(path)
        overrides = [{"name": b.name, "defer": b.defer, "cache": b.cache} for b in python if b.replaces_js]
        self.interp.eval_script("__pv.installOverrides(" + json.dumps(overrides) + "); 0")
        defined = set(self.interp.eval_script("__pv.apiNames.slice()"))
        missing = [b.name for b in registry.bindings.values() if b.js and b.name.split(".")[0] not in defined]
        if missing:
            raise RuntimeError(f"binding {missing[0]} is declared js=True but no JavaScript family defines it")

    def _js_config(self) -> dict:
        prefix = self.config.get("prefix", "").rstrip("/")
        return {"prefix": prefix, "cookiePath": prefix or "/", "debug": bool(self.config.get("debug")),
                "hooks": hooks_folder(self.site.root), "args": list(sys.argv),
                "recordHooks": self.config.get("recordHooks"),  # runtime/hooks/learn.py, on a replaced interpreter
                "plugins": list(self.config.get("plugins", ())),  # +config.js's: the datastar family reads them
                "collections": self.interp.collections.active}  # core.js R.collect: a call into Python, or none

    def _load_js(self, path: str) -> None:
        with open(path, encoding="utf-8") as f:
            self.interp.eval_script(f.read() + "\n;0")

    # -- one request -----------------------------------------------------------------------
    def render(self, payload: dict) -> dict:
        """Run one request in the interpreter; returns the response record from render.js."""
        self.host_error = None
        variables = encode_variables({"k": self._key, "p": payload}, page_nonfinite(payload))
        result = self._evaluate(variables)
        if result is None:
            raise RuntimeError("the interpreter holds globals it cannot remove; it must be replaced")
        if result.get("fatal"):
            raise RuntimeError("the request's promise jobs could not be run")
        if result.get("kept"):  # the body is the request's last $template render (render.js record)
            result["body"] = self.ctx.last_html
        return result

    def _evaluate(self, variables: bytes):
        """The one entry into the runtime (core.js: reading `dukpy` runs it); a drain failure
        inside it is raised here, after the evaluation."""
        self.drain_error = None
        try:
            return self.interp.eval_script("dukpy", variables)
        finally:
            error, self.drain_error = self.drain_error, None
            if error is not None:
                raise error

    @property
    def evaluating(self) -> bool:
        """True while an evaluation runs and has called into Python (a binding is running now)."""
        return self.interp.in_python > 0

    def nested(self, name: str, argument):
        """Run the runtime's JavaScript function ``name`` (core.js ``R.nested``) with ``argument`` inside the
        evaluation that called the Python running now, and answer what it returns (JSON). Only while
        ``evaluating``: the request's state (R.state) is the caller's, and so is its time limit."""
        collections = self.interp.collections
        began = collections.nested()  # inside a batch, dukpy's collections around it skipped (gc_gate)
        try:
            return self.interp.eval_script("dukpy", encode_variables(
                {"k": self._key, "n": name, "a": argument, "g": began is not None}, nonfinite(argument)))
        finally:
            if began is not None:
                collections.nested_done(began)

    def render_batch(self, payloads: list[dict], done) -> None:
        """Run several requests in one evaluation; ``done(index, result)`` is called as each ends,
        before the next one starts (it may switch ``ctx`` and re-arm the time limit)."""
        self.host_error = None
        self._on_done = self.interp.collections.around(done, len(payloads))
        try:
            variables = encode_variables({"k": self._key, "b": payloads}, any(map(page_nonfinite, payloads)))
            self.interp.collections.begin()  # dukpy's collections around the batch skipped (gc_gate)
            self._evaluate(variables)
        finally:
            self.interp.collections.end()
            self._on_done = None

    def _done_body(self, body: str, index, result):
        """A request's result, its body apart (core.js R.done sends a long one as text, not JSON)."""
        result["body"] = body
        self._done(index, result)

    def _done_page(self, body, index, head):
        """``pv.body`` for a result that is a status, a body, perhaps a type and headers, and nothing else
        (core.js R.done): ``head`` is the status, or [status, type, name, value, …]. The record render.js
        made, as its JSON would have read."""
        if type(head) is list:
            status, content_type = head[0], head[1]
            flat = head[2:]
            headers = [[flat[i], flat[i + 1]] for i in range(0, len(flat), 2)]
        else:
            status, content_type, headers = head, None, []
        self._on_done(index, {"status": status, "headers": headers, "cookies": [], "type": content_type,
                              "redirect": None, "file": None, "deferred": [], "error": None, "body": body,
                              "exhausted": False, "leaked": []})

    def _done(self, index, result):
        if result.get("kept"):
            result["body"] = self.ctx.last_html
        self._on_done(index, result)

    def _drain(self):
        """Run the current request's pending promise jobs: dukpy drains them at the end of any
        evaluation, this nested one included, and the request's time limit is still armed."""
        try:
            if self.interp.collections.jobs_pending():  # otherwise no evaluation (~0.1 ms, more with its collections)
                self.nested("jobs", None)
        except JSRuntimeError as e:
            if self.usable():  # the queue was drained, then a rejection nobody handled was raised
                return {"e": str(e)}
            self.drain_error = e
            return {"fatal": True}
        except BaseException as e:  # noqa: BLE001 - raised after the evaluation (_evaluate)
            self.drain_error = e
            return {"fatal": True}
        return {}

    def usable(self) -> bool:
        """False once dukpy refuses the interpreter (a job was aborted with others pending)."""
        try:
            self.interp.eval_script("0")
        except BaseException:  # noqa: BLE001
            return False
        return True

    def render_file(self, path: str, locals: dict | None = None) -> str:
        """Render one template with ``locals`` as bare names, outside any request (tests, tools).

        Same code path as a page (includes, escaping, errors), without middleware, loaders or layouts.
        """
        request = {"method": "GET", "url": "/", "host": "", "headers": {}, "cookies": {}, "body": None}
        payload = page_payload(path, "markdown" if path.endswith(".md") else "template", [], [], [], {}, request)
        payload["route"]["locals"] = dict(locals or {})
        result = self.render(payload)
        if result.get("error"):
            raise RenderError(self.locate_error(result["error"]))
        return result.get("body") or ""

    def route_units(self, route: dict) -> list:
        """Units the interpreter needs for a route and lacks (or holds stale)."""
        wanted = [(route["page"], route["kind"], ())]
        wanted += [(p, "module", ()) for p in route["middlewares"] + route["loaders"]]
        wanted += [(p, "template", ("slot", "slots")) for p in route["layouts"]]
        units = []
        try:
            for path, kind, keys in wanted:
                units.extend(self.units.ensure(path, kind, keys))
        except BaseException:
            self.units.unsent(unit[0] for unit in units)  # never delivered: send them with the next request
            raise
        return units

    # -- Python called from JavaScript ---------------------------------------------------------
    def _call_binding(self, name, args, deferred):
        ctx = self.ctx
        if deferred:
            self.run_deferred(deferred, ctx)
        reply = self._invoke(ctx, name, args)
        fx = ctx.response.drain() if ctx is not None else None
        if fx:
            reply["fx"] = fx
        elif type(reply.get("v", reply)) in _BARE:  # a string, number, boolean or null crosses as itself (core.js R.py)
            return reply["v"]
        return reply

    def _flush_deferred(self, calls):
        """A long queue of deferred calls, sent ahead of any call of the page's own (core.js R.defer)."""
        ctx = self.ctx
        self.run_deferred(calls, ctx)
        fx = ctx.response.drain() if ctx is not None else None
        return {"fx": fx} if fx else None

    def run_deferred(self, calls, ctx=None) -> None:
        for name, args in calls or ():
            self._invoke(ctx if ctx is not None else self.ctx, name, args)

    def _invoke(self, ctx, name: str, args: list) -> dict:
        entry = self.registry.bindings.get(name)
        if entry is None or entry.js:
            return {"e": f"no binding named {name}", "status": 500}
        try:
            if entry.keyword_only or entry.accepts_var_keywords:  # a trailing object may feed them (Binding.call)
                value = entry.call(ctx, list(args))
            else:  # the function itself, one call less
                value = entry.func(ctx, *args)
        except BindingError as e:
            return {"e": e.message, "status": e.status}
        except DatabaseBusyError as e:  # another process held a database's lock too long: a 503 to retry
            return {"e": str(e), "status": 503}
        except Exception:  # noqa: BLE001 - any bug in a binding becomes a JS Error
            return self._internal(name)
        # A hidden binding answers its own family's JavaScript half, which shaped the reply with it (record
        # tables are hundreds of values per page): not walked again here.
        bad = None if entry.hidden else non_json(value)
        if bad:
            log.error("binding %s returned a non-JSON value: %s", name, bad)
            return {"e": f"{name} returned a non-JSON value: {bad}", "status": 500}
        return {"v": value}

    def _internal(self, name: str) -> dict:
        detail = traceback.format_exc()
        log.error("binding %s failed:\n%s", name, detail)
        message = f"internal error in binding {name}"
        if self.config.get("debug"):
            message += "\n" + detail
        return {"e": message, "status": 500}

    def _host(self, name, args):
        units: list = []  # units handed out are counted as held: they travel with any reply, error or not
        try:
            handler = getattr(self, "_host_" + name)
            reply = {"v": handler(units, *args)}
        except TemplateSyntaxError as e:
            self.host_error = PageError(e.name, e.message, e.path, e.line, 500)
            reply = {"e": f"{e.path}:{e.line}: {e.message}"}
        except FileNotFoundError as e:
            reply = {"e": f"file not found: {e}"}
        except (ValueError, PermissionError, OSError) as e:
            reply = {"e": str(e)}
        if units:
            reply["units"] = units
        return reply

    def _host_unit(self, units, path, kind, keys):
        units.extend(self.units.ensure(path, kind, tuple(keys)))

    def _host_find(self, units, from_file, name, kind):
        if kind == "template":
            path = self.site.find_private(from_file, name, TEMPLATE_EXTENSIONS)
            if path:
                units.extend(self.units.ensure_variants(path, "markdown" if path.endswith(".md") else "template"))
        elif kind in ("module", "resolve"):
            # require('./x') is relative to its file; resolve('../x') is always the _private lookup
            path = (self.modules.find(from_file, name) if kind == "module"
                    else self.site.find_private(from_file, name, MODULE_EXTENSIONS))
            if path:
                units.extend(self.units.ensure(path, "module"))
        else:
            path = self.site.find_private(from_file, name, (".js", ".json", ".css", ".html", ".txt"))
        return path

    def _host_read(self, units, path):
        return self.site.read_text(path)

    def _host_markdown(self, units, text, path):
        # Markdown images get asset() URLs, relative to the Markdown file's folder.
        html = self.markdown(text, lambda href: self._host_asset(units, href, path)) if self.markdown else text
        return [html, self.units.front_matter(path)]

    def _host_asset(self, units, path, from_file):
        router = self.router
        return router.asset_url(path, from_file, self.config.get("prefix", "")) if router is not None else path

    # -- errors ------------------------------------------------------------------------------
    def locate_error(self, error: dict, host_error: PageError | None = None) -> PageError:
        """Map a JS error record (from render.js) to the page file and line it came from."""
        host_error = host_error or self.host_error
        if host_error is not None:
            return host_error
        path, line = error.get("file"), None
        for match in _FRAME_RE.finditer(error.get("stack") or ""):
            found = self.units.locate(int(match.group(1) or match.group(3)))
            if found:
                unit, line = found
                path = unit.path
                # Column 1: QuickJS only knew the enclosing function; the template's last code tag is closer.
                if (match.group(2) or match.group(4)) == "1" and unit.template and path == error.get("file") and error.get("line"):
                    line = max(line, int(error["line"]))
                break
        status = error.get("status") or 500
        return PageError(error.get("name") or "Error", error.get("message") or "", path, line, int(status), error.get("binding"))
