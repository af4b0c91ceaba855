"""The pb_hooks record hooks around the REST API's own saves and deletes, as PocketBase fires them for every save.

runtime/api knows nothing of hooks: its handlers save through `call.save(record)`/`call.delete(record)`, which take
the seam `Api.record_writes` is given here (`ApiRecordWrites`) when the project registers record hooks. A call
that may write a record such hooks concern (`concerns`: method, endpoint and collection, judged before the API
runs) is served in a render-queue Job (runtime/http/api_routes.py), and a pb() call of a page already runs inside
an evaluation; so at the save Python asks the interpreter back, as for a Python binding's save
(python_saves.py): a nested evaluation runs js/record_hooks.js's chain on the record by its handle in the
request's RecordSession, the chain's last e.next() writes, and what the hooks set is on the API's record after.

A hook's failure reaches the API as the exception its handlers already turn into the binary's answers: refused
checks a ValidationError (400 with the fields), a thrown ApiError itself (`Create refused.`), anything else a
ValueError, answered `Failed to create record.` (or the endpoint's own message) with empty data, as the binary's
`firstApiError` does.
"""
from __future__ import annotations

import logging

from bindings.app import session
from runtime.api.exchange import GENERIC, ApiError
from runtime.data.db import NotFoundError
from runtime.data.process import store_for
from runtime.data.validation import ValidationError, sentenize

log = logging.getLogger("pagesvm")
# The endpoints (method, last path part) that save or delete a record of the path's collection, and the write.
ENDPOINT_WRITES = {
    ("POST", "records"): "Create", ("PATCH", "record"): "Update", ("DELETE", "record"): "Delete",
    ("POST", "confirm-password-reset"): "Update", ("POST", "confirm-verification"): "Update",
    ("POST", "confirm-email-change"): "Update",
}


class ApiRecordWrites:
    """`Api.record_writes` for a project with record hooks: which calls they concern, and the chain of a write."""

    def __init__(self, hooks, data_dir: str):
        """``hooks``: the request options' PythonRecordHooks (python_saves.py), whose table and interpreter serve."""
        self.hooks, self.data_dir = hooks, data_dir
        self.filters = {op: _filters(hooks.table, op) for op in ("Create", "Update", "Delete")}

    def wants(self, kind: str, record) -> bool:
        return self.hooks.wants(kind, record, store_for(self.data_dir))

    def concerns(self, method: str, kind: str, key: str) -> bool:
        """Whether a call (``kind``: ``records``, ``record``, ``confirm-…``) may write a record of the collection
        ``key`` (name or id, as in the URL) that a record hook concerns: then it is served in a Job."""
        op = ENDPOINT_WRITES.get((method, kind))
        if op is None:
            return False
        every, keys = self.filters[op]
        if every or key in keys:
            return True
        if not keys and op != "Delete":
            return False
        store = store_for(self.data_dir)
        try:  # the URL names the collection one way, a filter maybe the other
            collection = store.find_collection_by_name_or_id(key)
        except NotFoundError:
            return False
        if collection.name in keys or collection.id in keys:
            return True
        return op == "Delete" and self.hooks.reaches(store, collection.id)  # a cascade or a clear may fire some

    def write(self, kind: str, record) -> None:
        """The chain around the save (``kind`` "save") or delete of ``record``; the last e.next() writes."""
        engine = self.hooks.engine_of()
        ctx = engine.ctx
        if not engine.evaluating or ctx is None:  # the HTTP layer serves such calls in a Job: never happens
            log.error("record hooks of %s outside an evaluation", record.collection.get("name"))
            raise ApiError(500, GENERIC)
        reply = engine.nested("recordHooks", [kind, session(ctx).handle_of(record), False])
        if not isinstance(reply, dict):
            raise ApiError(500, GENERIC)
        if "error" not in reply:
            return
        if reply.get("invalid"):
            raise ValidationError({name: {"code": code, "message": message} for name, code, message in reply["invalid"]})
        if reply.get("status"):  # an ApiError a hook threw: the answer, as the binary's firstApiError picks it
            raise ApiError(int(reply["status"]), sentenize(str(reply["error"])), reply.get("data") or {})
        raise ValueError(str(reply["error"]))


def _filters(table: dict, op: str) -> tuple[bool, frozenset]:
    """(a hook of this write takes every collection, the collection names and ids its other hooks name)."""
    names = [f"onRecord{op}", f"onRecord{op}Execute", f"onRecordAfter{op}Success", f"onRecordAfter{op}Error"]
    if op != "Delete":
        names.append("onRecordValidate")
    every, keys = False, set()
    for name in names:
        for _file, _index, filters in table.get(name, ()):
            every = every or not filters
            keys.update(filters)
    return every, frozenset(keys)
