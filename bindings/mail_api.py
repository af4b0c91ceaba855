"""`$app.newMailClient()`, `MailerMessage` and `$mails` for page (and hook) code (mail_api.js is the JavaScript half).

`newMailClient().send(message)` goes through runtime.data.mailer: over SMTP when the settings (`_params`,
`smtp.enabled`) say so, as the binary does, otherwise written to the server log (the binary would try a local
`sendmail`), so a development site shows what it would have sent.
"""
from __future__ import annotations

import os

from runtime.data.mailer import send_mail
from runtime.data.process import store_for

from .registry import Registry

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
MAIL_JS = FAMILY.js_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), "mail_api.js"))


def _send(ctx, message: dict):
    """{"ok": None} once sent (or logged), {"error": text} when it was refused or the SMTP server failed."""
    error = send_mail(store_for(ctx.data_dir), message)
    return {"ok": None} if error is None else {"error": error}


FAMILY.add("pv_mail.send", _send, hidden=True)
