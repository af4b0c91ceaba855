"""The pb_hooks record hooks around the saves and deletes of Python bindings (`ctx.app`, bindings/app_python.py).

Python cannot call a JavaScript closure, but a binding runs inside an evaluation: page, loader, hook handler,
cron job or onBootstrap code called it. So the save asks back: a nested evaluation (Engine.nested, core.js
R.nested) runs js/record_hooks.js's chain on the record Python holds, named by its handle in the request's
RecordSession, and the chain's innermost e.next() makes the write through the same steps as a page's
`$app.save` — same event (`e.record`, `e.app`, `e.next()`), same order, same filters. What the hooks set is
written and is on Python's record afterwards; a hook that throws makes the save raise, nothing written.

Without an evaluation of this request running (an `on_request` hook, which runs before the page's) there is
no request state to run the hooks' closures in: a save they concern raises RecordHookError rather than
skip them. Migrations have no Python bindings, so no Python save happens there.
"""
from __future__ import annotations

from bindings.app import session
from bindings.app_python import RecordHookError
from runtime.data.collections import all_collections
from runtime.data.validation import ValidationError

OUTSIDE = ("pagesvm: the pb_hooks record hooks of {collection} can only run for a save or delete a Python binding "
           "makes while page or hook code calls it (not from an on_request hook)")


class PythonRecordHooks:
    """What `ctx.app` asks (the request options' `record_hooks`): does a hook concern this write, run them."""

    def __init__(self, engine_of, table: dict):
        """``engine_of()``: the interpreter serving now (the render queue may replace it); ``table``: hook name ->
        [[file, index, filters]] (runtime/hooks/learn.py's record_hook_table)."""
        self.engine_of = engine_of
        self.table = table

    def wants(self, kind: str, record, store=None) -> bool:
        """True when a registered hook of this write's chain takes the record's collection, or (a delete, given
        the ``store``) a hook of the records its cascades delete or its relations clear may fire."""
        op = "Delete" if kind == "delete" else "Create" if record.is_new else "Update"
        if self.takes(op, record.collection.get("name"), record.collection.get("id")):
            return True
        return op == "Delete" and store is not None and self.reaches(store, record.collection.get("id"))

    def takes(self, op: str, name, collection_id) -> bool:
        for hook in _chain(op) + (("onRecordValidate",) if op != "Delete" else ()):
            for _file, _index, filters in self.table.get(hook, ()):
                if not filters or name in filters or collection_id in filters:
                    return True
        return False

    def reaches(self, store, collection_id) -> bool:
        """Whether deleting a record of the collection may delete (a cascade, followed on) or clear (a relation
        that is not cascading) records of a collection whose delete or update hooks exist. Asked only when the
        project has record hooks and none takes the collection itself: one read of the collections."""
        if not any(self.table.get(name) for op in ("Delete", "Update") for name in _chain(op)):
            return False  # no hook a cascade or a clear could fire: no read at all
        every = all_collections(store.db)
        seen, todo = {collection_id}, [collection_id]
        while todo:
            target = todo.pop()
            for collection in every:
                for field in collection.fields:
                    if field.get("type") != "relation" or field.get("collectionId") != target or collection.type == "view":
                        continue
                    if not field.get("cascadeDelete"):
                        if self.takes("Update", collection.name, collection.id):
                            return True
                    elif self.takes("Delete", collection.name, collection.id):
                        return True
                    elif collection.id not in seen:
                        seen.add(collection.id)
                        todo.append(collection.id)
        return False

    def _engine(self, ctx, record):
        engine = self.engine_of()
        if not engine.evaluating or engine.ctx is not ctx:
            raise RecordHookError(OUTSIDE.format(collection=record.collection.get("name")), 500)
        return engine

    def run(self, ctx, kind: str, record, in_transaction: bool) -> bool:
        """The chain around the write; True when its Success hooks wait for the caller's transaction (`end`)."""
        engine = self._engine(ctx, record)
        handle = session(ctx).handle_of(record)
        return bool(_answer(engine.nested("recordHooks", [kind, handle, in_transaction])).get("deferred"))

    def end(self, ctx, committed: bool, error: str) -> None:
        """Python's own outermost transaction ended: the Success hooks that waited (or the Error ones) run."""
        engine = self.engine_of()
        if engine.evaluating and engine.ctx is ctx:
            _answer(engine.nested("recordHooks", ["end", committed, error]))


def _answer(reply) -> dict:
    if not isinstance(reply, dict):  # the key or the function was refused: never happens once started
        raise RecordHookError("pagesvm: the record hooks could not run", 500)
    if "error" not in reply:
        return reply
    if reply.get("invalid"):  # the checks refused the record: the exception a save without hooks raises
        raise ValidationError({name: {"code": code, "message": message} for name, code, message in reply["invalid"]})
    raise RecordHookError(reply["error"], int(reply.get("status") or 500))


def install(runtime, table: dict) -> None:
    """Give the requests of ``runtime`` (a PagesRuntime) the record hooks, when the site has any."""
    if table and set(table) - {"onMailerSend"}:  # learn.py's table carries the mail hook too
        runtime.options["record_hooks"] = PythonRecordHooks(lambda: runtime.engine, table)


def _chain(op: str) -> tuple:
    """The record hooks of a write's chain (``op``: Create, Update, Delete), onRecordValidate aside."""
    return f"onRecord{op}", f"onRecord{op}Execute", f"onRecordAfter{op}Success", f"onRecordAfter{op}Error"
