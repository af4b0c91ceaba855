"""What pages can call from Python: the public registry and pagesvm's own families.

    from bindings import binding, on_request, BindingError
"""
from .registry import REGISTRY, BindingError, DuplicateBinding, binding, js_file, on_request

__all__ = ["REGISTRY", "BindingError", "DuplicateBinding", "binding", "js_file", "on_request"]
