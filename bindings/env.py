"""The env family: ``env(name)`` reads an environment variable ("" when unset)."""
from __future__ import annotations

import os

from .registry import Registry

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
binding = FAMILY.binding


@binding("env")
def env(ctx, name):
    """Environment variable NAME, or "" when it is not set."""
    return os.environ.get(str(name), "")
