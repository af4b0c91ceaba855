"""API rules: who may list, view, create, update and delete a collection's records, judged as PocketBase does.

A rule is a filter run in SQL by the data layer's filter engine (runtime.data.query) with the request's values
bound as parameters: `null` is superusers only (403), `""` anyone, anything else must match the record. A
record a rule hides is simply not found (404), so nobody learns that it exists. Superusers pass every rule. A
create rule is judged against the would-be record: its values become a one-row table under the collection's
name (a WITH clause) that the rule is run against, as the binary does.
"""
from __future__ import annotations

import secrets

from runtime.data.db import NotFoundError
from runtime.data.fields import to_column
from runtime.data.query import FilterError
from runtime.data.query.request import RequestInfo
from runtime.data.query.select import build_query
from runtime.data.query.dialect import Sql
from runtime.data.records import Record

from .exchange import ApiError, bad_request, forbidden, not_found

SUPERUSERS_ONLY = "Only superusers can perform this action."
MISSING_COLLECTION = "Missing collection context."
CONTEXT_DEFAULT, CONTEXT_EXPAND = "default", "expand"


def collection_of(call, key: str):
    """The collection and its record shape, or 404 `Missing collection context.`"""
    try:
        return call.store.read_collection(key)
    except NotFoundError:
        raise ApiError(404, MISSING_COLLECTION) from None


def superusers_only() -> ApiError:
    return forbidden(SUPERUSERS_ONLY)


def require_rule(call, rule: str | None) -> None:
    if rule is None and not call.is_superuser:
        raise superusers_only()


def request_info(call, body: dict | None = None, context: str = CONTEXT_DEFAULT) -> RequestInfo:
    """What `@request.*` reads: first query values, headers as `x_token`, the body, the auth record (every field)."""
    request = call.request
    query = {k: v[0] for k, v in request.args().items()}
    headers = {k.replace("-", "_"): v for k, v in request.headers.items()}
    info = RequestInfo(method=request.method, context=context, query=query, headers=headers, body=body or {})
    found = call.auth
    if found is not None:
        collection, record = found
        info.auth_collection = collection
        info.auth = auth_export(record)
    return info


def auth_export(record: Record) -> dict:
    """The auth record as the rules see it: every field, the email whatever its visibility."""
    from runtime.data import fields as F

    out = {"collectionId": record.collection.get("id", ""), "collectionName": record.collection.get("name", "")}
    for name, field in record.fields.items():
        if name not in ("password", "tokenKey"):
            out[name] = F.export(field, record.values[name])
    return out


def loader(call):
    return lambda key: call.store.read_collection(key)[0]


def select(call, collection, info: RequestInfo | None, **kwargs) -> tuple[str, list]:
    """build_query over the call's store; a filter the engine refuses is PocketBase's generic 400."""
    try:
        return build_query(collection, loader(call), request=info, **kwargs)
    except FilterError:
        raise bad_request() from None


def find_with_rule(call, collection, shape: dict, record_id: str, rule: str | None,
                   info: RequestInfo) -> Record:
    """The record `record_id` if the rule lets this request see it, else 404 (the same answer as a wrong id)."""
    applied = None if call.is_superuser or not rule else rule
    text, values = select(call, collection, info, rule=applied, record_id=record_id, limit=1)
    row = call.store.db.execute(text, values).fetchone()
    if row is None:
        raise not_found()
    return Record.from_row(shape, dict(row))


def matches(call, collection, info: RequestInfo, rule: str, record_id: str | None = None,
            values: dict | None = None, client: bool = False) -> bool:
    """Whether `rule` holds for a stored record, or for `values` (a would-be record) when given. With `client`,
    `rule` is a client's filter (a realtime subscription's): hidden fields refused but to superusers, joined
    collections' list rules applied, as a list request's `filter`; otherwise an API rule, every field resolvable."""
    d = '`'
    if values is not None:
        suffix = "__pb_create__" + secrets.token_hex(3)
        dummy = _renamed(collection, suffix)
        names = list(values)
        marks = ", ".join(f"? AS {d}{n.replace(d, d * 2)}{d}" for n in names)
        prefix = Sql(f"WITH {d}{dummy.name}{d} AS (SELECT {marks}) ", [values[n] for n in names])
        target, record_id = dummy, None
    else:
        prefix, target = None, collection
    try:
        text, params = build_query(target, loader(call), request=info, record_id=record_id, head="(1)", limit=1,
                                   prefix=prefix, **({"filter": rule, "allow_hidden": call.is_superuser} if client else {"rule": rule}))
    except FilterError:
        return False
    return call.store.db.execute(text, params).fetchone() is not None


def _renamed(collection, suffix: str):
    import dataclasses

    return dataclasses.replace(collection, name=collection.name + suffix, id=collection.id + suffix)


def dummy_values(record: Record) -> dict:
    """The would-be record's columns for a create rule: a temporary id when none is set, `verified` false."""
    values = {name: to_column(field, record.values[name]) for name, field in record.fields.items()}
    if not values.get("id"):
        values["id"] = "__temp_id____pb_create__" + secrets.token_hex(3)
    if record.is_auth() and "verified" in values:
        values["verified"] = False
    return values


def has_manage_access(call, collection, info: RequestInfo, record_id: str | None = None,
                      values: dict | None = None) -> bool:
    """An auth collection's manageRule grants changing others' email, password, verified (never when empty)."""
    rule = collection.options.get("manageRule") if collection.type == "auth" else None
    if not rule or info.auth is None:
        return False
    return matches(call, collection, info, rule, record_id=record_id, values=values)
