"""The query half of `$app` (bindings/app_query.js): finds, counts, expands, raw SQL, settings, token look-ups.

A mixin of RecordSession (bindings/app_session.py): every method answers `{"ok": ...}` through its `answer`.
A list of records crosses in ONE reply (bindings/record_wire.py), which also holds every record the list's
expands reach (each once, however many records point at it) and, for each record expanded, its relation ->
`[multiple, [handle...]]`; a record JavaScript already holds unchanged is not sent again (an expand after a
find sends the related records and the links only). So `expandedOne`/`expandedAll`/`publicExport` in
JavaScript cost no further crossing. `$dbx` expressions arrive as plain data and become SQL in runtime.data.dbx.
"""
from __future__ import annotations

from runtime.data import finders, hs256
from runtime.data.expand import expand_records
from runtime.data.records import Record
from runtime.data.settings import load_settings
from runtime.data.tokens import TOKEN_OPTIONS

from .tokens import _unverified_claims

# Token type -> the collection option whose secret completes its HMAC key (as the binary's FindAuthRecordByToken).
_TOKEN_SECRETS = TOKEN_OPTIONS
# Settings the binary's JSON of `$app.settings()` leaves out (secrets); paths into the settings object.
_SECRETS = (("smtp", "password"), ("s3", "secret"), ("backups", "s3", "secret"))


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def read_settings(store) -> dict:
    """The `settings` row of `_params` over the defaults, without its secrets (what `$app.settings()` shows)."""
    settings = load_settings(store)
    for path in _SECRETS:
        holder = settings
        for key in path[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        if isinstance(holder, dict):
            holder.pop(path[-1], None)
    return settings


def _jwt_error(exc: Exception) -> str:
    if isinstance(exc, hs256.ExpiredError):
        return "token has invalid claims: token is expired"
    if isinstance(exc, hs256.BadSignatureError):
        return "token signature is invalid: signature is invalid"
    return f"token is malformed: {exc}"


def find_auth_record_by_token(store, token, types=()) -> Record:
    """The auth record a token of one of `types` (any type when empty) is valid for; errors as the binary's."""
    if not token:
        raise ValueError("missing token")
    try:
        claims = _unverified_claims(str(token))
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        raise ValueError(f"token is malformed: {exc}") from None
    claims = claims if isinstance(claims, dict) else {}
    record_id, collection_id, kind = (claims.get(k) for k in ("id", "collectionId", "type"))
    if not all(isinstance(v, str) and v for v in (record_id, collection_id, kind)):
        raise ValueError("missing or invalid token claims")
    if types and kind not in types:
        raise ValueError(f'invalid token type "{kind}", expects "{",".join(types)}"')
    record = store.find_record_by_id(collection_id, record_id)
    if record.collection.get("type") != "auth":
        raise ValueError("the token is not associated to an auth collection record")
    if kind not in _TOKEN_SECRETS:
        raise ValueError("unknown token type " + kind)
    collection = store.find_collection_by_name_or_id(collection_id)
    secret = str((collection.options.get(_TOKEN_SECRETS[kind]) or {}).get("secret") or "")
    if not secret or not record.token_key():
        raise ValueError("token signature is invalid: signature is invalid")
    try:
        hs256.decode(str(token), record.token_key() + secret, require=("exp",))
    except hs256.TokenError as exc:
        raise ValueError(_jwt_error(exc)) from None
    return record


class QueryMethods:
    """What app_query.js calls; `self` is a RecordSession (store, answer, _keep, _record, handles, wire)."""

    QUERY_METHODS = ("filter", "first", "count", "ids", "all", "by_data", "by_email", "by_token", "expand",
                     "query", "settings")

    # -- packing records for JavaScript ---------------------------------------------------------------------
    def _handle(self, record: Record) -> int:
        found = self.handles.get(id(record))
        return found if found is not None else self._keep(record)

    def _pack(self, roots) -> dict:
        """The reply for `roots`, with what their expands reach (bindings/record_wire.py)."""
        return self.wire.pack(self._handle, roots, self.base, self.handles)

    def _one(self, record: Record) -> dict:
        return self._view(self._handle(record), record)

    # -- what JavaScript calls ------------------------------------------------------------------------------
    def filter(self, collection, text, sort="", limit=0, offset=0, params=None) -> dict:
        return self.answer(lambda: self._pack(self._keep_found(self.store.find_records_by_filter(
            str(collection), str(text or ""), str(sort or ""), _int(limit), _int(offset),
            params if isinstance(params, dict) else None))))

    def first(self, collection, text, params=None) -> dict:
        return self.answer(lambda: self._one(self.store.find_first_record_by_filter(
            str(collection), str(text or ""), params if isinstance(params, dict) else None)))

    def count(self, collection, exprs=()) -> dict:
        return self.answer(finders.count_records, self.store, collection, exprs or ())

    def ids(self, collection, ids, exprs=()) -> dict:
        return self.answer(lambda: self._pack(self._keep_found(finders.find_records_by_ids(
            self.store, collection, list(ids or []), exprs or ()))))

    def all(self, collection, exprs=()) -> dict:
        return self.answer(lambda: self._pack(self._keep_found(finders.find_all_records(self.store, collection,
                                                                                        exprs or ()))))

    def by_data(self, collection, key, value) -> dict:
        return self.answer(lambda: self._one(finders.find_first_record_by_data(self.store, collection, key, value)))

    def by_email(self, collection, email) -> dict:
        return self.answer(lambda: self._one(finders.find_auth_record_by_email(self.store, collection, email)))

    def by_token(self, token, types=()) -> dict:
        return self.answer(lambda: self._one(find_auth_record_by_token(self.store, token,
                                                                       [str(t) for t in types or ()])))

    def expand(self, refs, paths) -> dict:
        """Expand the records `refs` name (pending sets applied first); their new tables and the failed paths."""
        def work():
            held = self.records.get  # a bare handle (no pending sets) is looked up in place
            records = [(ref.__class__ is int and held(ref)) or self._record(ref)[1] for ref in refs or []]
            failed = expand_records(self.store, records, [str(p) for p in paths or []]) if records else {}
            return {**self._pack(records), "f": failed}
        return self.answer(work)

    def query(self, sql, params, mode) -> dict:
        return self.answer(finders.raw_query, self.store, str(sql), params if isinstance(params, dict) else {},
                           str(mode))

    def settings(self) -> dict:
        return self.answer(read_settings, self.store)

