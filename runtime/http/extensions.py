"""Loading user extension modules (``--ext``, ``extensions=[…]``): a dotted module name or
a ``.py`` file, into the registry of the runtime being built.

A module is imported once per process, while its ``@binding``/``on_request`` calls are recorded
into a registry of its own; each runtime that names it includes that recording, so runtimes
built with different extensions see only their own.

Python only ever comes from here, named by whoever starts the server: a site's
``+config.js`` cannot load Python.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys

from bindings.registry import REGISTRY, DuplicateBinding, Registry, recording

_RECORDED: dict[str, Registry] = {}  # module name → what importing it registered


class ExtensionError(Exception):
    """An extension that cannot be found or fails while importing (one line, no traceback)."""


def registry_for(extensions, registry: Registry | None = None) -> Registry:
    """The registry a runtime calls: ``registry`` as given (default: every built-in family, first,
    so an extension may replace one with ``override=True``), with ``extensions`` loaded into it."""
    from bindings import builtins

    if registry is None:
        registry = builtins.registry()
    load_extensions(extensions, registry)
    return registry


def load_extensions(names, registry: Registry = REGISTRY) -> list:
    """Import each extension (once per process) and include its bindings in ``registry``."""
    if isinstance(names, str):
        names = [names]
    modules = []
    for name in names or ():
        module = _load(str(name))
        registry.include(module.__name__, _recorded(module.__name__))
        modules.append(module)
    return modules


def _recorded(module_name: str) -> Registry:
    """What the module registered; a module someone imported outside a load registered into the
    process-wide ``REGISTRY``, from which its own entries are taken."""
    found = _RECORDED.get(module_name)
    if found is None:
        found = _RECORDED[module_name] = Registry()
        for b in list(REGISTRY.bindings.values()):
            if getattr(b.func, "__module__", None) == module_name:
                found.add(b.name, b.func, override=b.override, defer=b.defer, cache=b.cache, js=b.js)
        found.request_hooks.extend(h for h in REGISTRY.request_hooks if h.__module__ == module_name)
    return found


def _load(name: str):
    try:
        before = set(sys.modules)
        with recording(Registry()) as into:
            module = _load_file(name) if name.endswith(".py") else _load_module(name)
        if into.bindings or into.request_hooks or into.js_files:
            _RECORDED.setdefault(module.__name__, into)
            _record_imported(into, module.__name__, set(sys.modules) - before)
        return module
    except (DuplicateBinding, ExtensionError):
        raise
    except Exception as e:  # noqa: BLE001 - any error inside the user's module
        where = _innermost_frame(e)
        raise ExtensionError(f"extension {name} failed to load: {type(e).__name__}: {e}{where}") from None


def _record_imported(into: Registry, loaded: str, imported: set) -> None:
    """Also record, under its own name, what each other module imported by this load registered
    (an extension that imports another): naming that one later, alone, must give its bindings
    and hooks, not the nothing its cached import would record then."""
    owned: dict[str, Registry] = {}
    for b in into.bindings.values():
        owner = getattr(b.func, "__module__", None)
        if owner in imported and owner != loaded and not owner.startswith(loaded + "."):
            owned.setdefault(owner, Registry()).add(b.name, b.func, override=b.override, defer=b.defer,
                                                    cache=b.cache, js=b.js)
    for hook in into.request_hooks:
        owner = getattr(hook, "__module__", None)
        if owner in imported and owner != loaded and not owner.startswith(loaded + "."):
            owned.setdefault(owner, Registry()).on_request(hook)
    for owner, registry in owned.items():
        _RECORDED.setdefault(owner, registry)


def _load_module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name and name.startswith(e.name):
            raise ExtensionError(f"extension module not found: {name}") from None
        raise


def _load_file(name: str):
    path = os.path.abspath(name)
    if not os.path.isfile(path):
        raise ExtensionError(f"extension file not found: {name}")
    module_name = "pagesvm_ext_" + os.path.splitext(os.path.basename(path))[0]
    loaded = sys.modules.get(module_name)
    if loaded is not None:
        if os.path.abspath(getattr(loaded, "__file__", "")) != path:
            raise ExtensionError(f"extension {name}: another file with the same name is already loaded")
        return loaded
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def _innermost_frame(e: BaseException) -> str:
    tb = e.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return ""
    return f" ({os.path.relpath(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno})"
