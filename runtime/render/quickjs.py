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
* dukpy's ``JSInterpreter`` is not used: its ``__init__`` would install dukpy's Node-like shims, and
  ``PagesInterpreter`` keeps the two methods the C code and the engine need (``export_function``,
  ``_check_exported_function_exists``).
* ``JSRuntimeError`` (the extension's, public in ``dukpy``) is what a failed evaluation raises.
* gc_gate.py: the extension calls ``JS_RunGC`` through its GOT slot (as every evaluation starts and ends, then
  sets QuickJS's threshold to 8 MiB), ``DukPyContext`` starts with the ``JSRuntime *`` and the ``JSContext *``,
  and QuickJS's ``JS_GetRuntimeOpaque``, ``JS_GetGCThreshold``/``JS_SetGCThreshold``, ``JS_IsJobPending`` and
  ``JS_ComputeMemoryUsage`` are exported (each checked as it is found; unchecked, dukpy collects as before).
  A nested evaluation relies on the order inside one: the code, its promise jobs, then its answer's JSON.
* ``dukpy/__init__.py`` is not run when nothing imported ``dukpy`` yet (``_native``): it also imports
  dukpy's package installer and compilers (tarfile, lzma, bz2, argparse, urllib.request: ~1.3 MiB of
  every worker, issue 19) which pagesvm never calls. The extension is loaded as ``dukpy._dukpy``, the
  name dukpy's own modules import it by, so an extension that imports ``dukpy`` later gets the same one.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import sys

import orjson

from . import gc_gate
from .limits import RequestTimeout

__all__ = ["JSRuntimeError", "PagesInterpreter", "encode_variables", "nonfinite", "page_nonfinite"]


def _native():
    """dukpy's C extension, without running ``dukpy/__init__.py`` when no one has (see above)."""
    if "dukpy" in sys.modules or "dukpy._dukpy" in sys.modules:
        from dukpy import _dukpy as native

        return native
    folders = importlib.util.find_spec("dukpy").submodule_search_locations  # (finding the package runs nothing)
    spec = importlib.machinery.PathFinder.find_spec("dukpy._dukpy", folders)
    native = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(native)
    sys.modules["dukpy._dukpy"] = native
    return native


_dukpy = _native()
JSRuntimeError = _dukpy.JSRuntimeError

STOP = b'{"stop":true}'  # a call answered past --timeout (core.js and migrations.js spin on it)

# A long text (a page's body) crosses as call_python's first argument, marked by this byte, which no function
# name starts with: dukpy hands that argument to Python as the string's UTF-8 bytes as they are, where an
# argument in the JSON costs QuickJS ~3 ns a character to quote (~5 µs per KB of page, twice that once the
# page holds a character beyond Latin-1). The bytes are a C string, cut at the first NUL: the call then
# answers RESEND and JavaScript sends the text again inside the JSON (core.js R.done).
TEXT = b"\x01"
RESEND = b'{"resend":true}'


_gate_installed = None  # decided with the first interpreter


def _install_gate(interp) -> None:
    """gc_gate finds the slot it rewrites once dukpy's first evaluation had the dynamic linker fill it in."""
    global _gate_installed
    _dukpy.eval_string(interp, b"0", b"{}", False, "<runtime>")
    _gate_installed = gc_gate.install(_dukpy, interp._ctx)


def _text(raw: bytes, length: int) -> str | None:
    """The text after the TEXT byte, if it is all there: JavaScript's ``length`` (UTF-16 units) is at least
    the code points decoded, equal when no character lies beyond the BMP; otherwise the UTF-16 length
    decides. QuickJS writes a lone surrogate as its own three bytes, which ``surrogatepass`` reads back to
    the same string the JSON would have given."""
    try:
        text = raw[1:].decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None
    if len(text) == length or (len(text) < length and len(text.encode("utf-16-le", "surrogatepass")) == 2 * length):
        return text
    return None


# One encoder and decoder for the life of the worker: json.dumps with options builds a new
# JSONEncoder on every call, and json.loads of bytes first sniffs their encoding (always UTF-8 here).
_stdlib_reply = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
# orjson writes a page's replies (a 50-record list is ~5 KB) about 4x faster than the stdlib, and the same JSON
# but for: a non-finite float becomes `null` (the stdlib raised, and the page got an InternalError) as JavaScript's
# own JSON.stringify does; values crossing from non-hidden bindings are checked by json_values.non_json first, and the
# record replies (bindings/record_wire.py) send non-finite numbers as text, so only a hidden binding's own data can
# hold one (a raw `$app.db()` query's `1e999`). Types the stdlib refuses orjson refuses too (datetimes, dataclasses
# and subclasses are passed through to refusal; UUIDs and enums, which no binding returns, it would write), and a
# refusal (an integer beyond 64 bits, a non-string key, a lone surrogate) is written again by the stdlib, which
# gives the same JSON or the same error as before.
ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def _encode_reply(result) -> bytes:
    try:
        return orjson.dumps(result, option=ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return _stdlib_reply(result).encode("utf-8")


_decode = json.JSONDecoder().decode
_DIGITS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))  # every digit a '0', anything else a space
_LONG_NUMBER = b"0" * 19


