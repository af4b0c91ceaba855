"""A view collection's fields, inferred from its `viewQuery` the way PocketBase 0.40 infers them.

Observed on the binary (tests/data/test_views_oracle.py compares both sides): only the outermost
SELECT's column list counts. A column that is a plain `[table.]column` of a collection named in FROM
(unqualified: the first FROM table) is a copy of that collection's field under the column's name, with
a new id `_clone_` + 4 random letters; the `id` of a collection other than the view's own id column
becomes a single relation to it. `COUNT(...)` is an integer number, `TOTAL(...)` a number, `CAST(x AS
type)` follows the type (TEXT text; INT/INTEGER integer; REAL/NUMERIC/DECIMAL number; BOOL/BOOLEAN
bool); anything else is `json` with maxSize 1. The view's `id` column is always the plain primary key
field; when its source is not text the stored view casts it (`SELECT CAST(`id` as TEXT) `id`,... FROM
(q)`). A wildcard, a column of more than `expr [AS] alias`, a missing id, a repeated or malformed name
and a query SQLite refuses are errors with the binary's messages.
"""
from __future__ import annotations

import random
import re
import sqlite3
import string

from .schema_fields import field_id, id_field, normalize_field

_NAME_RE = re.compile(r"^\w+$")
_IDENT = r'(?:`[^`]*`|"[^"]*"|\[[^\]]*\]|\w+)'
_PLAIN_RE = re.compile(rf"^(?:(?P<table>{_IDENT})\.)?(?P<column>{_IDENT})$")
_CAST_RE = re.compile(r"^cast\s*\(.*\bas\s+(\w+)\s*\)$", re.I | re.S)
_FROM_END_RE = re.compile(r"\b(?:where|group|order|limit|having|window|union|intersect|except)\b", re.I)
_JOIN_RE = re.compile(r",|\b(?:natural\s+)?(?:(?:left|right|full)\s+(?:outer\s+)?|inner\s+|cross\s+)?join\b", re.I)
_CAST_TYPES = {"text": ("text", {}), "int": ("number", {"onlyInt": True}), "integer": ("number", {"onlyInt": True}),
               "real": ("number", {}), "numeric": ("number", {}), "decimal": ("number", {}),
               "bool": ("bool", {}), "boolean": ("bool", {})}
_GO_SQLITE_ERRORS = {1: "SQL logic error", 19: "constraint failed"}


class ViewQueryError(ValueError):
    """The query cannot define a view; `data` is the binary's key -> message map for the collection."""

    def __init__(self, data: dict):
        super().__init__("Invalid view query.")
        self.data = data


def go_sql_error(exc: sqlite3.Error) -> str:
    """An SQLite error as the binary's driver words it: `SQL logic error: no such column: x (1)`."""
    code = getattr(exc, "sqlite_errorcode", 1) & 0xFF
    return f"{_GO_SQLITE_ERRORS.get(code, 'SQL logic error')}: {exc} ({code})"


def _mask(text: str) -> str:
    """`text` with everything inside quotes and parentheses blanked, same length: keywords and commas found
    in the mask are the top-level ones of the original."""
    out, depth, quote = [], 0, ""
    for ch in text:
        if quote:
            out.append(ch if ch == quote else "_")
            quote = "" if ch == quote else quote
        elif ch in "'\"`[":
            quote = "]" if ch == "[" else ch
            out.append(ch)
        elif ch == "(":
            out.append("(" if depth == 0 else "_")
            depth += 1
        elif ch == ")":
            depth -= 1
            out.append(")" if depth == 0 else "_")
        else:
            out.append(ch if depth == 0 else "_")
    return "".join(out)


def _split(text: str, masked: str, pattern) -> list[str]:
    """`text` cut at the matches of `pattern` in its mask, pieces stripped."""
    pieces, start = [], 0
    for m in pattern.finditer(masked):
        pieces.append(text[start:m.start()])
        start = m.end()
    pieces.append(text[start:])
    return [p.strip() for p in pieces]


def _unquote(name: str) -> str:
    return name[1:-1] if len(name) > 1 and name[0] in "`\"[" else name


