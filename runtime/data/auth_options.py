"""The options of an auth collection, in the order and with the defaults PocketBase 0.40 stores.

Each token secret is 50 random characters from [a-zA-Z0-9], generated fresh for every collection
(and so for every data.db), as the binary does: a token signed for one file never verifies on
another. The e-mail templates are the binary's default texts, byte for byte, because the options
JSON is compared exactly against a data.db the binary made.
"""
from __future__ import annotations

import secrets
import string

_ALNUM = string.ascii_letters + string.digits
TOKEN_KINDS = (  # option key, lifetime in seconds (the superusers' auth token lives one day)
    ("authToken", 432000), ("passwordResetToken", 1800), ("emailChangeToken", 1800),
    ("verificationToken", 86400), ("fileToken", 180),
)
_SIGN_OFF = "<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>"


def random_string(length: int, alphabet: str = _ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _mail(subject: str, *paragraphs: str) -> dict:
    return {"subject": subject, "body": "\n".join(("<p>Hello,</p>",) + paragraphs + (_SIGN_OFF,))}


def _button(path: str, label: str) -> str:
    return (f'<p>\n  <a class="btn" href="{{APP_URL}}/_/#/auth/{path}/{{TOKEN}}" target="_blank" '
            f'rel="noopener">{label}</a>\n</p>')


def _templates() -> dict:
    return {
        "verificationTemplate": _mail(
            "Verify your {APP_NAME} email",
            "<p>Thank you for joining us at {APP_NAME}.</p>",
            "<p>Click on the button below to verify your email address.</p>",
            _button("confirm-verification", "Verify"),
            "<p><i>If you didn't recently register, please ignore this email.</i></p>"),
        "resetPasswordTemplate": _mail(
            "Reset your {APP_NAME} password",
            "<p>Click on the button below to reset your password.</p>",
            _button("confirm-password-reset", "Reset password"),
            "<p><i>If you didn't ask to reset your password, please ignore this email.</i></p>"),
        "confirmEmailChangeTemplate": _mail(
            "Confirm your {APP_NAME} new email address",
            "<p>Click on the button below to confirm your new email address.</p>",
            _button("confirm-email-change", "Confirm new email"),
            "<p><i>If you didn't ask to change your email address, please ignore this email.</i></p>"),
    }


def default_auth_options(auth_duration: int = 432000, mapped: dict | None = None) -> dict:
    """A new auth collection's options with fresh secrets (`mapped`: its oauth2 mapped fields)."""
    alert = _mail(
        "Login from a new location",
        "<p>We noticed a login to your {APP_NAME} account from a new location:</p>",
        "<p><em>{ALERT_INFO}</em></p>",
        "<p><strong>If this wasn't you, you should immediately change your {APP_NAME} account "
        "password to revoke access from all other locations.</strong></p>",
        "<p>If this was you, you may disregard this email.</p>")
    otp = _mail(
        "OTP for {APP_NAME}",
        "<p>Your one-time password is: <strong>{OTP}</strong></p>",
        "<p><i>If you didn't ask for the one-time password, you can ignore this email.</i></p>")
    options: dict = {
        "authRule": "",
        "manageRule": None,
        "authAlert": {"enabled": True, "emailTemplate": alert},
        "oauth2": {"providers": [],
                   "mappedFields": {"id": "", "name": "", "username": "", "avatarURL": "", **(mapped or {})},
                   "enabled": False},
        "passwordAuth": {"enabled": True, "identityFields": ["email"]},
        "mfa": {"enabled": False, "duration": 600, "rule": ""},
        "otp": {"enabled": False, "duration": 180, "length": 8, "emailTemplate": otp},
    }
    for key, duration in TOKEN_KINDS:
        options[key] = {"secret": random_string(50),
                        "duration": auth_duration if key == "authToken" else duration}
    options.update(_templates())
    return options


def complete_auth_options(given: dict, current: dict | None = None) -> dict:
    """`given` over `current` (a saved collection's options) or the defaults, one level deep, in the
    binary's key order; a secret left out keeps the current one, or is made."""
    options = default_auth_options()
    for key, value in (current or {}).items():
        options[key] = {**options[key], **value} if isinstance(value, dict) and key in options else value
    for key, value in given.items():
        if isinstance(value, dict) and isinstance(options.get(key), dict):
            merged = {**options[key], **value}
            if "secret" in options[key] and not merged.get("secret"):
                merged["secret"] = options[key]["secret"]
            options[key] = merged
        else:
            options[key] = value
    return options