def _loads(raw: bytes):
    """JSON from JavaScript (call arguments, an evaluation's result) as the standard library reads it. orjson
    reads it ~4x faster and to the same values, but: integers from 2**63 on it makes floats (JavaScript writes
    numbers up to 1e21 as integers), deeper than 1024 it refuses where the stdlib ran out of recursion
    earlier, and it refuses lone surrogates (which dukpy passes as surrogatepass bytes) and what the stdlib
    alone accepts (NaN). So text with a run of 19 digits or 256 brackets, or that orjson refuses, is read by
    the stdlib, as before."""
    if raw.count(b"[") + raw.count(b"{") < 256 and _LONG_NUMBER not in raw.translate(_DIGITS):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return _decode(raw.decode("utf-8", "surrogatepass"))
_stdlib_encode = json.JSONEncoder(ensure_ascii=False).encode


def nonfinite(value) -> bool:
    """A NaN or an infinity in ``value``'s plain dicts, lists and tuples (the only containers orjson writes
    itself here: it refuses subclasses, which then go to the standard library whole)."""
    kind = type(value)
    if kind is dict:
        value = value.values()
    elif kind is not list and kind is not tuple:
        return kind is float and value - value != 0
    for item in value:
        if type(item) not in _SCALARS and nonfinite(item):  # strings and the like without a call
            return True
    return False


_SCALARS = frozenset((str, int, bool, type(None)))


# What a page payload holds only strings in, by construction: the request (bindings/request.py: strings, and a
# body parsed without non-finite numbers), the route's files and params (the router's, the query's), the units
# (units.py: sources, paths, line numbers).
_STRINGS_ONLY = frozenset(("request", "units"))
_ROUTE_STRINGS_ONLY = frozenset(("page", "kind", "middlewares", "loaders", "layouts", "params"))


def page_nonfinite(payload: dict) -> bool:
    """``nonfinite`` for a page payload, skipping what holds only strings (~0.3 µs for a signed-out page)."""
    for key, value in payload.items():
        if key == "route":
            for part, inner in value.items():
                if part not in _ROUTE_STRINGS_ONLY and nonfinite(inner):
                    return True
        elif key not in _STRINGS_ONLY and nonfinite(value):
            return True
    return False


def encode_variables(variables: dict, risky: bool) -> bytes:
    """The evaluation's variables as JSON bytes: orjson (~5x faster for a page's ~900 bytes), writing JSON
    QuickJS parses to the same values as the standard library's. Where the two would differ the standard
    library writes it, as before: orjson refuses integers beyond 64 bits, non-string keys, lone surrogates
    (the stdlib's text then fails to encode, as it did), subclasses, datetimes and dataclasses; a NaN or an
    infinity (``risky``: the caller found one, ``nonfinite``), which orjson writes as ``null``, the stdlib writes as
    a token QuickJS refuses, failing the evaluation."""
    if not risky:
        try:
            return orjson.dumps(variables, option=ORJSON_OPTIONS)
        except orjson.JSONEncodeError:
            pass
    return _stdlib_encode(variables).encode("utf-8")


class PagesInterpreter:
    """dukpy's interpreter without its Node-like shims (process, console, require).

    Page code gets pagesvm's own ``require``; nothing can load dukpy's bundled modules.
    """

    def __init__(self):
        self._ctx = _dukpy.create_context()
        self._funcs = {}  # by name as dukpy hands it over (UTF-8 bytes): no decoding per call
        self._loader = None
        if _gate_installed is None:
            _install_gate(self)
        self.collections = gc_gate.Collections(self._ctx)  # dukpy's collections around a batch skipped (gc_gate)
        self.export_function("pv.gc", self.collections.resume)  # core.js R.collect, as a batch's pages start
        self.export_function("pv.gcoff", self.collections.pause)  # core.js nestedEntry, its answer made

    def export_function(self, name: str, func) -> None:
        """``call_python(name, ...)`` in JavaScript calls ``func``."""
        self._funcs[name.encode("utf-8")] = func

    def _check_exported_function_exists(self, func: bytes) -> bool:
        return func in self._funcs or func[:1] == TEXT

    in_python = 0  # Python callbacks running now (a signal handler must not write answers then)
    overdue = None  # set by the executor (RequestLimits.overdue): the request being served is out of time

    def _call_python(self, func, json_args):
        self.in_python += 1
        try:
            args = _loads(json_args)
            if func[:1] == TEXT:  # call_python(TEXT + text, name, text.length, ...rest): name(text, ...rest)
                text = _text(func, args[1])
                if text is None:
                    return RESEND
                result = self._funcs[args[0].encode("utf-8")](text, *args[2:])
            else:
                result = self._funcs[func](*args)
            overdue = self.overdue
            if overdue is not None and overdue():  # a timeout the call swallowed (SQLite's 'interrupted')
                return STOP
            if result is None:  # a page's result (pv.page, pv.body), once per page
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
        return None if raw is None else _loads(raw)
