"""The auth mails: a token of one kind, put into the collection's own template, sent or logged.

Templates are the collection's options (`resetPasswordTemplate`, `verificationTemplate`,
`confirmEmailChangeTemplate`, `authAlert.emailTemplate`), filled as the binary fills them: `{APP_NAME}` and
`{APP_URL}` from the settings' `meta`, `{TOKEN}`, `{ALERT_INFO}`, and `{RECORD:field}` for each visible field
(HTML-escaped but for dates, booleans and numbers). The body goes out as HTML inside a plain page of
pagesvm's own; the sender is the settings' `meta.senderName` / `meta.senderAddress`. runtime.data.mailer
sends it over SMTP when the settings enable it, else writes it to the log.

The binary refuses to send the same record a second password reset or verification mail within two
minutes (answering 204 all the same); `recently_sent` keeps that memory per worker process.
"""
from __future__ import annotations

import html
import time

from runtime.data.mailer import send_mail
from runtime.data.settings import load_settings
from runtime.data.tokens import issue_record_token

RESEND_PAUSE = 120.0  # seconds
_UNESCAPED = frozenset({"autodate", "date", "bool", "number"})
_sent: dict = {}  # (kind, collection id, record id) -> monotonic time a mail may go again
_PAGE = ('<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n'
         '<meta name="viewport" content="width=device-width,initial-scale=1" />\n</head>\n<body>\n{}\n</body>\n</html>\n')


def recently_sent(kind: str, record, mark: bool = False) -> bool:
    """Whether a `kind` mail went to this record in the last two minutes; `mark` notes one going now."""
    key, now = (kind, record.collection.get("id"), record.id), time.monotonic()
    if mark:
        if len(_sent) > 10000:
            _sent.clear()
        _sent[key] = now + RESEND_PAUSE
        return False
    return _sent.get(key, 0.0) > now


def forget_sent(kind: str, record) -> None:
    _sent.pop((kind, record.collection.get("id"), record.id), None)


def _record_placeholders(record) -> dict:
    out = {}
    for name, field in record.fields.items():
        if field.get("hidden"):
            continue
        value = record.get_string(name)
        out["{RECORD:" + name + "}"] = value if field.get("type") in _UNESCAPED else html.escape(value)
    return out


def render(store, record, template: dict, **values) -> tuple[str, str]:
    """(subject, HTML body) of `template` for `record`; `values` fill `{TOKEN}`, `{ALERT_INFO}`…"""
    meta = load_settings(store).get("meta") or {}
    placeholders = {"{APP_NAME}": str(meta.get("appName") or ""), "{APP_URL}": str(meta.get("appURL") or "")}
    placeholders.update(_record_placeholders(record))
    placeholders.update(("{" + key + "}", str(value)) for key, value in values.items())
    subject, body = str(template.get("subject") or ""), str(template.get("body") or "")
    for key, value in placeholders.items():
        subject, body = subject.replace(key, value), body.replace(key, value)
    return subject, _PAGE.format(body)


def send_record_mail(store, record, template: dict, to: str, send=None, meta: dict | None = None, **values):
    """Render and send (through ``send(record, message, meta)``, the mail hooks' way, when given); None once
    sent (or logged), else why not: a text, or the ApiError a mail hook threw."""
    subject, body = render(store, record, template, **values)
    settings_meta = load_settings(store).get("meta") or {}
    message = {
        "from": {"name": str(settings_meta.get("senderName") or ""), "address": str(settings_meta.get("senderAddress") or "")},
        "to": [{"name": "", "address": to}], "bcc": [], "cc": [], "subject": subject, "html": body, "text": "",
        "headers": {},
    }
    if send is not None:
        return send(record, message, meta or {})
    return send_mail(store, message)


def send_password_reset(store, collection, record, send=None):
    token = issue_record_token(collection, record, "passwordReset", email=record.email())
    return send_record_mail(store, record, collection.options.get("resetPasswordTemplate") or {}, record.email(),
                            send, {"token": token}, TOKEN=token)


def send_verification(store, collection, record, send=None):
    token = issue_record_token(collection, record, "verification", email=record.email())
    return send_record_mail(store, record, collection.options.get("verificationTemplate") or {}, record.email(),
                            send, {"token": token}, TOKEN=token)


def send_email_change(store, collection, record, new_email: str, send=None):
    token = issue_record_token(collection, record, "emailChange", email=record.email(), newEmail=new_email)
    return send_record_mail(store, record, collection.options.get("confirmEmailChangeTemplate") or {}, new_email,
                            send, {"token": token, "newEmail": new_email}, TOKEN=token)
