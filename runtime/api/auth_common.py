"""What every auth endpoint shares: the auth collection of the path, the small forms they read, the
record as an auth answer shows it, and the answer `{record, token}` after the collection's authRule.

Forms are validated as the binary's: every field checked, the failures answered together as 400 `An error
occurred while validating the submitted data.` with `data` keyed by field (in key order, as Go's JSON has
it); a body that is not an object of strings is 400 `An error occurred while loading the submitted data.`
"""
from __future__ import annotations

from runtime.data.db import NotFoundError
from runtime.data.validation import check_email

from . import rules
from .auth_origins import record_origin
from .exchange import ApiError, ApiResponse, bad_request, forbidden, not_found, unauthorized

SUPERUSERS = "_superusers"
LOADING = "An error occurred while loading the submitted data."
INVALID_FORM = "An error occurred while validating the submitted data."
NOT_ALLOWED = "The request doesn't satisfy the collection requirements to authenticate."
REQUIRED = {"code": "validation_required", "message": "Cannot be blank."}
INVALID_TOKEN = {"code": "validation_invalid_token", "message": "Invalid or expired token."}
OTHER_COLLECTION = {"code": "validation_token_collection_mismatch",
                    "message": "The provided token is for different auth collection."}
_NEVER_SHOWN = frozenset({"password", "tokenKey"})  # not even to a superuser about itself


def auth_collection(call, name: str):
    """The auth collection the path names; 404 as the binary's for an unknown or a non-auth one."""
    try:
        collection = call.store.find_collection_by_name_or_id(name)
    except NotFoundError:
        raise not_found("Missing or invalid collection context.") from None
    if collection.type != "auth":
        raise not_found("Missing or invalid auth collection context.")
    return collection


def read_form(call, *names: str) -> dict:
    """The named string fields of the body ('' when absent); anything but a string or null is a loading error."""
    try:
        data = call.request.data()
    except ApiError:
        raise bad_request(LOADING) from None
    form = {}
    for name in names:
        value = data.get(name)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            value = value[0]  # a form field sent twice: the first, as Go's form binding reads it
        if value is not None and not isinstance(value, str):
            raise bad_request(LOADING)
        form[name] = value or ""
    return form


def length_error(value: str, low: int, high: int) -> dict | None:
    if value and not low <= len(value) <= high:
        return {"code": "validation_length_out_of_range", "message": f"The length must be between {low} and {high}.",
                "params": {"max": high, "min": low}}
    return None


def text_error(value: str, high: int = 255) -> dict | None:
    """Required and at most `high` characters (Go's `Length` counts runes, as `len` counts code points)."""
    return length_error(value, 1, high) if value else REQUIRED


def email_error(value: str) -> dict | None:
    """Required, at most 255 characters, an address (ozzo's `is.EmailFormat`, as the email field checks it)."""
    if not value:
        return REQUIRED
    if check_email({}, value) is not None:
        return {"code": "validation_is_email", "message": "Must be a valid email address."}
    return length_error(value, 1, 255)


def refuse_invalid(errors: dict) -> None:
    """Raise the binary's validation answer when any field failed (None entries passed)."""
    failed = {name: errors[name] for name in sorted(errors) if errors[name] is not None}
    if failed:
        raise bad_request(INVALID_FORM, failed)


def require_auth(call, collection):
    """The signed-in record of this very collection (RequireSameCollectionContextAuth): 401 without one, 403
    when the token is another collection's."""
    found = call.auth
    if found is None:
        raise unauthorized("The request requires valid record authorization token.")
    if found[0].id != collection.id:
        raise forbidden(f"The request requires auth record from {found[0].name} collection.")
    return found[1]


def auth_record_json(collection, record, shown: dict | None = None) -> dict:
    """The record as an auth answer shows it: its email always (it is the caller's own), and for a superuser
    the hidden fields too but for the password hash and tokenKey; keys in order, as the binary's JSON.
    ``shown``: what onRecordEnrich hooks asked (export.py's shape: hidden ``h``, unhidden ``u``, custom data
    ``c``). (The records API shows other people's records its own way, through the view rules.)"""
    from runtime.data.fields import export

    out = record.public_export()
    if record.is_auth():
        out["email"] = record.email()
    for name, field in record.fields.items():
        if name in _NEVER_SHOWN:
            continue
        if (collection.name == SUPERUSERS and field.get("hidden")) or (shown is not None and name in shown["u"]):
            out[name] = export(field, record.values[name])
    if shown is not None:
        for name in shown["h"]:
            out.pop(name, None)
        if shown["c"]:
            out.update(record.custom)
    return dict(sorted(out.items()))


def rule_allows(call, collection, record, rule) -> bool:
    """Whether `rule` (an authRule) lets `record` in: null for superusers only, "" for anyone, else the rule must
    hold for the record, judged as the API's other rules are (rules.matches, `@request.*` read from this
    request); a broken rule matches nothing."""
    if rule is None:
        return call.is_superuser
    if rule == "":
        return True
    try:
        return rules.matches(call, collection, rules.request_info(call), rule, record_id=record.id)
    except Exception:  # noqa: BLE001 - a rule the database refuses lets no one in, as the binary's error
        return False


def auth_response(call, collection, record, token: str, method: str = "password", meta=None) -> ApiResponse:
    """`{record, token}` once the collection's authRule lets the record in (403 as the binary's otherwise),
    through the onRecordAuthRequest hooks (`e.token`, `e.meta`, `e.authMethod`): `meta` (OAuth2's), or one the
    hooks set, is answered."""
    if not rule_allows(call, collection, record, collection.options.get("authRule")):
        raise forbidden(NOT_ALLOWED)

    def complete(event):
        from .auth_mfa import check_mfa  # it asks rule_allows of this module

        chosen = str(event.get("authMethod", method) or "")  # a hook may change e.authMethod (or clear it)
        mfa_id = check_mfa(call, collection, record, chosen)
        if mfa_id:
            return ApiResponse.json(401, {"mfaId": mfa_id})
        call.enriched([record])  # the onRecordEnrich hooks, as the binary runs them on an auth answer's record
        if chosen and (collection.options.get("authAlert") or {}).get("enabled"):
            record_origin(call, collection, record)  # _authOrigins and the new-location mail
        shown = call.shown.get(id(record)) if call.shown else None
        answer = {"record": auth_record_json(collection, record, shown), "token": token}
        given = event.get("meta", meta)
        if given is not None:
            answer = {"meta": given, **answer}
        return ApiResponse.json(200, answer)
    return call.hooked("onRecordAuthRequest", collection, [record], complete,
                       {"event": {"token": token, "meta": meta, "authMethod": method}})
