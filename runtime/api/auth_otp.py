"""One-time passwords: `request-otp` and `auth-with-otp` of an auth collection, as PocketBase 0.40.

A request stores the code in the system `_otps` collection (bcrypt at the field's cost, next to the record
it signs in) and mails it with the collection's `otp.emailTemplate` (`{OTP}`, `{OTP_ID}`); once mailed the
OTP notes the address in `sentTo`, and a failure to send deletes it again (logged, never shown). An unknown
address answers a made-up id and stores nothing, so addresses cannot be enumerated. Past ten live OTPs a
record is handed its newest one again, without a mail.

Signing in checks id, collection, lifetime (`otp.duration`), then at most five tries per record and client
address every three minutes (429 after), then the code; every refusal is the same 400. A used OTP is
deleted. An OTP mailed to the record's own address verifies it, and (unless the collection asks for MFA)
gives it a new random password, which ends the record's other tokens and OTPs: whoever registered the
address before its owner signed in keeps nothing. The answer is auth-with-password's, MFA included.
"""
from __future__ import annotations

import datetime
import logging
import time

from runtime.data.auth_options import random_string
from runtime.data.db import NotFoundError, new_record_id

from . import mail_tokens
from .auth_common import (
    REQUIRED, auth_collection, auth_response, email_error, length_error, read_form, refuse_invalid,
)
from .auth_flows import find_by_email
from .auth_password import new_auth_token
from .exchange import ApiError, ApiResponse, bad_request, forbidden
from .router import ROUTES

OTPS = "_otps"
INVALID = "Invalid or expired OTP."
MAX_LIVE = 10  # live OTPs a record may have before its newest is handed out again
TRIES, WINDOW = 5, 180  # sign-in attempts per record and client address, per window of seconds
log = logging.getLogger("pagesvm.mail")
_tries: dict = {}  # (record id, client address) -> [tries left, monotonic time of the last one]


def _enabled(collection) -> dict:
    otp = collection.options.get("otp") or {}
    if not otp.get("enabled"):
        raise forbidden("The collection is not configured to allow OTP authentication.")
    return otp


def expired(record, seconds: float) -> bool:
    """Whether more than `seconds` went by since the `_otps`/`_mfas` record was created."""
    try:
        created = datetime.datetime.strptime(record.get_string("created"), "%Y-%m-%d %H:%M:%S.%fZ")
    except ValueError:
        return True  # no creation time: as old as Go's zero time
    return time.time() - created.replace(tzinfo=datetime.timezone.utc).timestamp() > seconds


def _records_otps(store, record) -> list:
    rows = store.db.execute(f"SELECT id FROM `{OTPS}` WHERE collectionRef = ? AND recordRef = ? "
                            "ORDER BY created DESC", (record.collection.get("id"), record.id)).fetchall()
    return [store.find_record_by_id(OTPS, row[0]) for row in rows]


def _reused(store, record, duration: float):
    """The record's newest OTP when it already has more than MAX_LIVE - 1 live ones, else None."""
    otps = _records_otps(store, record)
    live = sum(1 for otp in otps if not expired(otp, duration))
    return otps[0] if live >= MAX_LIVE else None


@ROUTES.route("POST", "/api/collections/{collection}/request-otp")
def request_otp(call, collection: str) -> ApiResponse:
    found = auth_collection(call, collection)
    options = _enabled(found)
    email = read_form(call, "email")["email"]
    refuse_invalid({"email": email_error(email)})
    record = find_by_email(call.store, found, email)
    code = random_string(int(options.get("length") or 0), "1234567890")

    def complete(event):  # after the onRecordRequestOTPRequest hooks, which may change e.password
        if record is None:
            return ApiResponse.json(200, {"otpId": new_record_id()})
        otp = _reused(call.store, record, float(options.get("duration") or 0))
        if otp is None:
            otp = _mailed_otp(call, found, record, str(event.get("password") or code), options)
        return ApiResponse.json(200, {"otpId": otp.id})
    return call.hooked("onRecordRequestOTPRequest", found, [record] if record is not None else [], complete,
                       {"event": {"password": code}})