def _select_parts(query: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The outermost SELECT's column texts and its FROM tables as (name, alias) pairs (name "" for a subquery)."""
    masked = _mask(query)
    select = re.search(r"\bselect\b(?:\s+(?:distinct|all)\b)?", masked, re.I)
    if select is None:
        return [], []
    from_ = re.compile(r"\bfrom\b", re.I).search(masked, select.end())
    end = from_.start() if from_ else len(query)
    columns = _split(query[select.end():end], masked[select.end():end], re.compile(","))
    tables = []
    if from_:
        stop = _FROM_END_RE.search(masked, from_.end())
        span = slice(from_.end(), stop.start() if stop else len(query))
        for item in _split(query[span], masked[span], _JOIN_RE):
            words = re.split(r"\s+", re.split(r"\s+(?:on|using)\b", item, 1, flags=re.I)[0].strip())
            words = [w for w in words if w and w.lower() != "as"]
            if words:
                name = "" if words[0].startswith("(") else _unquote(words[0])
                tables.append((name, _unquote(words[-1]) if len(words) > 1 else name))
    return columns, tables


def _column(text: str) -> tuple[str, str]:
    """(expression, name) of one SELECT column: `expr`, `expr alias` or `expr AS alias`."""
    masked = _mask(text)
    bounds = [m.span() for m in re.finditer(r"\S+", masked)]
    words = [text[a:b] for a, b in bounds]
    if len(words) == 2 or (len(words) == 3 and words[1].lower() == "as"):
        return words[0], _unquote(words[-1])
    if len(words) != 1:
        raise ViewQueryError({"fields": "cannot be blank",
                              "viewQuery": f"Invalid query - invalid identifier parts [{text}]"})
    plain = _PLAIN_RE.match(text)
    return text, _unquote(plain["column"]) if plain else text


def _clone_id() -> str:
    return "_clone_" + "".join(random.choices(string.ascii_letters + string.digits, k=4))


def _infer(expr: str, name: str, tables, lookup) -> dict:
    """The field dict of one column (without its final normalisation)."""
    plain = _PLAIN_RE.match(expr)
    if plain and tables:
        alias = _unquote(plain["table"]) if plain["table"] else None
        source = next((t for t, a in tables if a == alias), None) if alias else tables[0][0]
        collection = lookup(source) if source else None
        column = _unquote(plain["column"])
        field = collection.field(column) if collection else None
        if field is not None and column == "id":
            return {"type": "relation", "collectionId": collection.id, "maxSelect": 1, "primaryKey": True}
        if field is not None:
            return {**field, "id": _clone_id()}
    lowered = expr.lower()
    if re.match(r"^count\s*\(", lowered):
        return {"type": "number", "onlyInt": True}
    if re.match(r"^total\s*\(", lowered):
        return {"type": "number"}
    cast = _CAST_RE.match(expr)
    if cast and cast.group(1).lower() in _CAST_TYPES:
        type_, options = _CAST_TYPES[cast.group(1).lower()]
        return {"type": type_, **options}
    return {"type": "json", "maxSize": 1}


def _named(fields: list[dict]) -> list[dict]:
    """Repeated names get `:N` as the binary renames them (which then fails the name format)."""
    seen: dict[str, int] = {}
    for field in fields:
        count = seen.get(field["name"], 0)
        seen[field["name"]] = count + 1
        if count:
            field["name"] = f"{field['name']}:{count}"
    return fields


def infer_view(conn, query: str, lookup) -> tuple[list[dict], str]:
    """The view's fields and the SELECT its SQL view is made of; ViewQueryError when the binary refuses it.

    `lookup(name)` answers the collection called `name`, or None.
    """
    try:
        conn.execute(f"SELECT * FROM ({query}) LIMIT 0")
    except sqlite3.Error as exc:
        raise ViewQueryError({"fields": "cannot be blank", "viewQuery": "Invalid query - " + go_sql_error(exc)})
    columns, tables = _select_parts(query)
    if any(_mask(c) == "*" or _mask(c).endswith(".*") for c in columns):
        raise ViewQueryError({"fields": "cannot be blank", "viewQuery": "Invalid query - wildcard columns (*) are "
                              "not supported - manually type the collection field names you want the view "
                              "query to have"})
    fields, cast_id = [], False
    for text in columns:
        expr, name = _column(text)
        field = _infer(expr, name, tables, lookup)
        if name == "id":
            cast_id = field["type"] != "text" and not field.get("primaryKey")
            fields.append(id_field(autogenerate=False))
            continue
        field["name"] = name
        field["id"] = field.get("id") or field_id(field["type"], name)
        fields.append(field)
    for i, field in enumerate(_named(fields)):
        if not _NAME_RE.match(field["name"]) or len(field["name"]) > 100:
            message = "must be in a valid format"
            raise ViewQueryError({"fields": {str(i): {"name": message}}, "viewQuery":
                                  f'Invalid query - invalid field "{field["name"]}" ({i}): name: {message}.'})
    if not any(f["name"] == "id" for f in fields):
        raise ViewQueryError({"fields": 'Missing or invalid "id" PK field.', "viewQuery": "Invalid query - missing "
                              "required id column (you can use `(ROW_NUMBER() OVER()) as id` if you don't have one)"})
    if cast_id:
        listed = ",".join(("CAST(`id` as TEXT) `id`" if f["name"] == "id" else f"`{f['name']}`") for f in fields)
        query = f"SELECT {listed} FROM ({query})"
    if conn.execute(f"SELECT 1 FROM ({query}) GROUP BY id HAVING COUNT(*) > 1 LIMIT 1").fetchone():
        raise ViewQueryError({"viewQuery": "Invalid query - the query could return records with non-unique ids"})
    return [normalize_field(f) for f in fields], query
