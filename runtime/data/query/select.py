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
    return build_query(collection, load, filter=filter, sort=sort, limit=limit, offset=offset, params=params,
                       dialect=dialect, count=count, now=now)


def build_query(collection, load, filter: str = "", sort: str = "", limit: int = 0, offset: int = 0,
                params: dict | None = None, dialect: str = "sqlite", count: bool = False,
                now: datetime.datetime | None = None, rule: str | None = None, request=None,
                allow_hidden: bool = True, record_id: str | None = None, head: str = "",
                prefix: Sql | None = None) -> tuple[str, list]:
    """build_select with what the REST API adds: an API `rule` (its fields always resolvable), the `request` its
    `@request.*` read, a client filter and sort that may not touch hidden fields unless `allow_hidden` (then
    every collection they join must also pass its own list rule), one `record_id`, another select `head`, and
    a `prefix` (a WITH clause) before the statement.

    A statement that depends only on its own collection and these texts is remembered (see _query_key)."""
    key = None
    if record_id is None and prefix is None and now is None and not params:
        key = _query_key(collection, filter, sort, limit, offset, dialect, count, rule, allow_hidden, head)
        if key is not None:
            found = _QUERIES.get(key)
            if found is not None and found[0] is collection:
                return found[1], list(found[2])
            loaded = []
            text, values = _build_query(collection, lambda name: loaded.append(name) or load(name), filter, sort,
                                        limit, offset, None, dialect, count, None, rule, request, allow_hidden,
                                        None, head, None)
            if not loaded:
                if len(_QUERIES) >= STATEMENTS_SIZE:
                    _QUERIES.clear()
                _QUERIES[key] = (collection, text, tuple(values))
            return text, values
    return _build_query(collection, load, filter, sort, limit, offset, params, dialect, count, now, rule, request,
                        allow_hidden, record_id, head, prefix)


# A list's or an expand's statement under a rule and filter that read no `@` value (no `@request.*`, no clock
# macro, no `@collection`) and no other collection: (id(collection), texts, paging, flags) -> (collection, text,
# values). Such a statement is the same for every request, so `request` cannot reach it; it is used only while
# `collection` is the very object it was made for (read_collection makes a new one when its row changes).
_QUERIES: dict = {}


def _query_key(collection, filter, sort, limit, offset, dialect, count, rule, allow_hidden, head):
    if "@" in filter or "@" in sort or (rule and "@" in rule):
        return None
    return id(collection), filter, sort, limit, offset, dialect, count, rule, allow_hidden, head


def _build_query(collection, load, filter, sort, limit, offset, params, dialect, count, now, rule, request,
                 allow_hidden, record_id, head, prefix) -> tuple[str, list]:
    d = DIALECTS[dialect]
    resolver = Resolver(collection, load, d, request)
    wheres = []
    if rule:
        wheres.append(_where(Compiler(resolver, now), rule, params))
    resolver.allow_hidden = allow_hidden
    if filter:
        wheres.append(_where(Compiler(resolver, now), filter, params))
    # a count resolves the sort too: its joins bring their list rules, so the total counts what the page lists
    orders = order_by(sort, resolver) if sort else []
    if count:
        orders = []
    wheres.extend(_rule_joins(resolver, load, request, now))
    table = d.quote(collection.name)
    if record_id is not None:
        wheres.insert(0, Sql(f"{table}.id = ?", (record_id,)))
    distinct = "DISTINCT " if resolver.joins else ""
    select = head or (f"{table}.id" if count else f"{table}.*")
    parts = [prefix] if prefix is not None else []
    parts.append(Sql(f"SELECT {distinct}{select} FROM {table} {table}"))
    for join in resolver.joins.values():
        on = sql(" ON {}", join.on) if join.on is not None else Sql(d.no_on)
        parts.append(sql(" LEFT JOIN {} " + d.quote(join.alias) + "{}", join.table, on))
    if wheres:
        parts.append(sql(" WHERE {}", Sql.join(" AND ", wheres)))
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


# Statements of filters whose SQL depends only on their own collection: (id(collection), filter, sort, limit,
# offset, count, params with their types) -> (collection, text, values). See cached_select.
_STATEMENTS: dict = {}
STATEMENTS_SIZE = 512
_SCALARS = (str, int, float, bool)


def cached_select(collection, load, filter: str = "", sort: str = "", limit: int = 0, offset: int = 0,
                  params: dict | None = None, count: bool = False) -> tuple[str, list]:
    """build_select for SQLite, remembered for a page that runs the same find again: the text stays
    parametrised and the entry holds the values of these very params (they are part of the key), so nothing of
    one call's values can reach another's. Only a statement that read no other collection (no relation path, no
    `@collection`) and no clock (no `@` macro) is kept, and it is only used while `collection` is the very
    object it was made for (read_collection makes a new one when the collection's row changes)."""
    key = _statement_key(collection, filter, sort, limit, offset, params, count)
    if key is not None:
        found = _STATEMENTS.get(key)
        if found is not None and found[0] is collection:
            return found[1], list(found[2])
    loaded = []

    def loading(name):
        loaded.append(name)
        return load(name)

    text, values = build_select(collection, loading, filter, sort, limit, offset, params, count=count)
    if key is not None and not loaded:
        if len(_STATEMENTS) >= STATEMENTS_SIZE:
            _STATEMENTS.clear()
        _STATEMENTS[key] = (collection, text, tuple(values))
    return text, values


def _statement_key(collection, filter, sort, limit, offset, params, count):
    if "@" in filter or "@" in sort:
        return None
    items = []
    for name, value in (params or {}).items():
        kind = value.__class__
        if value is not None and kind not in _SCALARS:
            return None
        items.append((name, kind, repr(value) if kind is float else value))  # -0.0 and 0.0 apart
    return id(collection), filter, sort, limit, offset, count, tuple(items)


def _where(compiler: Compiler, text: str, params) -> Sql:
    try:
        return compiler.where(parse_cached(text, params))
    except FilterError as exc:
        raise FilterError(f"invalid filter expression: {exc}") from None


def _rule_joins(resolver: Resolver, load, request, now) -> list:
    """The list rule of every collection a client's filter or sort joined, over its join's alias (as the binary:
    `id='' || (RULE)`, so a missing relation does not fail the whole filter); their joins join the query's."""
    out = []
    for n, (alias, joined) in enumerate(list(resolver.rule_joins.items())):
        if not joined.listRule:
            continue
        clone = Resolver(joined, load, resolver.d, request)
        clone.base_alias, clone.suffix = alias, f"_r{n}"
        out.append(_where(Compiler(clone, now), "id='' || (\n" + joined.listRule + "\n)", None))
        resolver.joins.update(clone.joins)
    return out
