"""`ctx.app`: PocketBase's record finders for Python bindings, over the same DataStore as the page's `$app`.

The page's `$app` and a binding's `ctx.app` share the worker's one connection to data.db
(runtime.data.process.store_for), through the request's RecordSession (bindings/app.py's `session(ctx)`). So a
binding called while the page is inside `$app.runInTransaction(...)` reads and writes inside that same
transaction: its writes commit with the page's callback, or are rolled back with it. `run_in_transaction` here
joins a transaction already open the same way, and otherwise opens one of its own.

Records are runtime.data.records.Record objects (`get`, `set`, `get_string`, …, `public_export()`), not the
page's JavaScript records: a binding hands a page plain values (`record.public_export()`), never a Record.
Failures raise runtime.data's own exceptions (FilterError and ValueError for a bad filter, NotFoundError —
`sql: no rows in result set` — for a lookup that finds nothing, ValidationError for a refused save); a binding
catches them or lets them become the page's 500, as any exception of a binding.

With pb_hooks record hooks, `save` and `delete` of a record they concern run them as a page's `$app.save` does:
the layer above hands the request's options a `record_hooks` object (runtime/hooks/python_saves.py) with
`wants(kind, record, store)`, `run(ctx, kind, record, in_transaction)` (True when Success hooks wait for this app's
transaction) and `end(ctx, committed, error)`; a hook's refusal raises RecordHookError (or ValidationError).
"""
from __future__ import annotations

from runtime.data.records import Record
from runtime.data.store import DataStore

from .registry import BindingError

_SLOT = "_pv_python_app"


class RecordHookError(BindingError):
    """A pb_hooks record hook refused a save or delete of `ctx.app` (it threw): nothing was written. The
    message is the hook's; the status an ApiError's (BadRequestError: 400…), else 500."""


class PythonApp:
    """The records API of one request (`ctx.app`), or of one transaction (the argument of run_in_transaction).
    `hooks`/`ctx`: the pb_hooks record hooks and the request they run in (None: the site has none)."""

    def __init__(self, store: DataStore, hooks=None, ctx=None, waiting: list | None = None):
        self._store = store
        self._hooks, self._request = hooks, ctx
        self._waiting = waiting  # inside this app's own transaction: [True] once hooks wait for its end

    def find_records_by_filter(self, collection: str, filter: str = "", sort: str = "", limit: int = 0,
                               offset: int = 0, params: dict | None = None) -> list[Record]:
        """Records matching PocketBase's filter language; `{:name}`s are bound from params, never pasted."""
        return self._store.find_records_by_filter(collection, filter, sort, int(limit), int(offset), params)

    def find_first_record_by_filter(self, collection: str, filter: str, params: dict | None = None) -> Record:
        return self._store.find_first_record_by_filter(collection, filter, params)

    def find_record_by_id(self, collection: str, record_id: str) -> Record:
        return self._store.find_record_by_id(collection, record_id)

    def count_records(self, collection: str, filter: str = "", params: dict | None = None) -> int:
        return self._store.count_records(collection, filter, params)

    def find_collection_by_name_or_id(self, key: str) -> dict:
        """The collection as the REST API shows it (without the auth secrets)."""
        return self._store.find_collection_by_name_or_id(key).to_api()

    def new_record(self, collection: str, data: dict | None = None) -> Record:
        """An unsaved record of the collection, `data` set through the fields' casts as `record.set` does."""
        record = self._store.new_record(collection)
        for name, value in (data or {}).items():
            record.set(name, value)
        return record

    def save(self, record: Record) -> Record:
        if self._hooked("save", record):
            return record
        return self._store.save(record)

    def delete(self, record: Record) -> None:
        if not self._hooked("delete", record):
            self._store.delete(record)

    def _hooked(self, kind: str, record: Record) -> bool:
        """Run the record hooks around the write when some concern the record (they make the write)."""
        hooks = self._hooks
        if hooks is None or not hooks.wants(kind, record, self._store):
            return False
        if hooks.run(self._request, kind, record, self._waiting is not None) and self._waiting is not None:
            self._waiting[:] = [True]
        return True

    def run_in_transaction(self, fn):
        """`fn(app)` in one transaction (the page's, when one is open): committed when fn returns, rolled back
        when it raises (the exception goes on). Answers what fn returns. The record hooks' Success (or Error)
        events of its saves wait for the outermost end, as in a page's `$app.runInTransaction`."""
        hooks, waiting = self._hooks, self._waiting
        outermost = hooks is not None and waiting is None  # else no hooks, or joining this app's transaction
        if outermost:
            waiting = []
        failure = None
        try:
            return self._store.run_in_transaction(lambda store: fn(PythonApp(store, hooks, self._request, waiting)))
        except BaseException as e:
            failure = e
            raise
        finally:
            if outermost and waiting:
                hooks.end(self._request, failure is None, str(failure or ""))


def app_for(ctx) -> PythonApp:
    """The request's PythonApp, made at its first use (the store opens then, as for the page's first `$app`)."""
    found = ctx.__dict__.get(_SLOT)
    if found is None:
        from .app import session  # bindings.app registers the $app family: imported only when a binding asks

        found = PythonApp(session(ctx).store, ctx.options.get("record_hooks"), ctx)
        setattr(ctx, _SLOT, found)
    return found