def _mailed_otp(call, collection, record, code: str, options: dict):
    """A new OTP of ``code`` for ``record``, mailed (through the onMailerRecordOTPSend hooks when some exist);
    noted `sentTo` once mailed, deleted again when the mail failed."""
    otp = call.store.new_record(OTPS, {"collectionRef": collection.id, "recordRef": record.id})
    otp.set_password(code)
    call.store.save(otp)
    error = mail_tokens.send_record_mail(call.store, record, options.get("emailTemplate") or {}, record.email(),
                                         call.mailer("onMailerRecordOTPSend"), {"otpId": otp.id, "password": code},
                                         OTP=code, OTP_ID=otp.id)
    if error is not None:
        log.error("failed to send the OTP mail: %s", error)
        call.store.delete(otp)
    elif not otp.get_string("sentTo"):
        otp.set("sentTo", record.email())
        call.store.save(otp)
    return otp


def _may_try(call, record) -> bool:
    """Take one of the record's tries from this client (a fixed window, as the binary's rate limiter)."""
    key, now = (record.id, call.request.remote_ip), time.monotonic()
    window = _tries.get(key)
    if window is None or now - window[1] >= WINDOW:
        if len(_tries) > 10000:
            _tries.clear()
        window = _tries[key] = [TRIES, now]
    if window[0] <= 0:
        return False
    window[0] -= 1
    window[1] = now
    return True


def _checked(call, collection, otp_id: str, code: str):
    """(otp, record) when `code` is right for the live OTP `otp_id` of this collection."""
    try:
        otp = call.store.find_record_by_id(OTPS, otp_id)
    except NotFoundError:
        raise bad_request(INVALID) from None
    duration = float((collection.options.get("otp") or {}).get("duration") or 0)
    if otp.get_string("collectionRef") != collection.id or expired(otp, duration):
        raise bad_request(INVALID)
    try:
        record = call.store.find_record_by_id(collection.id, otp.get_string("recordRef"))
    except NotFoundError:
        raise bad_request(INVALID) from None
    if not _may_try(call, record):
        raise ApiError(429, "Too many attempts, please try again later with a new OTP.")
    if not otp.validate_password(code):
        raise bad_request(INVALID)
    return otp, record


@ROUTES.route("POST", "/api/collections/{collection}/auth-with-otp")
def auth_with_otp(call, collection: str) -> ApiResponse:
    found = auth_collection(call, collection)
    _enabled(found)
    form = read_form(call, "otpId", "password")
    refuse_invalid({"otpId": length_error(form["otpId"], 1, 255) if form["otpId"] else REQUIRED,
                    "password": length_error(form["password"], 1, 71) if form["password"] else REQUIRED})
    otp, record = _checked(call, found, form["otpId"], form["password"])
    return call.hooked("onRecordAuthWithOTPRequest", found, [record, otp],
                       lambda _event: _signed_in(call, found, otp, record), {"named": {"otp": 1}})


def _signed_in(call, found, otp, record) -> ApiResponse:
    """The used OTP deleted, the record maybe verified by it, and the auth answer."""
    sent_to = otp.get_string("sentTo")
    call.store.delete(otp)
    if not record.verified() and sent_to and record.email() == sent_to:
        record.set("verified", True)
        if not (found.options.get("mfa") or {}).get("enabled"):
            record.set_password(random_string(30))
            record.refresh_token_key()
        try:
            call.store.save(record, validate=False)
        except Exception:  # noqa: BLE001 - the binary logs it and signs the record in all the same
            logging.getLogger("pagesvm").exception("failed to mark %s verified after its OTP", record.id)
    return auth_response(call, found, record, new_auth_token(call, found, record), "otp")

