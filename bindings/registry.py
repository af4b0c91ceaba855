"""Registries: every name a page can call, as a value a runtime is built with.

A ``Registry`` holds bindings, ``on_request`` hooks and JavaScript halves. pagesvm's own
families (request, response, auth, store, env, log…) each fill a registry of their own
(``FAMILY``) through the same ``binding``/``on_request``/``js_file`` a user's extension uses;
a runtime's registry ``include``s the families and extension modules it is built with, so two
runtimes in one process see only their own bindings. A family may ship the JavaScript half of
its API as a ``.js`` file (``js_file``), loaded once per interpreter; names implemented there
are declared with ``@binding(name, js=True)`` so they are listed, documented and protected
against clashes like any Python binding.

The module-level ``binding``/``on_request``/``js_file`` (the SDK a user's module imports)
register into the registry being ``recording`` (the extension loader records each module
into one of its own) or, outside a load, into the process-wide ``REGISTRY``.
"""
from __future__ import annotations

import inspect
import os
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable


class BindingError(Exception):
    """Raised by a binding to fail with a message a page may show (and an HTTP status)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = int(status)


class DuplicateBinding(Exception):
    """The same binding name registered twice without ``override=True``."""

    def __init__(self, name: str, first: str, second: str):
        super().__init__(f"binding '{name}' is registered twice: by {first} and by {second} (pass override=True to replace it)")
        self.name, self.first, self.second = name, first, second


def module_label(func: Callable[..., Any]) -> str:
    """The module a binding came from; a file loaded with ``--ext x.py`` is named by its path."""
    name = getattr(func, "__module__", None) or "?"
    module = sys.modules.get(name)
    if name.startswith("pagesvm_ext_") and getattr(module, "__file__", None):
        return os.path.relpath(module.__file__)
    return name


@dataclass
class Binding:
    """A Python callable reachable from page JavaScript as ``name(...)``."""

    name: str
    func: Callable[..., Any]
    module: str
    defer: bool = False
    keyword_only: tuple[str, ...] = ()
    accepts_var_keywords: bool = False
    cache: bool = False        # pure: memoised per request in JS, keyed by the JSON of its arguments
    js: bool = False           # implemented by a family's JavaScript half; ``func`` only documents it
    replaces_js: bool = False  # a Python binding that overrode a JavaScript one
    override: bool = False     # registered with override=True: replaces the same name when included
    hidden: bool = False       # called only by its family's JavaScript half (R.py), never a page name

    @property
    def signature(self) -> str:
        if inspect.isclass(self.func):  # an object (request, response…), not a function
            return self.name
        sig = inspect.signature(self.func)
        params = list(sig.parameters.values())[1:]  # drop ctx
        return self.name + str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty))

    @property
    def doc(self) -> str:
        text = inspect.getdoc(self.func) or ""
        return text.strip().splitlines()[0] if text.strip() else ""

    def call(self, ctx: Any, args: list) -> Any:
        """Call with JS arguments; a trailing plain object feeds keyword-only parameters."""
        kwargs: dict = {}
        if (self.keyword_only or self.accepts_var_keywords) and args and isinstance(args[-1], dict):
            candidate = args[-1]
            if self.accepts_var_keywords or set(candidate) <= set(self.keyword_only):
                kwargs = {str(k): v for k, v in candidate.items()}
                args = args[:-1]
        return self.func(ctx, *args, **kwargs)


@dataclass
class Registry:
    bindings: dict[str, Binding] = field(default_factory=dict)
    request_hooks: list[Callable[..., Any]] = field(default_factory=list)
    js_files: list[str] = field(default_factory=list)
    included: set[str] = field(default_factory=set)  # families and modules already included, by name

    def add(self, name: str, func: Callable[..., Any], *, override: bool = False, defer: bool = False,
            cache: bool = False, js: bool = False, hidden: bool = False) -> Binding:
        if not isinstance(name, str) or not name or any(not part.isidentifier() for part in name.split(".")):
            raise ValueError(f"binding name {name!r} must be dot-separated JavaScript identifiers")
        if defer and cache:
            raise ValueError(f"binding {name}: defer=True and cache=True exclude each other")
        module = module_label(func)
        existing = self.bindings.get(name)
        if existing is not None and not override:
            raise DuplicateBinding(name, existing.module, module)
        self._check_namespace(name, module)
        params = [] if inspect.isclass(func) else list(inspect.signature(func).parameters.values())
        if not js and not params:
            raise ValueError(f"binding {name}: {func.__name__} must take ctx as its first parameter")
        keyword_only = tuple(p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY)
        var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
        replaces_js = not js and existing is not None and (existing.js or existing.replaces_js)
        entry = Binding(name, func, module, defer, keyword_only, var_kw, cache, js, replaces_js, override, hidden)
        self.bindings[name] = entry
        return entry

    def include(self, name: str, other: Registry) -> Registry:
        """Add everything ``other`` (a family's or an extension module's registry) holds, once per
        ``name``, checked as if registered here in its order (a clash is a ``DuplicateBinding``)."""
        if name in self.included:
            return self
        for b in other.bindings.values():
            self.add(b.name, b.func, override=b.override, defer=b.defer, cache=b.cache, js=b.js, hidden=b.hidden)
        for hook in other.request_hooks:
            self.on_request(hook)
        for path in other.js_files:
            self.js_file(path)
        self.included.add(name)
        return self

    def _check_namespace(self, name: str, module: str) -> None:
        """``shop`` and ``shop.price`` cannot both exist: one would hide the other in JavaScript."""
        for other in self.bindings.values():
            if other.name != name and (other.name.startswith(name + ".") or name.startswith(other.name + ".")):
                raise DuplicateBinding(name, f"{other.module} ('{other.name}')", module)

    def binding(self, name: str, *, override: bool = False, defer: bool = False, cache: bool = False,
                js: bool = False, hidden: bool = False):
        """Decorator: ``@binding("shop.price")`` makes ``shop.price(…)`` callable from pages.

        ``defer``: fire-and-forget, queued in JS and sent with the next call (no round trip).
        ``cache``: a pure function of its arguments, answered from a per-request memo after
        the first call. ``js``: implemented in a ``js_file``; the function only documents it.
        ``override``: replace an existing binding (a built-in, say) instead of failing.
        ``hidden``: reached only from the family's JavaScript half (``R.py``); pages never see the name.
        Its replies are not checked for values JSON cannot carry (the family shapes both halves): one
        that is not JSON fails the call with an error.
        """

        def register(func):
            self.add(name, func, override=override, defer=defer, cache=cache, js=js, hidden=hidden)
            return func

        return register

    def on_request(self, func):
        """Decorator: run ``func(ctx)`` before middleware; a returned dict is merged into ``data``."""
        if func not in self.request_hooks:
            self.request_hooks.append(func)
        return func

    def js_file(self, path: str) -> str:
        """Load the JavaScript half of a family once per interpreter (after the core runtime)."""
        path = os.path.abspath(path)
        if path not in self.js_files:
            self.js_files.append(path)
        return path

    def python_bindings(self) -> list[Binding]:
        """Bindings the interpreter reaches through a stub (everything not implemented in JS, nor hidden)."""
        return [b for b in self.bindings.values() if not b.js and not b.hidden]

    def describe(self) -> list[dict]:
        return [
            {"name": b.name, "signature": b.signature, "doc": b.doc, "module": b.module, "defer": b.defer,
             "cache": b.cache, "js": b.js}
            for b in sorted(self.bindings.values(), key=lambda b: b.name) if not b.hidden
        ]


REGISTRY = Registry()  # the process-wide registry: what the SDK fills outside an extension load
_RECORDING: ContextVar[Registry | None] = ContextVar("pagesvm_recording", default=None)


@contextmanager
def recording(registry: Registry):
    """While the block runs, the SDK's ``binding``/``on_request``/``js_file`` register into ``registry``."""
    token = _RECORDING.set(registry)
    try:
        yield registry
    finally:
        _RECORDING.reset(token)


def current() -> Registry:
    """The registry the SDK registers into now."""
    recording_into = _RECORDING.get()
    return REGISTRY if recording_into is None else recording_into


def binding(name: str, *, override: bool = False, defer: bool = False, cache: bool = False, js: bool = False):
    """Decorator: ``@binding("shop.price")`` makes ``shop.price(…)`` callable from pages
    (see ``Registry.binding``)."""
    return current().binding(name, override=override, defer=defer, cache=cache, js=js)


def on_request(func):
    """Decorator: run ``func(ctx)`` before middleware; a returned dict is merged into ``data``."""
    return current().on_request(func)


def js_file(path: str) -> str:
    """Load the JavaScript half of a family once per interpreter (after the core runtime)."""
    return current().js_file(path)
