"""The Python half of `Record` and `$app` (bindings/record.js): records by handle, saves, finds, transactions.

One session serves one request (bindings/app.py keeps it on the request's ctx) or one migration file
(runtime/render/migrate.py). Records stay Python objects (runtime.data.records.Record) for the session's life;
JavaScript holds a handle and sends its pending `set`s with the next call, so Go's casts (runtime.data.fields)
apply here, exactly, in one crossing. Every answer is `{"ok": ...}` or `{"error": Go's text, "fields"?: ...}`,
and a record's answer carries its table: what every getter returns, so reads cost JavaScript no crossing.

A transaction is opened by `begin` and closed by `commit`/`rollback` around the JavaScript callback (Python
cannot call a JS closure). `close()` rolls back one left open (a page that timed out, or was stopped):
bindings/app.py registers it as the request's end (bindings.context.Context.end).
"""
from __future__ import annotations

import json
import math
import sqlite3

from runtime.data.busy import DatabaseBusyError
from runtime.data.collections import CollectionError
from runtime.data.db import NotFoundError
from runtime.data.gocast import JSONRaw
from runtime.data.records import Record
from runtime.data.store import DataStore, RequiredReferenceError
from runtime.data.validation import ValidationError

from .app_query import QueryMethods

MAX_RECORDS = 10_000  # handles one request may hold
_SAFE = 2 ** 53


class _Rollback(Exception):
    """Thrown into the transaction's context manager to roll it back."""


class StaleRecord(LookupError):
    """A handle this session never gave out (a record kept from another request)."""


def _plain(value):
    """A value as JSON can carry it: a json field's raw bytes as a byte array (what the JSVM's `get` gives)."""
    if isinstance(value, (JSONRaw, bytes)):
        return list(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return _number(value)


def _number(value):
    """An integer beyond 2**53 as the float JavaScript (and goja) makes of it: as an int it cannot cross, and
    a record holding one (a form's `1e16`, PocketBase's own) could be neither read nor saved by pages."""
    if isinstance(value, int) and not isinstance(value, bool) and not -_SAFE <= value <= _SAFE:
        return float(value)
    return value


def _finite(number: float):
    return number if math.isfinite(number) else None


def table(record: Record) -> dict:
    """What every getter of the record answers, its public export, id and collection: one reply, no more calls."""
    rows = {}
    for name in list(record.fields) + [k for k in record.custom if k not in record.fields]:
        rows[name] = [_plain(record.get(name)), record.get_string(name), _number(record.get_int(name)),
                      _finite(record.get_float(name)), record.get_bool(name), str.__str__(record.get_datetime(name)),
                      record.get_string_slice(name)]
    return {"id": record.id, "n": record.is_new, "f": rows, "e": _export_text(record.public_export()),
            "c": record.collection}


def _export_text(exported: dict) -> str:
    """The public export as JSON text, parsed by record.js: a json field's value may nest deeper, or hold
    larger integers, than a reply's values may (runtime.render.engine.non_json), and must still be readable."""
    plain = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in exported.items()}
    return json.dumps(plain, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


class RecordSession(QueryMethods):
    """The records and the transaction of one request or one migration, on one DataStore."""

    def __init__(self, store: DataStore):
        self.store = store
        self.records: dict[int, Record] = {}
        self.handles: dict[int, int] = {}  # id(record) -> its handle, so a record met again keeps one
        self._next = 1
        self._depth = 0
        self._open = None  # the transaction's context manager while one is open

    # -- answers -------------------------------------------------------------------------------------------
    def answer(self, fn, *args) -> dict:
        """`{"ok": fn(*args)}`, or the binary's error text (and a validation error's field messages)."""
        try:
            return {"ok": fn(*args)}
        except ValidationError as e:
            return {"error": str(e), "fields": {k: v["message"] for k, v in e.errors.items()}}
        except CollectionError as e:
            return {"error": str(e), "fields": e.data}
        except DatabaseBusyError:  # not the page's doing: a 503 to retry (runtime/render/engine.py)
            raise
        except (NotFoundError, StaleRecord, RequiredReferenceError, sqlite3.Error, ValueError, TypeError) as e:
            return {"error": str(e) or type(e).__name__}

    def _keep(self, record: Record) -> int:
        if len(self.records) >= MAX_RECORDS:
            raise ValueError(f"pagesvm: more than {MAX_RECORDS} records in one request")
        handle, self._next = self._next, self._next + 1
        self.records[handle] = record
        self.handles[id(record)] = handle
        return handle

    def _record(self, ref) -> tuple[int, Record]:
        """The record `ref` names (`{h}` or, for a new one, `{c: collection}`) with its pending sets applied."""
        if not isinstance(ref, dict):
            raise TypeError("pagesvm: not a Record")
        handle = ref.get("h") or 0
        if handle:
            record = self.records.get(handle)
            if record is None:
                raise StaleRecord("pagesvm: this Record belongs to another request")
        else:
            record = self.store.new_record(str(ref.get("c") or ""))
            handle = self._keep(record)
        for name, value in ref.get("ops") or ():
            record.set(str(name), value)
        return handle, record

    def _view(self, handle: int, record: Record) -> dict:
        """The record's handle and table; with `m`, the tables of the records its expand reaches."""
        if record.expand is None:
            return {"h": handle, "t": table(record)}
        packed = self._pack([record])["m"]
        return {"h": handle, "t": packed[str(handle)], "m": packed}

    # -- what JavaScript calls -----------------------------------------------------------------------------
    def sync(self, ref) -> dict:
        return self.answer(lambda: self._view(*self._record(ref)))

    def check(self, ref, plain) -> dict:
        def work():
            handle, record = self._record(ref)
            return {**self._view(handle, record), "ok": record.validate_password(str(plain))}
        return self.answer(work)

    def save(self, ref) -> dict:
        def work():
            handle, record = self._record(ref)
            self.store.save(record)
            return self._view(handle, record)
        return self.answer(work)

    def delete(self, ref) -> dict:
        def work():
            handle, record = self._record(ref)
            if record.is_new:
                raise NotFoundError()
            self.store.delete(record)
            return self._view(handle, record)
        return self.answer(work)

    def find(self, collection, record_id) -> dict:
        def work():
            record = self.store.find_record_by_id(str(collection), str(record_id))
            return self._view(self._keep(record), record)
        return self.answer(work)

    def collection(self, key) -> dict:
        return self.answer(lambda: self.store.find_collection_by_name_or_id(str(key)).to_api())

    # -- transactions --------------------------------------------------------------------------------------
    def begin(self) -> dict:
        def work():
            if self._depth == 0:
                opened = self.store.db.transaction()
                opened.__enter__()
                self._open = opened
            self._depth += 1
        return self.answer(work)

    def commit(self) -> dict:
        return self.answer(self._finish, True)

    def rollback(self) -> dict:
        return self.answer(self._finish, False)

    def _finish(self, ok: bool) -> None:
        """Close one level; the outermost commits (or rolls back everything when `ok` is false)."""
        if self._depth == 0:
            return
        self._depth -= 1
        if self._depth:
            return
        opened, self._open = self._open, None
        if ok:
            opened.__exit__(None, None, None)
        else:
            stop = _Rollback()
            opened.__exit__(_Rollback, stop, None)

    def close(self) -> None:
        """Roll back a transaction left open and drop the records (the request or migration is over)."""
        if self._depth:
            self._depth = 1
            self._finish(False)
        self.records.clear()
        self.handles.clear()

    METHODS = ("sync", "check", "save", "delete", "find", "collection", "begin", "commit", "rollback",
               *QueryMethods.QUERY_METHODS)
