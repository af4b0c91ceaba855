"""Records read and written in data.db as PocketBase 0.40 does: `$app`'s record half, in plain Python.

`DataStore` wraps one `Database` (one connection per worker process on the WAL file). Observed on the binary
and matched here (tests/data/test_store_oracle.py): a save validates fields, then relation targets and unique
indexes (a partial index only counts rows, and a new value, inside its WHERE; an index's COLLATE decides
equality); an id already taken is `id: Value must be unique.`; an update writes only the columns that changed;
deleting a record clears it from non-required relations, deletes the records of `cascadeDelete` ones, and is
refused while a required relation would be left empty. Hooks are plain callables given at construction
(`on_event(name, record)` with PocketBase's hook names without `on`), so JavaScript can be wired from above
without this layer knowing of it: a "before" event may change the record or raise to stop the write, the
"...Success" ones run once the outermost transaction committed (never after a rollback).
"""
from __future__ import annotations

import sqlite3

from . import changes
from .busy import DatabaseBusyError, is_busy
from .collections import (OWNED_BY_RECORDS, Collection, all_collections, find_collection_by_name_or_id,
                          read_collection)
from .db import Database, NotFoundError
from .ddl import parse_index, quote
from .fields import is_multiple
from .query import cached_select
from .records import Record
from .validation import ValidationError, unique_indexes
from .views import go_sql_error

_BEFORE = {"create": "recordCreate", "update": "recordUpdate", "delete": "recordDelete"}
_AFTER = {"create": "recordAfterCreateSuccess", "update": "recordAfterUpdateSuccess",
          "delete": "recordAfterDeleteSuccess"}
_UNIQUE_FAILED = "UNIQUE constraint failed:"


class RequiredReferenceError(ValueError):
    """A delete refused because a required relation of another record would be left empty (the binary's text)."""


def _not_unique(columns) -> ValidationError:
    return ValidationError({c: {"code": "validation_not_unique", "message": "Value must be unique"} for c in columns})


def unique_failure(exc: sqlite3.IntegrityError, collection: dict) -> ValidationError | None:
    """SQLite's `UNIQUE constraint failed: t.a, t.b` (or `: index 'name'`) as the binary's validation error."""
    text = str(exc)
    if not text.startswith(_UNIQUE_FAILED):
        return None
    detail = text[len(_UNIQUE_FAILED):].strip()
    if detail.startswith("index '"):
        name = detail[len("index '"):-1]
        columns = next((ix["columns"] for ix in unique_indexes(collection) if ix["name"] == name), [name])
    else:
        columns = [part.strip().split(".", 1)[-1] for part in detail.split(",")]
    return _not_unique(columns)


