"""The one module that touches dukpy: a QuickJS interpreter as pagesvm drives it.

Checked against dukpy 0.6.0 (the QuickJS-based series); pyproject.toml keeps dukpy below 0.7 for
that reason. ``PagesInterpreter`` leans on dukpy's private half, so a new dukpy means reading
this list against its ``evaljs.py`` and C extension (and running tests/http/test_internals.py):

* ``dukpy._dukpy.create_context()``: a fresh QuickJS context, kept as ``_ctx`` on the interpreter
  (the C code reads that attribute).
* ``dukpy._dukpy.eval_string(interp, code, variables, as_module, name)``: evaluates ``code``
  (UTF-8 bytes) as a script with ``variables`` (JSON bytes) as the global ``dukpy`` and returns the
  result as JSON bytes, or None; it drains pending promise jobs at the end of every evaluation,
  nested ones included. Before each evaluation it also (re)writes the globals ``dukpy`` and
  ``call_python`` (js/core.js hides both behind accessors that tolerate those writes).
* The C code calls back ``interp._call_python(name, json_args)`` (both bytes; strings with lone
  surrogates are passed through) and expects JSON bytes or None, and asks
  ``interp._check_exported_function_exists(name)`` (JSInterpreter's, reading ``_funcs``, which
  ``export_function`` fills) first.
* ``JSInterpreter.__init__`` is skipped on purpose: it would install dukpy's Node-like shims.
* ``JSRuntimeError`` (public in ``dukpy``) is what a failed evaluation raises.
"""
from __future__ import annotations

import json

import orjson
from dukpy import JSRuntimeError
from dukpy import _dukpy
from dukpy.evaljs import JSInterpreter

from .limits import RequestTimeout

__all__ = ["JSRuntimeError", "PagesInterpreter"]

# One encoder and decoder for the life of the worker: json.dumps with options builds a new
# JSONEncoder on every call, and json.loads of bytes first sniffs their encoding (always UTF-8 here).
STOP = b'{"stop":true}'  # a call answered past --timeout (core.js and migrations.js spin on it)
_stdlib_reply = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
# orjson writes a page's replies (a 50-record list is ~5 KB) about 4x faster than the stdlib, and the same JSON
# but for: a non-finite float becomes `null` (the stdlib raised, and the page got an InternalError) as JavaScript's
# own JSON.stringify does; values crossing from non-hidden bindings are checked by engine.non_json first, and the
# record replies (bindings/record_wire.py) send non-finite numbers as text, so only a hidden binding's own data can
# hold one (a raw `$app.db()` query's `1e999`). Types the stdlib refuses orjson refuses too (datetimes, dataclasses
# and subclasses are passed through to refusal; UUIDs and enums, which no binding returns, it would write), and a
# refusal (an integer beyond 64 bits, a non-string key, a lone surrogate) is written again by the stdlib, which
# gives the same JSON or the same error as before.
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def _encode_reply(result) -> bytes:
    try:
        return orjson.dumps(result, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return _stdlib_reply(result).encode("utf-8")


_decode = json.JSONDecoder().decode


class PagesInterpreter(JSInterpreter):
    """dukpy's interpreter without its Node-like shims (process, console, require).

    Page code gets pagesvm's own ``require``; nothing can load dukpy's bundled modules.
    """

    def __init__(self):  # noqa: D401 - deliberately not calling JSInterpreter.__init__
        self._ctx = _dukpy.create_context()
        self._funcs = {}
        self._loader = None

    in_python = 0  # Python callbacks running now (a signal handler must not write answers then)
    overdue = None  # set by the executor (RequestLimits.overdue): the request being served is out of time

    def _call_python(self, func, json_args):
        self.in_python += 1
        try:
            result = self._funcs[func.decode("utf-8")](*_decode(json_args.decode("utf-8", "surrogatepass")))
            overdue = self.overdue
            if overdue is not None and overdue():  # a timeout the call swallowed (SQLite's 'interrupted')
                return STOP
            if result is None:  # pv.done, once per page
                return b"null"
            return _encode_reply(result)
        except RequestTimeout:
            # Raised here, it would reach the page as a JS error a try/catch holds (a loop catching a
            # failed save would swallow every tick until the watchdog kills the worker): the caller
            # spins on this answer instead, until the next tick interrupts JavaScript for good.
            return STOP
        finally:
            self.in_python -= 1

    def eval_script(self, code: str, variables: bytes = b"{}"):
        raw = _dukpy.eval_string(self, code.encode("utf-8"), variables, False, "<runtime>")
        return None if raw is None else json.loads(raw)
