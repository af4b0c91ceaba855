"""The Python half of `Record` and `$app` (bindings/record.js): records by handle, saves, finds, transactions.

One session serves one request (bindings/app.py keeps it on the request's ctx) or one migration file
(runtime/render/migrate.py). Records stay Python objects (runtime.data.records.Record) for the session's life;
JavaScript holds a handle and sends its pending `set`s with the next call, so Go's casts (runtime.data.fields)
apply here, exactly, in one crossing. Every answer is `{"ok": ...}` or `{"error": Go's text, "fields"?: ...}`,
and a record's answer carries its raw values (bindings/record_wire.py), from which record_values.js answers
every getter, so reads cost JavaScript no crossing.

A transaction is opened by `begin` and closed by `commit`/`rollback` around the JavaScript callback (Python
cannot call a JS closure). `close()` rolls back one left open (a page that timed out, or was stopped):
bindings/app.py registers it as the request's end (bindings.context.Context.end).
"""
from __future__ import annotations

import secrets
import sqlite3

from runtime.data.busy import DatabaseBusyError
from runtime.data.collections import CollectionError
from runtime.data.db import NotFoundError
from runtime.data.records import Record
from runtime.data.store import DataStore, RequiredReferenceError
from runtime.data.validation import ValidationError

from .app_query import QueryMethods
from .record_wire import WireState

MAX_RECORDS = 10_000  # handles one request may hold


class _Rollback(Exception):
    """Thrown into the transaction's context manager to roll it back."""


class StaleRecord(LookupError):
    """A handle this session never gave out (a record kept from another request)."""


class RecordSession(QueryMethods):
    """The records and the transaction of one request or one migration, on one DataStore."""

    def __init__(self, store: DataStore):
        self.store = store
        self.records: dict[int, Record] = {}
        self.handles: dict[int, int] = {}  # id(record) -> its handle, so a record met again keeps one
        # Handles start at a random multiple of 2**16 (MAX_RECORDS fit below it): a Record kept past its request
        # (in `$app.store()`) names a handle no later session gives out, so it is refused as stale, never taken for
        # another request's record. Below 2**53, so JavaScript holds them exactly.
        self.base = self._next = 1 + secrets.randbelow(2 ** 36) * 2 ** 16
        self._depth = 0
        self._open = None  # the transaction's context manager while one is open
        self.wire = WireState()  # what JavaScript already holds (bindings/record_wire.py)

    # -- answers -------------------------------------------------------------------------------------------
    def answer(self, fn, *args) -> dict:
        """`{"ok": fn(*args)}`, or the binary's error text (and a validation error's field messages)."""
        try:
            return {"ok": fn(*args)}
        except ValidationError as e:
            return {"error": str(e), "fields": {k: v["message"] for k, v in e.errors.items()},
                    "codes": {k: v["code"] for k, v in e.errors.items()}}  # a hook route's 400 data (hooks.js)
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

    def _keep_found(self, records: list) -> list:
        """Handles for the records a find just read (none has one yet), made in one go; the records."""
        count = len(records)
        if len(self.records) + count > MAX_RECORDS:
            raise ValueError(f"pagesvm: more than {MAX_RECORDS} records in one request")
        first = self._next
        self._next = first + count
        made = range(first, first + count)
        self.records.update(zip(made, records))
        self.handles.update(zip(map(id, records), made))
        return records

    def handle_of(self, record: Record) -> int:
        """The handle naming `record` (a Python binding's, runtime/hooks/python_saves.py), made at its first use."""
        handle = self.handles.get(id(record))
        if handle is not None and self.records.get(handle) is record:
            return handle
        return self._keep(record)

    def pack(self, records: list) -> dict:
        """The records as one reply JavaScript's `K.fromList` reads, their values sent afresh (the request hooks
        around the REST API, runtime/hooks/api_hooks.py, hand Python's records to JavaScript this way)."""
        for record in records:
            self.wire.forget(self.handle_of(record))
        return self._pack(records)

    def apply(self, refs: list) -> None:
        """Apply the pending sets JavaScript sends (`{h, ops}` refs) to the records they name."""
        for ref in refs:
            self._record(ref)

    def _record(self, ref) -> tuple[int, Record]:
        """The record `ref` names (`{h, ops}`, `{h: 0, c: collection, ops}` for a new one, or the bare handle of one
        without pending sets) with its pending sets applied."""
        if ref.__class__ is int:
            handle, ops = ref, None
        elif isinstance(ref, dict):
            handle, ops = ref.get("h") or 0, ref.get("ops")
        else:
            raise TypeError("pagesvm: not a Record")
        if handle:
            record = self.records.get(handle)
            if record is None:
                raise StaleRecord("pagesvm: this Record belongs to another request")
        else:
            record = self.store.new_record(str(ref.get("c") or ""))
            handle = self._keep(record)
        if ops:
            self.wire.forget(handle)
            for name, value in ops:
                record.set(str(name), value)
        return handle, record

    def _view(self, handle: int, record: Record) -> dict:
        """The reply for one record (bindings/record_wire.py), its values sent afresh: a save or a delete
        changes them without sets."""
        self.wire.forget(handle)
        return self._pack([record])

    # -- what JavaScript calls -----------------------------------------------------------------------------
    def sync(self, ref) -> dict:
        return self.answer(lambda: self._view(*self._record(ref)))

    def check(self, ref, plain) -> dict:
        def work():
            handle, record = self._record(ref)
            return {**self._view(handle, record), "ok": record.validate_password(str(plain))}
        return self.answer(work)

    def save(self, ref, step: str = "") -> dict:
        """The whole save, or one step of it when JavaScript record hooks drive the chain
        (runtime/hooks/js/record_hooks.js): `validate` (checks only) or `write` (the write unchecked)."""
        def work():
            handle, record = self._record(ref)
            if step == "validate":
                self.store.validate(record)
            else:
                self.store.save(record, step != "write")
            return self._view(handle, record)
        return self.answer(work)

    def delete(self, ref, step: str = "") -> dict:
        """The whole delete, or (`only`) the row alone when record hooks ran the `dependents` steps."""
        def work():
            handle, record = self._record(ref)
            if record.is_new:
                raise NotFoundError()
            self.store.delete(record, step != "only")
            return self._view(handle, record)
        return self.answer(work)

    def dependents(self, ref) -> dict:
        """What deleting the record does to the records pointing at it (DataStore.dependents), for the record
        hooks to run one by one: the records (K.fromList) with `steps`, each one's step (`delete`/`update`), or
        `refuse`, the message a required relation refuses the delete with."""
        def work():
            _handle, record = self._record(ref)
            plan = self.store.dependents(record)
            refused = next((what for kind, what in plan if kind == "refuse"), None)
            steps = [(kind, what) for kind, what in plan if kind != "refuse"]
            return {**self.pack([what for _kind, what in steps]), "steps": [kind for kind, _what in steps],
                    "refuse": refused}
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
        self.wire = WireState()

    METHODS = ("sync", "check", "save", "delete", "dependents", "find", "collection", "begin", "commit", "rollback",
               *QueryMethods.QUERY_METHODS)
