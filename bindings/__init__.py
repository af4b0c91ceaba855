"""What pages can call from Python: the public registry and pagesvm's own families.

    from bindings import binding, on_request, BindingError

``Registry`` is a value: ``bindings.builtins.registry()`` makes one holding the built-in families.
"""
from .registry import REGISTRY, BindingError, DuplicateBinding, Registry, binding, js_file, on_request

__all__ = ["REGISTRY", "BindingError", "DuplicateBinding", "Registry", "binding", "js_file", "on_request"]
