"""Loading user extension modules (``--ext``, ``extensions=[…]``): a dotted module name or
a ``.py`` file. Importing a module registers its bindings; that is all loading does.

Python only ever comes from here, named by whoever starts the server: a site's
``+config.js`` cannot load Python.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys

from bindings.registry import DuplicateBinding


class ExtensionError(Exception):
    """An extension that cannot be found or fails while importing (one line, no traceback)."""


def load_extensions(names) -> list:
    if isinstance(names, str):
        names = [names]
    return [_load(str(name)) for name in names or ()]


def _load(name: str):
    try:
        return _load_file(name) if name.endswith(".py") else _load_module(name)
    except (DuplicateBinding, ExtensionError):
        raise
    except Exception as e:  # noqa: BLE001 - any error inside the user's module
        where = _innermost_frame(e)
        raise ExtensionError(f"extension {name} failed to load: {type(e).__name__}: {e}{where}") from None


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
