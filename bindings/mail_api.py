"""`$app.newMailClient()`, `MailerMessage` and `$mails` for page (and hook) code (mail_api.js is the JavaScript half).

`newMailClient().send(message)` sends with Python's smtplib when the settings (`_params`, `smtp.enabled`) say so,
as the binary does (`tls` true: implicit TLS; otherwise STARTTLS when the server offers it; PLAIN/LOGIN
authentication when a username is set). Without SMTP the binary falls back to a local `sendmail`; pagesvm writes
the message to the server log instead, so a development site shows what it would have sent.
"""
from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr

from runtime.data.process import store_for

from .registry import Registry

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
MAIL_JS = FAMILY.js_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), "mail_api.js"))
SMTP_TIMEOUT = 30.0  # seconds; the request's --timeout stops a slower server anyway
log = logging.getLogger("pagesvm.mail")


def smtp_settings(data_dir: str) -> dict:
    """The `smtp` object of the stored settings, secrets included (never shown to pages)."""
    row = store_for(data_dir).db.execute("SELECT value FROM _params WHERE id = 'settings'").fetchone()
    try:
        stored = json.loads(row[0]) if row is not None and row[0] else {}
    except (ValueError, UnicodeDecodeError):
        stored = {}
    smtp = stored.get("smtp") if isinstance(stored, dict) else None
    return smtp if isinstance(smtp, dict) else {}


def _address(entry) -> str:
    entry = entry if isinstance(entry, dict) else {}
    return formataddr((str(entry.get("name") or ""), str(entry.get("address") or "")))


def build(message: dict) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = _address(message.get("from"))
    for field, header in (("to", "To"), ("cc", "Cc")):
        if message.get(field):
            mail[header] = ", ".join(_address(e) for e in message[field])
    mail["Subject"] = str(message.get("subject") or "")
    for name, value in (message.get("headers") or {}).items():
        mail[str(name)] = str(value)
    text, html = str(message.get("text") or ""), str(message.get("html") or "")
    mail.set_content(text or " ")
    if html:
        mail.add_alternative(html, subtype="html")
    return mail


def _send(ctx, message: dict):
    """{"ok": None} once sent (or logged), {"error": text} when the SMTP server refused it."""
    if not (message.get("from") or {}).get("address"):
        return {"error": "mail: missing From address"}
    recipients = [str(e.get("address")) for f in ("to", "cc", "bcc") for e in message.get(f) or () if e.get("address")]
    if not recipients:
        return {"error": "mail: no recipients"}
    mail = build(message)
    smtp = smtp_settings(ctx.data_dir)
    if not smtp.get("enabled"):
        log.info("mail (SMTP is not enabled in the settings, so it is only logged) to %s:\n%s", ", ".join(recipients), mail)
        return {"ok": None}
    host, port = str(smtp.get("host") or ""), int(smtp.get("port") or 25)
    try:
        if smtp.get("tls"):
            client = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, local_hostname=smtp.get("localName") or None, timeout=SMTP_TIMEOUT)
        with client:
            client.ehlo()
            if not smtp.get("tls") and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if smtp.get("username"):
                client.login(str(smtp["username"]), str(smtp.get("password") or ""))
            client.send_message(mail, to_addrs=recipients)
    except (smtplib.SMTPException, OSError) as e:
        return {"error": str(e)}
    return {"ok": None}


FAMILY.add("pv_mail.send", _send, hidden=True)
