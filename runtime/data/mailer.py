"""Mail out of pagesvm: over SMTP when the settings enable it, else written to the server log.

The settings (`_params`, `smtp`) decide as they do for the binary: `tls` true is implicit TLS, otherwise
STARTTLS when the server offers it, and PLAIN/LOGIN authentication when a username is set. Without SMTP the
binary falls back to a local `sendmail`; pagesvm logs the whole message instead (logger `pagesvm.mail`), so
a development site shows what it would have sent, and tests read the tokens of auth mails from there.
A message is a dict in the shape of PocketBase's `MailerMessage` JSON: `from`, `to`/`cc`/`bcc` ({name,
address} entries), `subject`, `text`, `html`, `headers`.
"""
from __future__ import annotations

import logging
from email.utils import formataddr
from typing import TYPE_CHECKING

from .settings import load_settings

if TYPE_CHECKING:
    from email.message import EmailMessage

SMTP_TIMEOUT = 30.0  # seconds; the request's --timeout stops a slower server anyway
log = logging.getLogger("pagesvm.mail")


def smtp_settings(store) -> dict:
    """The `smtp` object of the stored settings, secrets included (never shown to pages)."""
    smtp = load_settings(store).get("smtp")
    return smtp if isinstance(smtp, dict) else {}


def _address(entry) -> str:
    entry = entry if isinstance(entry, dict) else {}
    return formataddr((str(entry.get("name") or ""), str(entry.get("address") or "")))


def build(message: dict) -> EmailMessage:
    from email.message import EmailMessage  # with smtplib: loaded by the first mail, not by every worker

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


def readable(message: dict) -> str:
    """The message as a person reads it in the log: the headers, then the text and HTML bodies unencoded."""
    mail = build(message)
    head = "".join(f"{name}: {value}\n" for name, value in mail.items() if name.lower() != "content-type"
                   and not name.lower().startswith("mime"))
    bodies = [str(message.get(key) or "") for key in ("text", "html") if message.get(key)]
    return head + "\n" + "\n\n".join(bodies)


def send_mail(store, message: dict) -> str | None:
    """Send (or log) `message`; None once done, else the reason it was not (a refusal, an SMTP failure)."""
    if not (message.get("from") or {}).get("address"):
        return "mail: missing From address"
    recipients = [str(e.get("address")) for f in ("to", "cc", "bcc") for e in message.get(f) or () if e.get("address")]
    if not recipients:
        return "mail: no recipients"
    smtp = smtp_settings(store)
    if not smtp.get("enabled"):
        log.info("mail (SMTP is not enabled in the settings, so it is only logged) to %s:\n%s",
                 ", ".join(recipients), readable(message))
        return None
    mail = build(message)
    import smtplib
    import ssl

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
        return str(e)
    return None
