"""Whole SELECT statements for `findRecordsByFilter` and friends: the filter, the sort, limit and offset, and the
joins both need, written through one dialect.

As the binary builds them: `SELECT table.*` (DISTINCT once anything is joined, so a record matched through
several related rows comes once), the filter's WHERE, the sort parts in order, `LIMIT`/`OFFSET` only when
positive. A filter that is empty text adds no WHERE; one of only spaces or comments is an error.
"""
from __future__ import annotations

import datetime

from .compile import Compiler
from .dialect import DIALECTS, Sql, sql
from .lexer import FilterError
from .cache import parse_cached
from .resolve import Resolver
from .sort import order_by


def build_select(collection, load, filter: str = "", sort: str = "", limit: int = 0, offset: int = 0,
                 params: dict | None = None, dialect: str = "sqlite", count: bool = False,
                 now: datetime.datetime | None = None) -> tuple[str, list]:
    """The SQL text and its bound values; FilterError (the binary's text: `invalid filter expression: …`, or
    `invalid sort field "x"`) for a bad filter or sort.

    `collection` is a runtime.data.collections.Collection, `load(name_or_id)` finds another one (or raises
    NotFoundError) for relation paths. With `count`, the statement counts the matching records instead."""
    d = DIALECTS[dialect]
    resolver = Resolver(collection, load, d)
    try:
        where = Compiler(resolver, now).where(parse_cached(filter, params)) if filter else None
    except FilterError as exc:
        raise FilterError(f"invalid filter expression: {exc}") from None
    orders = order_by(sort, resolver) if sort and not count else []
    table = d.quote(collection.name)
    head = Sql(f"SELECT {'DISTINCT ' if resolver.joins else ''}{table}.* FROM {table} {table}")
    if count:
        head = Sql(f"SELECT {'DISTINCT ' if resolver.joins else ''}{table}.id FROM {table} {table}")
    parts = [head]
    for join in resolver.joins.values():
        on = sql(" ON {}", join.on) if join.on is not None else Sql(d.no_on)
        parts.append(sql(" LEFT JOIN {} " + d.quote(join.alias) + "{}", join.table, on))
    if where is not None:
        parts.append(sql(" WHERE {}", where))
    if orders:
        parts.append(" ORDER BY " + Sql.join(", ", orders))
    if limit > 0 or offset > 0:
        parts.append(Sql(" LIMIT ?", (int(limit) if limit > 0 else -1,)))
    if offset > 0:
        parts.append(Sql(" OFFSET ?", (int(offset),)))
    statement = Sql.join("", parts)
    if count:
        statement = sql("SELECT COUNT(*) FROM ({}) AS " + d.quote("__counted"), statement)
    return d.render(statement)
