"""text/template's predefined functions (and PocketBase's `raw`), on the Python values gofmt.py describes.

``MISSING`` is a map's absent key (Go's invalid reflect.Value): printed as nothing by html/template and
passed to functions as nil, but unlike an explicit null it may be followed by more fields.
"""
from __future__ import annotations

from .gofmt import (HTML, FuncError, GoInt, html_escape, js_escape, query_escape, sprint, sprint_value, sprintf,
                    sprintln, type_name)


class _Missing:
    def __repr__(self):
        return "<no value>"


MISSING = _Missing()


def plain(v):
    return None if v is MISSING else v


def plain_text(v) -> str:
    return sprint_value(plain(v))


def truth(v) -> bool:
    if v is None or v is MISSING:
        return False
    if isinstance(v, (bool, int, float)):
        return bool(v)
    return len(v) > 0


def _kind(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    return None


def eq(a, *others):
    if not others:
        raise FuncError("missing argument for comparison")
    for b in others:
        ka, kb = _kind(a), _kind(b)
        if ka != kb:
            if a is not None and b is not None:
                raise FuncError(f"incompatible types for comparison: {type_name(a)} and {type_name(b)}")
            if a is None and b is None:
                return True
            continue
        if ka is None and (isinstance(a, (list, dict)) or isinstance(b, (list, dict))):
            raise FuncError(f"non-comparable type {sprintf('%s', a)}: {type_name(a)}")
        if a == b:
            return True
    return False


def ne(a, b):
    return not eq(a, b)


def lt(a, b):
    ka, kb = _kind(a), _kind(b)
    if ka is None or kb is None or ka == "bool" or kb == "bool":
        raise FuncError("invalid type for comparison")
    if ka != kb:
        raise FuncError(f"incompatible types for comparison: {type_name(a)} and {type_name(b)}")
    return a < b


def le(a, b):
    return lt(a, b) or eq(a, b)


def gt(a, b):
    return not le(a, b)


def ge(a, b):
    return not lt(a, b)


def _length(v):
    if isinstance(v, str):
        return GoInt(len(v.encode("utf-8", "surrogateescape")))
    if isinstance(v, (list, dict)):
        return GoInt(len(v))
    if v is None:
        raise FuncError("len of nil pointer")
    if v is MISSING:
        raise FuncError("reflect: call of reflect.Value.Type on zero Value")
    raise FuncError(f"len of type {type_name(v)}")


def _int_index(i, n, what="index", kind="slice"):
    """Go's indexArg against the capacity (= the length here); `index` at the length then fails in reflect."""
    if isinstance(i, bool) or not isinstance(i, int):
        raise FuncError(f"cannot index slice/array with type {type_name(i)}")
    if i < 0 or i > n:
        raise FuncError(f"index out of range: {i}")
    if i == n and what == "index":
        raise FuncError(f"reflect: {kind} index out of range")
    return i


def index(item, *keys):
    if item is None:
        raise FuncError("index of untyped nil")
    v = item
    for k in keys:
        if v is None:
            raise FuncError("index of untyped nil")
        if isinstance(v, dict):
            if not isinstance(k, str):
                raise FuncError(f"value has type {type_name(k)}; should be string")
            v = v.get(k)
        elif isinstance(v, (list, str)):
            if isinstance(v, str):
                v = v.encode("utf-8", "surrogateescape")[_int_index(k, len(v.encode("utf-8", "surrogateescape")), kind="string")]
            else:
                v = v[_int_index(k, len(v))]
        else:
            raise FuncError(f"can't index item of type {type_name(v)}")
    return v


def slice_(item, *idx):
    if item is None:
        raise FuncError("slice of untyped nil")
    if len(idx) > 3:
        raise FuncError(f"too many slice indexes: {len(idx)}")
    if isinstance(item, str):
        if len(idx) == 3:
            raise FuncError("cannot 3-index slice a string")
        raw = item.encode("utf-8", "surrogateescape")
        bounds = [_int_index(i, len(raw), "slice") for i in idx]
        start, end = (bounds + [0, len(raw)])[0], (bounds[1] if len(bounds) > 1 else len(raw))
        if start > end:
            raise FuncError(f"invalid slice index: {start} > {end}")
        return raw[start:end].decode("utf-8", "surrogateescape")  # Go slices bytes: a cut rune stays raw
    if not isinstance(item, list):
        raise FuncError(f"can't slice item of type {type_name(item)}")
    bounds = [_int_index(i, len(item), "slice") for i in idx[:2]]
    start, end = (bounds[0] if bounds else 0), (bounds[1] if len(bounds) > 1 else len(item))
    if start > end:
        raise FuncError(f"invalid slice index: {start} > {end}")
    return item[start:end]


def _not(value):
    return not truth(value)


def _text(args) -> str:
    """text/template's evalArgs: a lone string is itself; a nil prints as "<no value>"."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return sprint(*[_NO_VALUE if a is None else a for a in args])


class _NoValue(str):
    """Printed as text but spaced by fmt.Sprint as the non-string operand it stands for."""


_NO_VALUE = _NoValue("<no value>")


def _raw(markup):
    return HTML(markup)


FUNCS = {
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge, "not": _not, "len": _length, "index": index,
    "slice": slice_, "print": lambda *a: sprint(*a), "println": lambda *a: sprintln(*a), "printf": sprintf,
    "html": lambda *a: html_escape(_text(a)), "js": lambda *a: js_escape(_text(a)),
    "urlquery": lambda *a: query_escape(_text(a)), "raw": _raw, "call": None, "and": None, "or": None,
}
NAMES = frozenset(FUNCS)
# (parameters, variadic) of each function's Go signature, for the arity check; others take any number.
ARITY = {"and": (1, True), "or": (1, True), "not": (1, False), "printf": (1, True), "eq": (1, True),
         "ne": (2, False), "lt": (2, False), "le": (2, False), "gt": (2, False), "ge": (2, False), "len": (1, False),
         "index": (1, True), "slice": (1, True), "raw": (1, False), "call": (1, True)}
STRING_FIRST = frozenset({"printf", "raw"})  # their first parameter is a Go string
