"""The mailed auth flows: password reset, verification and email change, requested and confirmed.

Requests answer 204 whether or not the address is known (the binary's guard against enumerating
emails); the mail carries a token of its own kind (runtime.data.tokens) that the confirm endpoint checks
for kind, signature, lifetime and collection. A new password changes the record's tokenKey, which ends
every token issued before, auth tokens included. Mail is synchronous here (the binary sends password
reset and verification mails in the background); a failure to send is logged, never shown.
"""
from __future__ import annotations

import logging

from runtime.data import finders
from runtime.data.auth_options import random_string
from runtime.data.db import NotFoundError
from runtime.data.tokens import unverified_claims, verify_token
from runtime.data.validation import ValidationError

from . import mail_tokens
from .auth_common import (
    INVALID_TOKEN, OTHER_COLLECTION, REQUIRED, SUPERUSERS, auth_collection, email_error, length_error, read_form,
    refuse_invalid, require_auth, text_error,
)
from .exchange import ApiError, ApiResponse, bad_request
from .router import ROUTES

log = logging.getLogger("pagesvm.mail")
_BASE = "/api/collections/{collection}/"


def find_by_email(store, collection, email: str):
    try:
        return finders.find_auth_record_by_email(store, collection.name, email)
    except (NotFoundError, ValueError):
        return None


