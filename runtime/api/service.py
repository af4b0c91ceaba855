"""``Api``: one API call answered top to bottom with one catch, and ``ApiCall``, what a handler gets.

A handler is ``handler(call, **path_params) -> ApiResponse``; it raises ``ApiError`` for an answer
in PocketBase's error shape. Errors of the data layer that mean the same everywhere are turned into
answers here, once: a lookup that found nothing is a 404. Anything else is a bug of ours: logged
with the request, answered 500 in PocketBase's shape, and the service goes on.
"""
from __future__ import annotations

import importlib
import logging
import sqlite3

from runtime.data.busy import DatabaseBusyError
from runtime.data.db import NotFoundError
from runtime.data.process import store_for
from runtime.data.tokens import verify_token

from .exchange import GENERIC, ApiError, ApiRequest, ApiResponse, not_found
from .router import ROUTES

log = logging.getLogger("pagesvm")
# Every module that registers routes; imported once, by the first Api made.
ROUTE_MODULES = ("health", "files", "records_list", "records_crud", "auth_password", "auth_flows", "auth_otp",
                 "auth_oauth2")
_loaded = False

SUPERUSERS = "_superusers"
# SQLite's refusals of a statement too big or too deep (a client's filter or expand), not of our SQL.
_TOO_COMPLEX = ("parser stack overflow", "Expression tree is too large", "at most 64 tables in a join",
                "too many terms in compound SELECT", "too many SQL variables", "LIKE or GLOB pattern too complex",
                "too many FROM clause terms")


def _load_routes() -> None:
    global _loaded
    if not _loaded:
        for name in ROUTE_MODULES:
            importlib.import_module(f"{__package__}.{name}")
        _loaded = True


class ApiCall:
    """One request being answered: the request, the worker's DataStore, who is asking, the settings."""

    __slots__ = ("api", "request", "store", "_auth", "shown")
    info_context = "default"  # `@request.context` for the rules; OAuth2's inner create says "oauth2"

    def __init__(self, api: "Api", request: ApiRequest):
        self.api, self.request, self.store = api, request, store_for(api.data_dir)
        self._auth = False  # not read yet
        self.shown = None  # id(record) -> what onRecordEnrich hooks asked to show of it (export.py)

    @property
    def options(self) -> dict:
        return self.api.options

    @property
    def auth(self):
        """(collection, record) of the ``Authorization`` token (bare or ``Bearer``), or None.

        PocketBase's API reads no cookie: a page's ``pb_auth`` cookie never signs an API call in."""
        if self._auth is False:
            token = self.request.header("authorization").strip()
            if token[:7].lower() == "bearer ":
                token = token[7:].strip()
            self._auth = verify_token(token, self.store) if token else None
        return self._auth

    @property
    def auth_record(self):
        found = self.auth
        return found[1] if found is not None else None

    def hooked(self, name: str, collection, records: list, complete, extra: dict | None = None, info=None):
        """The answer of an action PocketBase wraps in the request hook ``name`` (``onRecordCreateRequest``…):
        ``complete(event)`` performs it (``event``: what the hooks left, e.g. ``meta``) and answers. Without
        hooks for ``collection`` it runs at once; otherwise ``call.api.hooks`` (given by the HTTP layer) runs
        the chain, whose last ``e.next()`` calls ``complete`` on ``records`` as the hooks changed them; ``info``
        (the rules' RequestInfo) is what ``e.requestInfo()`` shows."""
        hooks = self.api.hooks
        if hooks is None or not hooks.wants(name, collection):
            return complete({})
        return hooks.run(self, name, collection, records, complete, extra or {}, info)

    def mailer(self, name: str):
        """How an auth mail goes out: through the project's ``name`` mail hooks (onMailerRecordOTPSend…) when it
        has any, ``send(record, message, meta)`` -> None once sent, else why not (a text or a hook's ApiError);
        None when it has none (runtime/api/mail_tokens.py then sends at once)."""
        hooks = self.api.hooks
        if hooks is None or (name not in hooks.table and "onMailerSend" not in hooks.table):
            return None
        return lambda record, message, meta: hooks.mail(self, name, record, message, meta)

    def save(self, record) -> None:
        """Save ``record`` as PocketBase's API does: through the project's record hooks (onRecordCreate…,
        onRecordValidate, the After…Success/Error ones) when some concern it, else straight to the store. The
        hooks' seam (``call.api.record_writes``, given by the layer above) raises ValidationError for refused
        checks, ApiError for an ApiError a hook threw, ValueError (its text) for anything else a hook threw."""
        writes = self.api.record_writes
        if writes is None or not writes.wants("save", record):
            self.store.save(record)
        else:
            writes.write("save", record)

    def delete(self, record) -> None:
        """Delete ``record`` through the record hooks that concern it (``save``'s seam), else at once."""
        writes = self.api.record_writes
        if writes is None or not writes.wants("delete", record):
            self.store.delete(record)
        else:
            writes.write("delete", record)

    def enriched(self, records: list) -> None:
        """Run the onRecordEnrich hooks (when the project has any) on ``records``, expanded ones included."""
        hooks = self.api.hooks
        if hooks is None or "onRecordEnrich" not in hooks.table:
            return
        every, stack = [], list(records)
        while stack:
            record = stack.pop(0)
            every.append(record)
            for value in (record.expand or {}).values():
                stack.extend(value if isinstance(value, list) else [value])
        shown = hooks.enrich(self, every)
        if shown:
            self.shown = {**(self.shown or {}), **shown}

    @property
    def is_superuser(self) -> bool:
        found = self.auth
        return found is not None and found[0].name == SUPERUSERS


