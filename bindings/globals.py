"""The JSVM's plain globals for page (and hook) code: `console`, `sleep`, `toString`, `toBytes`,
`readerToString` and `__hooks` (globals.js is the JavaScript half).

`console.*` goes to the server log through the log family's functions (deferred: no round trip);
`sleep(ms)` waits here, in the worker, and counts against --timeout: the time limit's alarm interrupts
the wait like any other. Everything else is pure JavaScript.
"""
from __future__ import annotations

import os
import time

from . import log
from .registry import Registry

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
GLOBALS_JS = FAMILY.js_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), "globals.js"))
LEVELS = {"log": log.info, "info": log.info, "warn": log.warn, "error": log.error, "debug": log.dbg}


def _console(ctx, level: str, *args):
    """console.log/info/warn/error/debug: debug only in debug mode, as dbg()."""
    LEVELS.get(level, log.info)(ctx, *args)


def _sleep(ctx, milliseconds) -> None:
    """Block this worker for ``milliseconds`` (at most until the request's time limit ends it)."""
    if milliseconds > 0:
        time.sleep(milliseconds / 1000)


FAMILY.add("pv_globals.console", _console, defer=True, hidden=True)
FAMILY.add("pv_globals.sleep", _sleep, hidden=True)
