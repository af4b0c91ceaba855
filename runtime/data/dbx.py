"""`$dbx` expressions and raw `newQuery` SQL turned into parametrised SQLite, as PocketBase's dbx builds them.

An expression arrives as plain data (bindings/app_query.js makes it): a dict whose `__dbx` key names its kind
(`exp`, `hash`, `not`, `and`, `or`, `in`, `notIn`, `like`, `notLike`, `orLike`, `orNotLike`, `exists`,
`notExists`, `between`, `notBetween`). Every value becomes a bound parameter; column names are checked and
quoted here (dbx would pass a name holding `(` through as SQL: pagesvm refuses it). `exp` is the page author's
own SQL by design, as in PocketBase, but its `{:name}` placeholders are bound, and `[[column]]`/`{{table}}`
are quoted as dbx quotes them.
"""
from __future__ import annotations

import json
import re

_PLACEHOLDER = re.compile(r"\{:(\w+)\}")
_QUOTED = re.compile(r"\{\{([\w\-. ]+)\}\}|\[\[([\w\-. ]+)\]\]")
_NAME = re.compile(r"^[A-Za-z_][\w\-]*(?:\.[A-Za-z_@][\w\-]*)?$")
_LIKE = {"like": ("LIKE", " AND "), "notLike": ("NOT LIKE", " AND "), "orLike": ("LIKE", " OR "),
         "orNotLike": ("NOT LIKE", " OR ")}
_LIKE_ESCAPE = ("\\", "\\\\", "%", "\\%", "_", "\\_")  # dbx's default (SQLite has no default ESCAPE)


class DbxError(ValueError):
    """An expression or query dbx would refuse (or pagesvm does: an unsafe column name)."""


def quote_name(name: str) -> str:
    """`name` or `table.name` in SQLite's backticks, after checking it is a plain identifier."""
    name = str(name)
    if not _NAME.match(name):
        raise DbxError(f"pagesvm: invalid column name {name!r}")
    return ".".join(f"`{part}`" for part in name.split("."))


def _quote_loose(name: str) -> str:
    """A `[[name]]`/`{{name}}` of raw SQL: dbx's characters (`\\w - . space`) each quoted, dots kept."""
    return ".".join(f"`{part.strip()}`" for part in name.split("."))


def is_expression(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("__dbx"), str)


class _Builder:
    """Builds one statement's SQL text with dbx's `{:pN}` placeholders, collecting the values in `params`."""

    def __init__(self, params: dict):
        self.params = params

    def bind(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return "{:" + name + "}"

    def build(self, expr) -> str:
        if expr is None:
            return ""
        if not is_expression(expr):
            raise DbxError("pagesvm: not a $dbx expression")
        kind = expr["__dbx"]
        method = getattr(self, "_" + kind, None) if kind in _KINDS else None
        if method is None:
            raise DbxError(f"pagesvm: unknown $dbx expression {kind!r}")
        return method(expr)

    def _exp(self, expr) -> str:
        given = expr.get("params")
        if isinstance(given, dict):
            self.params.update(given)
        return str(expr.get("sql") or "")

    def _hash(self, expr) -> str:
        parts = []
        for name in sorted((expr.get("data") or {}).keys()):
            value = expr["data"][name]
            if value is None:
                parts.append(quote_name(name) + " IS NULL")
            elif is_expression(value):
                built = self.build(value)
                if built:
                    parts.append(f"({built})")
            elif isinstance(value, list):
                built = self._in({"col": name, "values": value})
                if built:
                    parts.append(built)
            else:
                parts.append(quote_name(name) + "=" + self.bind(value))
        return " AND ".join(parts)

    def _not(self, expr) -> str:
        built = self.build(expr.get("exp"))
        return f"NOT ({built})" if built else ""

    def _joined(self, expr, op: str) -> str:
        parts = [p for p in (self.build(e) for e in expr.get("exps") or [] if e is not None) if p]
        if len(parts) == 1:
            return parts[0]
        return "(" + f") {op} (".join(parts) + ")" if parts else ""

    def _and(self, expr) -> str:
        return self._joined(expr, "AND")

    def _or(self, expr) -> str:
        return self._joined(expr, "OR")

    def _in(self, expr, negate: bool = False) -> str:
        values = expr.get("values") or []
        if not values:
            return "" if negate else "0=1"
        shown = ["NULL" if v is None else self.build(v) if is_expression(v) else self.bind(v) for v in values]
        column = quote_name(expr.get("col", ""))
        if len(shown) == 1:
            return column + ("<>" if negate else "=") + shown[0]
        return f"{column} {'NOT IN' if negate else 'IN'} ({', '.join(shown)})"

    def _notIn(self, expr) -> str:
        return self._in(expr, True)

    def _like(self, expr) -> str:
        operator, joiner = _LIKE[expr["__dbx"]]
        column = quote_name(expr.get("col", ""))
        escape = [str(e) for e in expr.get("esc", _LIKE_ESCAPE) or []]
        parts = []
        for value in expr.get("values") or []:
            value = str(value)
            for i in range(0, len(escape) - 1, 2):
                value = value.replace(escape[i], escape[i + 1])
            value = ("%" if expr.get("left", True) else "") + value + ("%" if expr.get("right", True) else "")
            parts.append(f"{column} {operator} {self.bind(value)}")
        return joiner.join(parts)

    _notLike = _orLike = _orNotLike = _like

    def _exists(self, expr, negate: bool = False) -> str:
        built = self.build(expr.get("exp"))
        if not built:
            return "" if negate else "0=1"
        return f"{'NOT EXISTS' if negate else 'EXISTS'} ({built})"

    def _notExists(self, expr) -> str:
        return self._exists(expr, True)

    def _between(self, expr, negate: bool = False) -> str:
        low, high = self.bind(expr.get("from")), self.bind(expr.get("to"))
        return f"{quote_name(expr.get('col', ''))} {'NOT BETWEEN' if negate else 'BETWEEN'} {low} AND {high}"

    def _notBetween(self, expr) -> str:
        return self._between(expr, True)


_KINDS = {"exp", "hash", "not", "and", "or", "in", "notIn", "like", "notLike", "orLike", "orNotLike", "exists",
          "notExists", "between", "notBetween"}


def _sql_value(value):
    """A bound value as SQLite takes it (objects and arrays as their JSON text)."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return value


def bind_sql(sql: str, params: dict | None) -> tuple[str, list]:
    """Raw SQL with `{:name}` placeholders and `[[col]]`/`{{table}}` names as SQLite text and its values."""
    params = params or {}
    values = []

    def placeholder(match) -> str:
        name = match.group(1)
        if name not in params:
            raise DbxError(f"Named parameter not found: {name}")
        values.append(_sql_value(params[name]))
        return "?"

    text = _QUOTED.sub(lambda m: _quote_loose(m.group(1) or m.group(2)), str(sql))
    return _PLACEHOLDER.sub(placeholder, text), values


def where(exprs, params: dict | None = None) -> tuple[str, dict]:
    """`exprs` joined by AND as one WHERE body in dbx's text (`(a) AND (b)`), and the params it binds."""
    params = dict(params or {})
    builder = _Builder(params)
    parts = [p for p in (builder.build(e) for e in exprs or [] if e is not None) if p]
    if len(parts) == 1:
        return parts[0], params
    return ("(" + ") AND (".join(parts) + ")" if parts else ""), params