class Api:
    """PocketBase's REST API over one data folder. ``options`` holds what the server was started with
    (``app_url``, ``auth_ttl``, mail settings…); ``hooks`` the JSVM's request hooks, when a site has any;
    ``record_writes`` the seam its saves and deletes take when the site has record hooks (``ApiCall.save``):
    ``wants(kind, record)``, ``write(kind, record)``, ``concerns(method, kind, key)`` (runtime/hooks)."""

    def __init__(self, data_dir: str, options: dict | None = None, hooks=None, record_writes=None):
        _load_routes()
        self.data_dir, self.options, self.hooks = data_dir, dict(options or {}), hooks
        self.record_writes = record_writes

    def owns(self, path: str) -> bool:
        """Whether a path is the API's to answer (PocketBase keeps all of ``/api/``)."""
        return path.startswith("/api/")

    def handle(self, request: ApiRequest) -> ApiResponse | None:
        """The answer, or None when no route matches (the caller answers PocketBase's 404)."""
        found = ROUTES.match(request.method, request.path)
        if found is None:
            return None
        handler, params = found
        try:
            response = handler(ApiCall(self, request), **params)
        except ApiError as e:
            response = e.response()
        except NotFoundError:
            response = not_found().response()
        except DatabaseBusyError as exc:  # another worker held data.db's lock past the busy timeout: retry
            response = ApiError(503, str(exc)).response()
            response.headers.append(("Retry-After", "1"))
        except (RecursionError, sqlite3.OperationalError) as exc:
            response = _refused_or_bug(request, exc)
        except Exception:  # noqa: BLE001 - a bug of ours: one answer, logged, the service goes on
            response = _bug(request)
        if request.method == "HEAD":
            response.body = b""
        return response


def _refused_or_bug(request: ApiRequest, exc: Exception) -> ApiResponse:
    """A client's filter, body or expand nested deeper than Python walks it, or a statement SQLite refuses for
    its size or depth, is the client's: PocketBase's generic 400. Any other database error is a bug of ours."""
    if isinstance(exc, RecursionError) or str(exc).startswith(_TOO_COMPLEX):
        return ApiError(400, GENERIC).response()
    return _bug(request)


def _bug(request: ApiRequest) -> ApiResponse:
    log.exception("API %s %s failed", request.method, request.path)
    return ApiError(500, GENERIC).response()
