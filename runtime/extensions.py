"""Loading user extension modules (``--ext``): a dotted module name or a ``.py`` file."""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys


class ExtensionError(Exception):
    pass


def load_extensions(names) -> list:
    modules = []
    for name in names or ():
        modules.append(_load(str(name)))
    return modules


def _load(name: str):
    if name.endswith(".py"):
        path = os.path.abspath(name)
        if not os.path.isfile(path):
            raise ExtensionError(f"extension file not found: {name}")
        module_name = "pagesvm_ext_" + os.path.splitext(os.path.basename(path))[0]
        if module_name in sys.modules:
            return sys.modules[module_name]
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        return module
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        raise ExtensionError(f"extension module not found: {name} ({e})") from None
