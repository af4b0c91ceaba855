"""The log family: ``dbg/info/warn/error(...)`` from pages, deferred (no round trip each).

Arguments are joined by a space; objects arrive as JSON and are printed as such.
``dbg`` only logs in debug mode.
"""
from __future__ import annotations

import json
import logging

from .registry import Registry

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
binding = FAMILY.binding

log = logging.getLogger("pagesvm.page")


def _text(args) -> str:
    return " ".join(a if isinstance(a, str) else json.dumps(a, ensure_ascii=False) for a in args)


@binding("dbg", defer=True)
def dbg(ctx, *args):
    """Log at debug level, only when the site runs in debug mode."""
    if ctx is not None and ctx.options.get("debug"):
        log.info("[dbg] %s", _text(args))


@binding("info", defer=True)
def info(ctx, *args):
    """Log at info level."""
    log.info("%s", _text(args))


@binding("warn", defer=True)
def warn(ctx, *args):
    """Log a warning."""
    log.warning("%s", _text(args))


@binding("error", defer=True)
def error(ctx, *args):
    """Log an error."""
    log.error("%s", _text(args))
