"""Multi-factor sign-in (`mfa.enabled` on an auth collection), as PocketBase 0.40 asks for it.

The first method that succeeds (password, OTP) answers 401 `{mfaId}` and stores an `_mfas` record naming
the method; the second, a different one, sends that `mfaId` (query or body) and gets the usual answer, and
the MFA record is gone. A collection's `mfa.rule` (a filter on the record; "" for everyone) says who must.
Token refreshes and superuser-made tokens skip it (their method is "").
"""
from __future__ import annotations

from runtime.data.db import NotFoundError

from .auth_common import rule_allows
from .exchange import ApiError, bad_request

MFAS = "_mfas"
INVALID = "Invalid or expired MFA session."


def _given_id(call) -> str:
    mfa_id = call.request.arg("mfaId")
    if mfa_id:
        return mfa_id
    try:
        value = call.request.data().get("mfaId")
    except ApiError:
        raise bad_request("Failed to read MFA Id.") from None
    if isinstance(value, list) and value and isinstance(value[0], str):
        value = value[0]
    if value is not None and not isinstance(value, str):
        raise bad_request("Failed to read MFA Id.")
    return value or ""


def check_mfa(call, collection, record, method: str) -> str:
    """"" when the sign-in may complete; else the id of a new MFA session to answer 401 with."""
    options = collection.options.get("mfa") or {}
    if not options.get("enabled") or not method:
        return ""
    rule = options.get("rule") or ""
    if rule and not rule_allows(call, collection, record, rule):
        return ""
    mfa_id = _given_id(call)
    if not mfa_id:
        mfa = call.store.new_record(MFAS, {"collectionRef": collection.id, "recordRef": record.id, "method": method})
        call.store.save(mfa)
        return mfa.id
    from .auth_otp import expired  # the same clock rule as OTPs

    try:
        mfa = call.store.find_record_by_id(MFAS, mfa_id)
    except NotFoundError:
        raise bad_request(INVALID) from None
    if expired(mfa, float(options.get("duration") or 0)):
        call.store.delete(mfa)
        raise bad_request(INVALID)
    if mfa.get_string("recordRef") != record.id or mfa.get_string("collectionRef") != collection.id:
        raise bad_request("Invalid MFA session.")
    if mfa.get_string("method") == method:
        raise bad_request("A different authentication method is required.")
    call.store.delete(mfa)
    return ""
