"""The one registry of everything a page can call from Python.

pagesvm's own families (auth, store, env, log…) register here exactly as a user's
extension module does, through ``binding`` and ``on_request``. A family may also ship
the JavaScript half of its API as a ``.js`` file (``js_file``), loaded once per
interpreter.
"""
from __future__ import annotations

import inspect
import os
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


@dataclass
class Binding:
    """A Python callable reachable from page JavaScript as ``name(...)``."""

    name: str
    func: Callable[..., Any]
    module: str
    defer: bool = False
    keyword_only: tuple[str, ...] = ()
    accepts_var_keywords: bool = False

    @property
    def signature(self) -> str:
        params = list(inspect.signature(self.func).parameters.values())[1:]  # drop ctx
        return f"{self.name}({', '.join(str(p) for p in params)})"

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

    def add(self, name: str, func: Callable[..., Any], *, override: bool = False, defer: bool = False) -> Binding:
        if not name or any(not part.isidentifier() for part in name.split(".")):
            raise ValueError(f"binding name {name!r} must be dot-separated JavaScript identifiers")
        module = getattr(func, "__module__", "?")
        existing = self.bindings.get(name)
        if existing is not None and not override:
            raise DuplicateBinding(name, existing.module, module)
        params = inspect.signature(func).parameters.values()
        keyword_only = tuple(p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY)
        var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
        entry = Binding(name, func, module, defer, keyword_only, var_kw)
        self.bindings[name] = entry
        return entry

    def binding(self, name: str, *, override: bool = False, defer: bool = False):
        """Decorator: ``@binding("shop.price")`` makes ``shop.price(…)`` callable from pages."""

        def register(func):
            self.add(name, func, override=override, defer=defer)
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

    def describe(self) -> list[dict]:
        return [
            {"name": b.name, "signature": b.signature, "doc": b.doc, "module": b.module, "defer": b.defer}
            for b in sorted(self.bindings.values(), key=lambda b: b.name)
        ]


REGISTRY = Registry()
binding = REGISTRY.binding
on_request = REGISTRY.on_request
js_file = REGISTRY.js_file
