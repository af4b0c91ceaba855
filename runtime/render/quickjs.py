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

from dukpy import JSRuntimeError
from dukpy import _dukpy
from dukpy.evaljs import JSInterpreter

from .limits import RequestTimeout

__all__ = ["JSRuntimeError", "PagesInterpreter"]

# One encoder and decoder for the life of the worker: json.dumps with options builds a new
# JSONEncoder on every call, and json.loads of bytes first sniffs their encoding (always UTF-8 here).
STOP = b'{"stop":true}'  # a call answered past --timeout (core.js and migrations.js spin on it)
_encode_reply = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
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
            return _encode_reply(result).encode("utf-8")
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
