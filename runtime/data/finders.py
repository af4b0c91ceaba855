"""The record finders of `$app` that take dbx expressions rather than a filter, as PocketBase 0.40 answers them.

`findAllRecords`, `findRecordsByIds`, `countRecords`, `findFirstRecordByData`, `findAuthRecordByEmail` and the
raw `newQuery(...).all/one/execute`, over a DataStore (runtime.data.store) and runtime.data.dbx for the SQL.
Observed on the binary (tests/data/test_query_corpus_oracle.py): an unknown collection is the query's own
failure text (`context canceled; failed query: SELECT ...` with dbx's stand-in table name); a lookup that finds
nothing is `sql: no rows in result set`; `findFirstRecordByData` refuses a key that is no field of the
collection; `findAuthRecordByEmail` ignores case only when the collection's unique email index says NOCASE.
"""
from __future__ import annotations

from .collections import Collection
from .db import NotFoundError
from .ddl import parse_index, quote
from .dbx import bind_sql, quote_name, where
from .records import Record

_INVALID = "`@@__invalidCollectionModelOrIdentifier`"


def _collection(store, key, head: str) -> tuple[Collection, dict]:
    """The collection `key` names and its shape; an unknown one fails as the binary's cancelled query does."""
    try:
        return store.read_collection(str(key))
    except NotFoundError:
        raise NotFoundError(f"context canceled; failed query: SELECT {head} FROM {_INVALID}") from None


def _select(store, found: tuple[Collection, dict], exprs, head: str = "", limit: int = 0) -> list[Record]:
    collection, shape = found
    table = quote_name(collection.name)
    body, params = where(exprs)
    sql = f"SELECT {head or table + '.*'} FROM {table}" + (f" WHERE {body}" if body else "")
    if limit:
        sql += f" LIMIT {int(limit)}"
    text, values = bind_sql(sql, params)
    return Record.from_table(shape, *store.db.table(text, values))


def find_all_records(store, collection_key, exprs=()) -> list[Record]:
    return _select(store, _collection(store, collection_key, f"{_INVALID}.*"), exprs)


def find_records_by_ids(store, collection_key, ids, exprs=()) -> list[Record]:
    found = _collection(store, collection_key, f"{_INVALID}.*")
    ids = [str(i) for i in ids or []]
    if ids and not exprs:
        return records_by_ids(store, found, ids)
    chosen = {"__dbx": "in", "col": f"{found[0].name}.id", "values": ids}
    return _select(store, found, [chosen, *exprs])


def records_by_ids(store, found: tuple[Collection, dict], ids: list[str]) -> list[Record]:
    """The records of `found` (a collection and its shape) whose id is one of `ids` (not empty, all text): the
    statement dbx's `in` writes, without going through dbx (an expand runs this once per level)."""
    collection, shape = found
    table = quote_name(collection.name)
    sql = f"SELECT {table}.* FROM {table} WHERE {table}.`id` IN ({', '.join('?' * len(ids))})"
    return Record.from_table(shape, *store.db.table(sql, ids))


def count_records(store, collection_key, exprs=()) -> int:
    collection = _collection(store, collection_key, "count(*)")[0]
    body, params = where(exprs)
    sql = f"SELECT count(*) FROM {quote_name(collection.name)}" + (f" WHERE {body}" if body else "")
    text, values = bind_sql(sql, params)
    return int(store.db.execute(text, values).fetchone()[0])


def _first(found: list[Record]) -> Record:
    if not found:
        raise NotFoundError()
    return found[0]


def find_first_record_by_data(store, collection_key, key, value) -> Record:
    found = store.read_collection(str(collection_key))
    if found[0].field(str(key)) is None:
        raise ValueError(f"invalid or missing field {key}")
    return _first(_select(store, found, [{"__dbx": "hash", "data": {str(key): value}}], limit=1))


def find_auth_record_by_email(store, collection_key, email) -> Record:
    try:
        found = store.read_collection(str(collection_key))
    except NotFoundError as exc:
        raise NotFoundError(f"failed to fetch auth collection: {exc}") from None
    collection = found[0]
    if collection.type != "auth":
        raise ValueError(f'"{collection.name}" is not an auth collection')
    nocase = any(_unique_email_nocase(sql) for sql in collection.indexes)
    expr = ({"__dbx": "exp", "sql": "[[email]] = {:email} COLLATE NOCASE", "params": {"email": str(email)}}
            if nocase else {"__dbx": "hash", "data": {"email": str(email)}})
    return _first(_select(store, found, [expr], limit=1))


def _unique_email_nocase(sql: str) -> bool:
    """A single-column unique index on `email` whose column says COLLATE NOCASE."""
    index = parse_index(sql)
    if not index or not index["unique"] or len(index["columns"]) != 1:
        return False
    return index["columns"][0].split(" ")[0] == quote("email") and "COLLATE NOCASE" in index["columns"][0].upper()


def raw_query(store, sql: str, params: dict | None, mode: str):
    """`$app.db().newQuery(sql).bind(params)`: rows as dicts (`all`), the first row (`one`, NotFoundError when
    none), or nothing (`execute`)."""
    text, values = bind_sql(sql, params)
    cursor = store.db.execute(text, values)
    if mode == "execute":
        return None
    names = [d[0] for d in cursor.description or ()]
    if mode == "one":
        row = cursor.fetchone()
        if row is None:
            raise NotFoundError()
        return dict(zip(names, row))
    return [dict(zip(names, row)) for row in cursor.fetchall()]