class DataStore:
    """Records of one data.db: find, save, delete, and transactions with their hooks."""

    def __init__(self, db: Database, on_event=None):
        self.db = db
        self.on_event = on_event
        self._after = None  # the "...Success" events waiting for the outermost commit, inside run_in_transaction

    # -- reading -------------------------------------------------------------------------------------------
    def find_collection_by_name_or_id(self, key: str) -> Collection:
        return find_collection_by_name_or_id(self.db, key)

    def new_record(self, collection_key: str, data: dict | None = None) -> Record:
        return Record(self.find_collection_by_name_or_id(collection_key).to_api(), data)

    def read_collection(self, key: str) -> tuple[Collection, dict]:
        """The collection and its API shape for reading records (shared: see collections.read_collection)."""
        return read_collection(self.db, key)

    def find_record_by_id(self, collection_key: str, record_id: str) -> Record:
        """The record, or NotFoundError (`sql: no rows in result set`) for an unknown collection or id."""
        collection, shape = self.read_collection(collection_key)
        row = self.db.execute(f"SELECT * FROM {quote(collection.name)} WHERE id = ? LIMIT 1",
                              (str(record_id),)).fetchone()
        if row is None:
            raise NotFoundError()
        return Record.from_row(shape, dict(row))

    def find_all_records(self, collection_key: str) -> list[Record]:
        """Every record of the collection in rowid order (what the tests compare; queries come with issue 15)."""
        collection = self.find_collection_by_name_or_id(collection_key)
        shape = collection.to_api()
        return Record.from_table(shape, *self.db.table(f"SELECT * FROM {quote(collection.name)}"))

    # -- queries (runtime.data.query: PocketBase's filter language, parametrised) ---------------------------
    def _select(self, collection: Collection, **kwargs) -> tuple[str, list]:
        return cached_select(collection, lambda key: read_collection(self.db, key)[0], **kwargs)

    def find_records_by_filter(self, collection_key: str, filter: str, sort: str = "", limit: int = 0,
                               offset: int = 0, params: dict | None = None) -> list[Record]:
        """The records matching `filter` (FilterError with the binary's text when it or `sort` is refused)."""
        collection, shape = self.read_collection(collection_key)
        text, values = self._select(collection, filter=filter, sort=sort, limit=limit, offset=offset,
                                    params=params)
        return Record.from_table(shape, *self.db.table(text, values))

    def find_first_record_by_filter(self, collection_key: str, filter: str, params: dict | None = None) -> Record:
        """The first match, or NotFoundError (`sql: no rows in result set`)."""
        found = self.find_records_by_filter(collection_key, filter, "", 1, 0, params)
        if not found:
            raise NotFoundError()
        return found[0]

    def count_records(self, collection_key: str, filter: str = "", params: dict | None = None) -> int:
        collection = self.read_collection(collection_key)[0]
        text, values = self._select(collection, filter=filter, params=params, count=True)
        return int(self.db.execute(text, values).fetchone()[0])

    # -- transactions and hooks ----------------------------------------------------------------------------
    def run_in_transaction(self, fn):
        """`fn(store)` with a store bound to one transaction: committed when fn returns, rolled back if it raises."""
        if self._after is not None:
            return fn(self)
        bound = DataStore(self.db, self.on_event)
        bound._after = []
        with self.db.transaction():
            result = fn(bound)
        for name, record in bound._after:
            self.on_event(name, record)
        return result

    def _emit(self, kind: str, record: Record) -> None:
        if self.on_event is not None:
            self.on_event(_BEFORE[kind], record)
            self._after.append((_AFTER[kind], record))

    # -- saving --------------------------------------------------------------------------------------------
    def save(self, record: Record, validate: bool = True) -> Record:
        """Insert a new record or update a stored one (changed columns only); ValidationError when refused.
        `validate=False`: the write alone, for JavaScript record hooks that ran `validate` as its own step."""
        return self.run_in_transaction(lambda tx: tx._save(record, validate))

    def validate(self, record: Record) -> None:
        """The save's checks without the write (PocketBase's onRecordValidate step): ValidationError when refused."""
        record.save_values(exists=self._exists, unique=lambda ix, cols, rid: self._unique(record, ix, rid))

    def _save(self, record: Record, validate: bool = True) -> Record:
        creating = record.is_new
        self._emit("create" if creating else "update", record)
        table = quote(record.collection["name"])
        if validate:
            values = record.save_values(exists=self._exists, unique=lambda ix, cols, rid: self._unique(record, ix, rid))
        else:
            record.prepare()
            values = record.column_values()
        try:
            if creating:
                names = list(values)
                self.db.execute(f"INSERT INTO {table} ({', '.join(map(quote, names))}) "
                                f"VALUES ({', '.join('?' * len(names))})", [values[n] for n in names])
            else:
                changed = [n for n in values if record.original.get(n) != values[n]]
                if changed:
                    self.db.execute(f"UPDATE {table} SET {', '.join(quote(n) + ' = ?' for n in changed)} "
                                    "WHERE id = ?", [values[n] for n in changed] + [record.original["id"]])
                    if record.collection.get("type") == "auth":
                        self._end_sign_ins(record, changed)
        except sqlite3.IntegrityError as exc:
            mapped = unique_failure(exc, record.collection)
            if mapped is None:
                raise
            raise mapped from exc
        except sqlite3.OperationalError as exc:  # a view's record, say: the binary's driver text
            if isinstance(exc, DatabaseBusyError) or is_busy(exc):
                raise
            raise ValueError(go_sql_error(exc)) from exc
        record.mark_saved()
        if changes._listeners:  # realtime has clients: the write is told once committed
            changes.note(self.db, "create" if creating else "update", record.collection, record.original)
        return record

    def _end_sign_ins(self, record: Record, changed: list) -> None:
        """As the binary: a new tokenKey voids the record's one-time passwords, a new password its MFA sessions
        and its known sign-in origins (so the next sign-in counts as a first one, without an alert mail)."""
        for column, table in (("tokenKey", "_otps"), ("password", "_mfas"), ("password", "_authOrigins")):
            if column in changed:
                self.db.execute(f"DELETE FROM {quote(table)} WHERE collectionRef = ? AND recordRef = ?",
                                (record.collection.get("id"), record.original["id"]))

    def _exists(self, collection_id: str, ids) -> set:
        """The ids among `ids` that are records of the collection `collection_id` (relation targets)."""
        try:
            target = self.find_collection_by_name_or_id(collection_id)
        except NotFoundError:
            return set()
        ids = [str(i) for i in ids]
        rows = self.db.query(f"SELECT id FROM {quote(target.name)} WHERE id IN ({', '.join('?' * len(ids))})", ids)
        return {r[0] for r in rows}

    def _unique(self, record: Record, index: dict, record_id: str) -> bool:
        """Whether the record's values are free under a unique index, as SQLite itself would judge them."""
        parsed = parse_index(index["sql"])
        columns = [c.rsplit(" ", 1)[0] if c.upper().endswith((" ASC", " DESC")) else c for c in parsed["columns"]]
        values = record.column_values()
        where = parsed["where"]
        if where:  # a partial index: the new values count only when they fall inside it
            names = list(values)
            inside = self.db.execute(
                f"SELECT 1 FROM (SELECT {', '.join('? AS ' + quote(n) for n in names)}) AS "
                f"{quote(record.collection['name'])} WHERE {where}", [values[n] for n in names]).fetchone()
            if inside is None:
                return True
        sql = (f"SELECT 1 FROM {quote(record.collection['name'])} WHERE "
               + " AND ".join(f"{c} = ?" for c in columns) + (f" AND ({where})" if where else "") + " AND id != ?")
        params = [values[name] for name in index["columns"]] + [record_id or ""]
        return self.db.execute(sql + " LIMIT 1", params).fetchone() is None

    # -- deleting ------------------------------------------------------------------------------------------
    def delete(self, record: Record, release: bool = True) -> None:
        """Delete the record, clearing or cascading the relations that point at it (refused by a required one).
        `release=False`: the row alone, for JavaScript record hooks that ran `dependents` as their own steps."""
        self.run_in_transaction(lambda tx: tx._delete(record, release))

    def _delete(self, record: Record, release: bool = True) -> None:
        if record.collection.get("type") == "view":
            raise ValueError("view records cannot be deleted")
        self._emit("delete", record)
        if release:
            for collection, field in self._referencing(record):
                self._release(record, collection, field)
        self.db.execute(f"DELETE FROM {quote(record.collection['name'])} WHERE id = ?", (record.original["id"],))
        if changes._listeners:
            changes.note(self.db, "delete", record.collection, record.column_values())
        if record.collection.get("type") == "auth":
            self._delete_owned(record)

    def _delete_owned(self, record: Record) -> None:
        """As the binary: an auth record's MFA sessions, one-time passwords, OAuth2 links and sign-in origins go
        with it, each as a record delete of its own."""
        for table in OWNED_BY_RECORDS:
            shape = self.find_collection_by_name_or_id(table).to_api()
            rows = self.db.query(f"SELECT * FROM {quote(table)} WHERE collectionRef = ? AND recordRef = ?",
                                 (record.collection.get("id"), record.original["id"]))
            for row in rows:
                self._delete(Record.from_row(shape, dict(row)))

    def _referencing(self, record: Record):
        """(collection, relation field) for every field of a table that may hold the record's id."""
        target_id = record.collection.get("id")
        for collection in all_collections(self.db):
            if collection.type == "view":
                continue
            for field in collection.fields:
                if field["type"] == "relation" and field.get("collectionId") == target_id:
                    yield collection, field

    def dependents(self, record: Record) -> list:
        """What deleting the record does to the records pointing at it, in the order `delete` does it, for record
        hooks that run each as its own save or delete (as the binary fires them): ("delete", ref) for a cascade,
        ("update", ref with the id already taken out) for a clear, ("refuse", message) for a required relation."""
        out = []
        for collection, field in self._referencing(record):
            self._release(record, collection, field, out)
            if out and out[-1][0] == "refuse":  # the delete stops there
                break
        return out

    def _release(self, record: Record, collection: Collection, field: dict, plan: list | None = None) -> None:
        """Clear `record` from `field` in every record of `collection` pointing at it, or delete them (cascade);
        with `plan`, list those steps there instead of taking them."""
        column, gone = quote(field["name"]), record.id
        if is_multiple(field):
            test = f"json_valid({column}) AND EXISTS (SELECT 1 FROM json_each({column}) WHERE value = ?)"
        else:
            test = f"{column} = ?"
        shape = collection.to_api()
        for row in self.db.query(f"SELECT * FROM {quote(collection.name)} WHERE {test}", (gone,)):
            if collection.id == record.collection.get("id") and row["id"] == gone:
                continue  # the record itself, deleted below
            ref = Record.from_row(shape, dict(row))
            if field.get("cascadeDelete"):
                plan.append(("delete", ref)) if plan is not None else self._delete(ref)
                continue
            remaining = [v for v in ref.get_string_slice(field["name"]) if v != gone]
            if field.get("required") and not remaining:
                message = (f"the record cannot be deleted because it is part of a required "
                           f"reference in record {ref.id} ({collection.name} collection)")
                if plan is None:
                    raise RequiredReferenceError(message)
                plan.append(("refuse", message))
                return
            ref.set(field["name"], remaining)
            plan.append(("update", ref)) if plan is not None else self._save(ref)

