"""Signing in: `auth-with-password`, `auth-refresh` and `auth-methods` of an auth collection, as PocketBase 0.40.

A sign-in looks the identity up in the collection's `passwordAuth.identityFields` (email first, and only when
the identity looks like an address), each through its single-column unique index, ignoring case only when
that index says COLLATE NOCASE (the binary's rule; the default users index does not). Unknown identity and
wrong password are one answer, 400 `Failed to authenticate.`, and an unknown identity still pays a bcrypt
check. `_superusers` signs in the same way; its token makes `call.is_superuser` true.
"""
from __future__ import annotations

from runtime.data.ddl import parse_index, quote
from runtime.data.records import Record
from runtime.data.tokens import auth_duration, issue_token, unverified_claims

from .auth_common import (
    auth_collection, auth_response, email_error, length_error, read_form, refuse_invalid, require_auth, text_error,
)
from .exchange import ApiResponse, bad_request, forbidden
from .router import ROUTES

FAILED = "Failed to authenticate."


def identity_fields(collection) -> list:
    return list((collection.options.get("passwordAuth") or {}).get("identityFields") or [])


def unique_column(collection, field: str):
    """(found, nocase) for the single-column unique index on `field`."""
    for sql in collection.indexes:
        index = parse_index(sql)
        if index and index["unique"] and len(index["columns"]) == 1:
            column = index["columns"][0]
            if column.split(" ")[0] == quote(field):
                return True, "COLLATE NOCASE" in column.upper()
    return False, False


def find_by_identity(store, collection, field: str, value: str):
    """The record whose `field` is `value`, or None (also when the field has no unique index)."""
    found, nocase = unique_column(collection, field)
    if not found or field not in identity_fields(collection):
        return None
    collate = " COLLATE NOCASE" if nocase else ""
    row = store.db.execute(f"SELECT * FROM {quote(collection.name)} WHERE {quote(field)} = ?{collate} LIMIT 1",
                           (value,)).fetchone()
    return Record.from_row(collection.to_api(with_secrets=True), dict(row)) if row is not None else None


def _dummy_check(store, collection) -> None:
    """A bcrypt comparison at the collection's cost, so an unknown identity answers as slowly as a known one."""
    row = store.db.execute(f"SELECT * FROM {quote(collection.name)} LIMIT 1").fetchone()
    if row is not None:
        Record.from_row(collection.to_api(with_secrets=True), dict(row)).validate_password("")


def new_auth_token(call, collection, record) -> str:
    return issue_token(collection, record.id, record.token_key(), auth_duration(collection, call.options.get("auth_ttl")))


@ROUTES.route("POST", "/api/collections/{collection}/auth-with-password")
def auth_with_password(call, collection: str) -> ApiResponse:
    found = auth_collection(call, collection)
    if not (found.options.get("passwordAuth") or {}).get("enabled"):
        raise forbidden("The collection is not configured to allow password authentication.")
    form = read_form(call, "identity", "password", "identityField")
    fields = identity_fields(found)
    field = form["identityField"]
    refuse_invalid({
        "identity": text_error(form["identity"]),
        "password": text_error(form["password"]),
        "identityField": length_error(field, 1, 255) or (
            {"code": "validation_in_invalid", "message": "Must be a valid value."} if field and field not in fields
            else None),
    })
    record = None
    if field:
        record = find_by_identity(call.store, found, field, form["identity"])
    else:
        for name in sorted(fields, key=lambda f: f != "email"):  # email first, as the binary
            if name == "email" and email_error(form["identity"]) is not None:
                continue
            record = find_by_identity(call.store, found, name, form["identity"])
            if record is not None:
                break
    def complete(_event):  # after the onRecordAuthWithPasswordRequest hooks (e.record null when none matched)
        if record is None:
            _dummy_check(call.store, found)
            raise bad_request(FAILED)
        if not record.validate_password(form["password"]):
            raise bad_request(FAILED)
        return auth_response(call, found, record, new_auth_token(call, found, record))
    event = {"identity": form["identity"], "password": form["password"], "identityField": field}
    return call.hooked("onRecordAuthWithPasswordRequest", found, [record] if record is not None else [], complete,
                       {"event": event})


@ROUTES.route("POST", "/api/collections/{collection}/auth-refresh")
def auth_refresh(call, collection: str) -> ApiResponse:
    """A new token for the signed-in record (the same one back when the token says it is not refreshable)."""
    found = auth_collection(call, collection)
    record = require_auth(call, found)
    token = call.request.header("authorization").strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    if unverified_claims(token).get("refreshable") is True:
        token = new_auth_token(call, found, record)
    return call.hooked("onRecordAuthRefreshRequest", found, [record],
                       lambda _event: auth_response(call, found, record, token, ""))


@ROUTES.route("GET", "/api/collections/{collection}/auth-methods")
def auth_methods(call, collection: str) -> ApiResponse:
    """What the sign-in page may offer (OAuth2's providers with fresh states and PKCE verifiers)."""
    from .auth_oauth2 import providers_info

    found = auth_collection(call, collection)
    options = found.options
    enabled = bool((options.get("passwordAuth") or {}).get("enabled"))
    fields = identity_fields(found) if enabled else []
    mfa, otp = options.get("mfa") or {}, options.get("otp") or {}
    oauth2 = providers_info(found)
    return ApiResponse.json(200, top_fields(call, {
        "password": {"identityFields": fields, "enabled": enabled},
        "oauth2": oauth2,
        "mfa": {"enabled": bool(mfa.get("enabled")), "duration": int(mfa.get("duration") or 0) if mfa.get("enabled") else 0},
        "otp": {"enabled": bool(otp.get("enabled")), "duration": int(otp.get("duration") or 0) if otp.get("enabled") else 0},
        "authProviders": [{**p, "logo": ""} for p in oauth2["providers"]],
        "usernamePassword": enabled and "username" in fields,
        "emailPassword": enabled and "email" in fields,
    }))


def top_fields(call, answer: dict) -> dict:
    """`?fields=a,b` on a plain answer: only those top-level keys (the SDK's listAuthMethods asks
    `mfa,otp,password,oauth2`). Records have their own, deeper `fields` in the records API."""
    wanted = [name.strip() for name in call.request.arg("fields").split(",") if name.strip()]
    if not wanted or "*" in wanted:
        return answer
    return {key: value for key, value in answer.items() if key in wanted}

