"""The `$app` family: PocketBase's `$app` and `Record` for page code, on data.db (runtime.data).

The JavaScript half (record.js) defines the globals `$app` and `Record` once per interpreter, so a page
that never names them costs nothing: no per-request work, and the worker's store
(runtime.data.process.store_for) is opened at the first `$app` call. The Python half is hidden bindings
(`pv_app.*`, reached only from record.js), each delegating to the request's RecordSession
(bindings/app_session.py), made at the request's first call and closed at its end (ctx.end), which rolls
back a transaction the page left open.
"""
from __future__ import annotations

import os

from runtime.data.process import store_for

from .app_session import RecordSession
from .registry import Registry

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
_HERE = os.path.dirname(os.path.abspath(__file__))
VALUES_JS = FAMILY.js_file(os.path.join(_HERE, "record_values.js"))  # the getters' rules, before record.js
RECORD_JS = FAMILY.js_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), "record.js"))
QUERY_JS = FAMILY.js_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), "app_query.js"))  # after record.js
_SLOT = "_pv_app_session"


def session(ctx) -> RecordSession:
    """The request's session, made (and its store opened) at its first use."""
    found = ctx.__dict__.get(_SLOT)
    if found is None:
        found = RecordSession(store_for(ctx.data_dir))
        setattr(ctx, _SLOT, found)
        ctx.at_end(found.close)
    return found


def _bind(method: str) -> None:
    def call(ctx, *args):
        return getattr(session(ctx), method)(*args)

    call.__name__ = call.__qualname__ = f"pv_app_{method}"
    call.__doc__ = f"record.js's `{method}` (RecordSession.{method})."
    FAMILY.add(f"pv_app.{method}", call, hidden=True)


for _method in RecordSession.METHODS:
    _bind(_method)