def _claims(token: str) -> dict:
    try:
        claims = unverified_claims(token)
    except (ValueError, IndexError, UnicodeDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _token_record(call, collection, token: str, kind: str):
    """(record, error): the record a `kind` token is valid for in this collection, or the form error."""
    found = verify_token(token, call.store, kind)
    if found is None:
        return None, INVALID_TOKEN
    if found[0].id != collection.id:
        return None, OTHER_COLLECTION
    return found[1], None


def _save(call, record, message: str) -> None:
    try:
        call.save(record)
    except ValidationError as e:
        raise bad_request(message, e.data()) from None
    except ValueError:  # a record hook threw (an ApiError it threw is answered as it is)
        raise bad_request(message) from None


def _not_superusers(collection, message: str) -> None:
    if collection.name == SUPERUSERS:
        raise bad_request(message)


def _requested(call, collection):
    """The record the body's `email` names (validated as the binary's), or None for an unknown address."""
    email = read_form(call, "email")["email"]
    refuse_invalid({"email": email_error(email)})
    return find_by_email(call.store, collection, email)


def _confirmed(kind: str, record) -> ApiResponse:
    """204, and the record may be sent a `kind` mail again at once (the binary forgets its pause too)."""
    mail_tokens.forget_sent(kind, record)
    return ApiResponse.empty(204)


def _mailed(kind: str, error) -> None:
    if error is not None:
        log.error("failed to send the %s mail: %s", kind, error)


@ROUTES.route("POST", _BASE + "request-password-reset")
def request_password_reset(call, collection: str) -> ApiResponse:
    found = auth_collection(call, collection)
    if not (found.options.get("passwordAuth") or {}).get("enabled"):
        raise bad_request("The collection is not configured to allow password authentication.")
    record = _requested(call, found)
    if record is None or mail_tokens.recently_sent("passwordReset", record):
        return ApiResponse.empty(204)

    def complete(_event):
        error = mail_tokens.send_password_reset(call.store, found, record,
                                                call.mailer("onMailerRecordPasswordResetSend"))
        _mailed("password reset", error)
        if error is None:
            mail_tokens.recently_sent("passwordReset", record, mark=True)
        return ApiResponse.empty(204)
    return call.hooked("onRecordRequestPasswordResetRequest", found, [record], complete)


@ROUTES.route("POST", _BASE + "confirm-password-reset")
def confirm_password_reset(call, collection: str) -> ApiResponse:
    found = auth_collection(call, collection)
    form = read_form(call, "token", "password", "passwordConfirm")
    field = found.field("password") or {}
    low = int(field.get("min") or 0) or 1
    record, token_error = _token_record(call, found, form["token"], "passwordReset") if form["token"] else (None, None)
    confirm = form["passwordConfirm"]
    refuse_invalid({
        "token": token_error if form["token"] else REQUIRED,
        "password": length_error(form["password"], low, 255) if form["password"] else REQUIRED,
        "passwordConfirm": REQUIRED if not confirm else (
            {"code": "validation_values_mismatch", "message": "Values don't match."} if confirm != form["password"]
            else None),
    })

    def complete(_event):
        record.set_password(form["password"])
        if not record.verified() and _claims(form["token"]).get("email") == record.email():
            record.set("verified", True)  # the mail reached its owner: the address is verified too
        _save(call, record, "Failed to set new password.")
        return _confirmed("passwordReset", record)
    return call.hooked("onRecordConfirmPasswordResetRequest", found, [record], complete)


@ROUTES.route("POST", _BASE + "request-verification")
def request_verification(call, collection: str) -> ApiResponse:
    found = auth_collection(call, collection)
    _not_superusers(found, "All superusers are verified by default.")
    record = _requested(call, found)
    if record is None or (not record.verified() and mail_tokens.recently_sent("verification", record)):
        return ApiResponse.empty(204)

    def complete(_event):
        if not record.verified():
            _mailed("verification", mail_tokens.send_verification(call.store, found, record,
                                                                  call.mailer("onMailerRecordVerificationSend")))
            mail_tokens.recently_sent("verification", record, mark=True)
        return ApiResponse.empty(204)
    return call.hooked("onRecordRequestVerificationRequest", found, [record], complete)


@ROUTES.route("POST", _BASE + "confirm-verification")
def confirm_verification(call, collection: str) -> ApiResponse:
    found = auth_collection(call, collection)
    _not_superusers(found, "All superusers are verified by default.")
    token = read_form(call, "token")["token"]
    record, error = None, REQUIRED
    if token:
        email = str(_claims(token).get("email") or "")
        record, error = _token_record(call, found, token, "verification") if email else (
            None, {"code": "validation_invalid_token_claims", "message": "Missing email token claim."})
        if record is not None and record.email() != email:
            record, error = None, {"code": "validation_token_email_mismatch",
                                   "message": "The record email doesn't match with the requested token claims."}
    refuse_invalid({"token": error})
    was_verified = record.verified()

    def complete(_event):
        if not was_verified:
            record.set("verified", True)
            if not (found.options.get("passwordAuth") or {}).get("enabled"):
                record.set_password(random_string(30))  # as the binary: no password set before verification survives
            _save(call, record, "An error occurred while saving the verified state.")
        return _confirmed("verification", record)
    return call.hooked("onRecordConfirmVerificationRequest", found, [record], complete)


@ROUTES.route("POST", _BASE + "request-email-change")
def request_email_change(call, collection: str) -> ApiResponse:
    found = auth_collection(call, collection)
    record = require_auth(call, found)
    _not_superusers(found, "All superusers can change their emails directly.")
    new_email = read_form(call, "newEmail")["newEmail"]
    error = email_error(new_email)
    if error is None and new_email == record.email():
        error = {"code": "validation_not_in_invalid", "message": "Must not be in list."}
    if error is None:
        other = find_by_email(call.store, found, new_email)
        if other is not None and other.id != record.id:
            error = {"code": "validation_invalid_new_email", "message": "Invalid new email address."}
    refuse_invalid({"newEmail": error})

    def complete(event):
        failed = mail_tokens.send_email_change(call.store, found, record, str(event.get("newEmail") or new_email),
                                               call.mailer("onMailerRecordEmailChangeSend"))
        if isinstance(failed, ApiError):
            raise failed
        if failed is not None:
            raise bad_request("Failed to request email change.")
        return ApiResponse.empty(204)
    return call.hooked("onRecordRequestEmailChangeRequest", found, [record], complete,
                       {"event": {"newEmail": new_email}})


def _email_change(call, collection, token: str):
    """(record, new email, error) of an email change token, checked as the binary checks it."""
    new_email = _claims(token).get("newEmail")
    if not isinstance(new_email, str) or not new_email:
        return None, "", {"code": "validation_invalid_token_payload",
                          "message": "Invalid token payload - newEmail must be set."}
    record, error = _token_record(call, collection, token, "emailChange")
    if error is None and find_by_email(call.store, collection, new_email) is not None:
        record, error = None, {"code": "validation_invalid_token_email", "message": "The new email address is invalid."}
    return record, new_email, error


@ROUTES.route("POST", _BASE + "confirm-email-change")
def confirm_email_change(call, collection: str) -> ApiResponse:
    found = auth_collection(call, collection)
    _not_superusers(found, "All superusers can change their emails directly.")
    form = read_form(call, "token", "password")
    record, new_email, token_error = _email_change(call, found, form["token"]) if form["token"] else (None, "", REQUIRED)
    password_error = text_error(form["password"], 100)
    if password_error is None and (record is None or not record.validate_password(form["password"])):
        password_error = {"code": "validation_invalid_password", "message": "Missing or invalid auth record password."}
    refuse_invalid({"token": token_error, "password": password_error})

    def complete(event):
        record.set_email(str(event.get("newEmail") or new_email))
        record.set("verified", True)
        _save(call, record, "Failed to confirm email change.")
        return ApiResponse.empty(204)
    return call.hooked("onRecordConfirmEmailChangeRequest", found, [record], complete,
                       {"event": {"newEmail": new_email}})
