"""pagesvm's own binding families, registered through the public registry like any extension."""
from __future__ import annotations

import importlib

from .registry import REGISTRY, Registry

FAMILIES = ("bindings.page_api", "bindings.env", "bindings.log", "bindings.auth", "bindings.store")


def load(registry: Registry = REGISTRY) -> None:
    """Import each built-in family once; importing registers its bindings."""
    if registry is not REGISTRY:
        raise ValueError("built-in families register on the default registry")
    for name in FAMILIES:
        importlib.import_module(name)
