"""The SQL that gives a collection its table, columns and indexes, written the way PocketBase 0.40 writes it.

Observed on the binary: a new table lists its columns in alphabetical order with backticks; a field
added later is `ADD COLUMN "name"`; a renamed field (same id, new name) is `RENAME COLUMN`, a removed one
`DROP COLUMN`; all indexes are dropped before the columns change and created again afterwards, from
the collection's `indexes` strings normalised (backticked names, `DESC` in capitals, one line for a
single column, one indented line per column otherwise). A view is `CREATE VIEW v AS SELECT * FROM (q)`.
"""
from __future__ import annotations

import re
import sqlite3

from .schema_fields import column_definition
from .views import go_sql_error

_INDEX_RE = re.compile(
    r"^\s*create\s+(unique\s+)?index\s+(if\s+not\s+exists\s+)?(?P<name>\S+)\s+on\s+(?P<table>[^\s(]+)\s*"
    r"\((?P<cols>.*)\)\s*(?:where\s+(?P<where>.*?))?\s*;?\s*$", re.I | re.S)
_PLAIN_COLUMN_RE = re.compile(
    r"^[`\"\[]?(?P<name>\w+)[`\"\]]?(?:\s+collate\s+(?P<collate>\w+))?(?:\s+(?P<sort>asc|desc))?$", re.I)


def quote(name: str) -> str:
    """An identifier in backticks (names come from validated collections, but quote anyway)."""
    return "`" + name.replace("`", "``") + "`"


def _unquote(name: str) -> str:
    if len(name) > 1 and name[0] in "`\"[" and name[-1] in "`\"]":
        return name[1:-1]
    return name


def _split_columns(text: str) -> list[str]:
    """Comma-separated index columns, commas inside parentheses (expressions) kept."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_index(sql: str) -> dict | None:
    """name, table, unique, columns (normalised SQL pieces) and where of a CREATE INDEX string."""
    m = _INDEX_RE.match(sql)
    if not m:
        return None
    columns = []
    for col in _split_columns(m["cols"]):
        plain = _PLAIN_COLUMN_RE.match(col)
        if not plain:
            columns.append(col)
            continue
        piece = quote(plain["name"])
        if plain["collate"]:
            piece += " COLLATE " + plain["collate"]
        if plain["sort"]:
            piece += " " + plain["sort"].upper()
        columns.append(piece)
    return {"name": _unquote(m["name"]), "table": _unquote(m["table"]), "unique": bool(m.group(1)),
            "columns": columns, "where": (m["where"] or "").strip()}


def index_sql(index: dict, table: str) -> str:
    """The CREATE INDEX statement the binary runs for a parsed index, on `table`."""
    cols = index["columns"]
    body = cols[0] if len(cols) == 1 else "\n  " + ",\n  ".join(cols) + "\n"
    sql = (f"CREATE {'UNIQUE ' if index['unique'] else ''}INDEX {quote(index['name'])} "
           f"ON {quote(table)} ({body})")
    return sql + (f" WHERE {index['where']}" if index["where"] else "")


class IndexFailure(ValueError):
    """An index SQLite refused: `position` in the collection's list, `message` the binary's text for it."""

    def __init__(self, position: int, message: str):
        super().__init__(message)
        self.position, self.message = position, message


def create_indexes(conn, collection) -> None:
    for i, raw in enumerate(collection.indexes):
        parsed = parse_index(raw)
        if parsed is None:
            raise IndexFailure(i, "Invalid CREATE INDEX expression.")
        try:
            conn.execute(index_sql(parsed, collection.name))
        except sqlite3.OperationalError as exc:
            raise IndexFailure(i, f"Failed to create index {parsed['name']} - {go_sql_error(exc)}.") from exc


def drop_indexes(conn, table: str) -> None:
    """Every index of `table` except SQLite's own (primary key, UNIQUE constraints)."""
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                        "AND name NOT LIKE 'sqlite_autoindex_%'", (table,)).fetchall()
    for (name,) in rows:
        conn.execute(f"DROP INDEX IF EXISTS {quote(name)}")


def create_table(conn, collection) -> None:
    if collection.type == "view":
        conn.execute(f"CREATE VIEW {quote(collection.name)} AS SELECT * FROM ({collection.view_sql or collection.view_query})")
        return
    columns = sorted((f["name"], column_definition(f)) for f in collection.fields)
    conn.execute(f"CREATE TABLE {quote(collection.name)} ("
                 + ", ".join(f"{quote(n)} {d}" for n, d in columns) + ")")
    create_indexes(conn, collection)


def drop_table(conn, collection) -> None:
    kind = "VIEW" if collection.type == "view" else "TABLE"
    conn.execute(f"DROP {kind} IF EXISTS {quote(collection.name)}")


def _convert_expression(old: dict, new: dict) -> str:
    """How a column's values move when its storage changes (a select/relation/file going multiple or single)."""
    col = quote(old["name"])
    old_def, new_def = column_definition(old), column_definition(new)
    if new_def.startswith("JSON DEFAULT '[]'") and old_def.startswith("TEXT"):
        return f"CASE WHEN {col} = '' OR {col} IS NULL THEN '[]' ELSE json_array({col}) END"
    if new_def.startswith("TEXT") and old_def.startswith("JSON DEFAULT '[]'"):
        return (f"CASE WHEN json_valid({col}) AND json_type({col}) = 'array' "
                f"THEN COALESCE(json_extract({col}, '$[#-1]'), '') ELSE COALESCE({col}, '') END")
    return col


def alter_table(conn, old, new) -> None:
    """Bring `old`'s table to `new`'s name, columns and indexes (fields matched by id)."""
    if new.type == "view":
        drop_table(conn, old)
        create_table(conn, new)
        return
    drop_indexes(conn, old.name)
    table = quote(old.name)
    if old.name != new.name:
        conn.execute(f"ALTER TABLE {table} RENAME TO {quote(new.name)}")
        table = quote(new.name)
    old_by_id = {f["id"]: f for f in old.fields}
    new_ids = {f["id"] for f in new.fields}
    for field in old.fields:
        if field["id"] not in new_ids:
            conn.execute(f"ALTER TABLE {table} DROP COLUMN {quote(field['name'])}")
    for field in new.fields:
        before = old_by_id.get(field["id"])
        if before is None:
            conn.execute(f'ALTER TABLE {table} ADD COLUMN "{field["name"]}" {column_definition(field)}')
            continue
        if before["name"] != field["name"]:
            conn.execute(f"ALTER TABLE {table} RENAME COLUMN {quote(before['name'])} TO {quote(field['name'])}")
            before = {**before, "name": field["name"]}
        if column_definition(before) != column_definition(field):
            _retype_column(conn, table, before, field)
    create_indexes(conn, new)


def _retype_column(conn, table: str, old: dict, new: dict) -> None:
    """The old column moves aside, the new one is added under the name (backticked, at the table's end, as the
    binary's statement leaves it), the values are converted across and the old column dropped."""
    aside = {**old, "name": "_tmp_" + old["name"]}
    conn.execute(f"ALTER TABLE {table} RENAME COLUMN {quote(old['name'])} TO {quote(aside['name'])}")
    conn.execute(f"ALTER TABLE {table} ADD COLUMN {quote(new['name'])} {column_definition(new)}")
    conn.execute(f"UPDATE {table} SET {quote(new['name'])} = {_convert_expression(aside, new)}")
    conn.execute(f"ALTER TABLE {table} DROP COLUMN {quote(aside['name'])}")
