"""The sign-in origins (`_authOrigins`) and the new-location alert mail, as PocketBase 0.40 keeps them.

When an auth collection's `authAlert.enabled` is on, every sign-in that names its method (password, OTP,
OAuth2; never an auth-refresh) is fingerprinted: the MD5 hex of the client's IP followed by its User-Agent
(cut to 200 bytes and `...`). A fingerprint the record has signed in from before is saved again (its
`updated` moves); a new one is added, and when the record already had some origins (so not on its first
sign-in, nor the first after a password change, which deletes them: runtime/data/store.py) and has an email,
the collection's `authAlert.emailTemplate` is mailed first with `{ALERT_INFO}` = `DATE - IP USER-AGENT`,
through the `onMailerRecordAuthAlertSend` hooks (`e.meta.info`). A record keeps at most five origins, the
least recently created dropped first. Any failure here (the mail's included, in which case the new origin is
not saved, as on the binary) is logged; the sign-in goes on.
"""
from __future__ import annotations

import hashlib
import logging

from markupsafe import escape

from runtime.data.db import now_stamp

from .mail_tokens import send_record_mail

MAX_ORIGINS = 5
ORIGINS = "_authOrigins"
log = logging.getLogger("pagesvm")


def fingerprint(ip: str, user_agent: str) -> tuple[str, str]:
    """(fingerprint, the user agent as the alert shows it): Go hashes and cuts the header's bytes (200 at most),
    which the HTTP layer decoded as Latin-1."""
    try:
        raw = user_agent.encode("latin-1")
    except UnicodeEncodeError:
        raw = user_agent.encode("utf-8", "surrogateescape")
    if len(raw) > 200:
        raw = raw[:200] + b"..."
    return hashlib.md5(ip.encode("utf-8") + raw).hexdigest(), raw.decode("utf-8", "replace")


def record_origin(call, collection, record) -> None:
    """Note this sign-in's origin for ``record`` (and mail the alert for a new one); never raises."""
    try:
        failed = _record_origin(call, collection, record)
    except Exception as exc:  # noqa: BLE001 - the binary logs a failed alert and answers the sign-in
        failed = str(exc) or type(exc).__name__
    if failed is not None:
        log.warning("failed to send the sign-in alert of %s: %s", record.id, failed)


def _record_origin(call, collection, record):
    store = call.store
    ip = call.request.remote_ip or ""
    mark, agent = fingerprint(ip, call.request.header("user-agent"))
    info = f"{now_stamp()} - {ip} {agent}"
    origins = store.find_records_by_filter(
        ORIGINS, "collectionRef = {:c} && recordRef = {:r}", sort="-created",
        params={"c": collection.id, "r": record.id})
    current = next((o for o in origins if o.get_string("fingerprint") == mark), None)
    if current is None:
        current = store.new_record(ORIGINS, {"collectionRef": collection.id, "recordRef": record.id,
                                            "fingerprint": mark})
        if origins and record.email():
            escaped = str(escape(info))  # Go's html.EscapeString writes the same five entities
            template = (collection.options.get("authAlert") or {}).get("emailTemplate") or {}
            failed = send_record_mail(store, record, template, record.email(),
                                      call.mailer("onMailerRecordAuthAlertSend"), {"info": escaped},
                                      ALERT_INFO=escaped)
            if failed is not None:
                return failed
        for old in origins[MAX_ORIGINS - 1:]:
            store.delete(old)
    store.save(current)
    return None
