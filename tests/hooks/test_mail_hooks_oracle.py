"""Sign-in origins (`_authOrigins`), the new-location alert mail, `onMailerRecordAuthAlertSend` and `onMailerSend`
(for the REST API's auth mails and a hook's `$app.newMailClient().send`) against the real PocketBase 0.40.6:
tests/sites/mailhooks_project (a copy with an SMTP migration pointing both servers at one in-test sink) served
by the binary and by `pagesvm serve`; the same sign-ins (from several User-Agents) and mails sent to both, and
the answers, the origins each side keeps (fingerprints are MD5(IP + User-Agent): exact), what the hooks noted
and the mails the sink got compared, dates masked."""
import hashlib
import json
import os
import re

import pytest

from tests.helpers import SITES, masked, request
from tests.hooks.mail_oracle import on_both_with_mail, same_steps

PROJECT = os.path.join(SITES, "mailhooks_project")
PASSWORD = "password123"
_DATE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z")
LONG_AGENT = "Mozilla/5.0 " + "é" * 120  # over 200 bytes: cut there (mid-character) and "..."


class Steps:
    def __init__(self, host, port, sink):
        self.host, self.port, self.sink, self.out = host, port, sink, []

    def call(self, method, path, body=None, agent="agent-A", token=None, note=True):
        headers = {"Content-Type": "application/json", "User-Agent": agent, **({"Authorization": token} if token else {})}
        answer = request(self.host, self.port, method, path, json.dumps(body) if body is not None else None, headers)
        value = json.loads(answer.body) if answer.body else None
        if note:
            self.out.append((method, re.sub(r"/records/\w{15}$", "/records/<id>", path), agent[:20], answer.status,
                             masked(value)))
        return value

    def sign_in(self, email, agent, collection="members", password=PASSWORD):
        return self.call("POST", f"/api/collections/{collection}/auth-with-password",
                         {"identity": email, "password": password}, agent)

    def origins(self, email):
        self.out.append(("origins", email, self.call("GET", "/t/origins/" + email, note=False)))

    def store(self, key):
        self.out.append(("store", key, self.call("GET", "/t/store/" + key, note=False)["v"]))

    def mails(self, expected: int):
        got = self.sink.arrived(expected, 0.5)
        for rcpt, message in got:
            html = _html(message)
            inner = (html[html.find("<body>") + 6:html.rfind("</body>")] if "<body>" in html else html).strip()
            self.out.append(("mail", rcpt, str(message["Subject"]), str(message["From"]), _DATE.sub("<date>", inner)))


def _html(message) -> str:
    """The HTML part (the binary cuts a long User-Agent mid-character: its bytes are not UTF-8 then)."""
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode("utf-8", "replace")
    return ""


def _run(sink):
    def run(host, port):
        s = Steps(host, port, sink)
        for name in ("ann", "hush", "fail", "many"):
            s.call("POST", "/api/collections/members/records", {"email": f"{name}@example.com", "name": name.title(),
                                                                "password": PASSWORD, "passwordConfirm": PASSWORD})
        s.call("POST", "/api/collections/quiet/records", {"email": "q@example.com", "name": "Q",
                                                          "password": PASSWORD, "passwordConfirm": PASSWORD})
        ann = s.sign_in("ann@example.com", "agent-A")  # the first sign-in: an origin, no mail
        s.mails(0), s.origins("ann@example.com")
        s.sign_in("ann@example.com", "agent-A")  # known: saved again, no mail
        s.mails(0), s.origins("ann@example.com")
        s.sign_in("ann@example.com", "agent-B <x&y>")  # new: the alert
        s.mails(1), s.origins("ann@example.com"), s.store("alert"), s.store("send")
        s.call("POST", "/api/collections/members/auth-refresh", None, "agent-R", ann["token"])  # no method: nothing
        s.mails(0), s.origins("ann@example.com")
        s.sign_in("ann@example.com", LONG_AGENT)
        s.mails(1), s.origins("ann@example.com")
        s.sign_in("ann@example.com", "agent-A", password="wrong")
        s.mails(0), s.origins("ann@example.com")
        s.call("PATCH", "/api/collections/members/records/" + ann["record"]["id"],  # a new password forgets them
               {"oldPassword": PASSWORD, "password": "newpass123", "passwordConfirm": "newpass123"}, "agent-A", ann["token"])
        s.origins("ann@example.com")
        s.sign_in("ann@example.com", "agent-Z", password="newpass123")  # a first sign-in again
        s.mails(0), s.origins("ann@example.com")
        for agent in ("hush-1", "hush-2"):  # the alert hook ends the chain: no mail, the origin is kept
            s.sign_in("hush@example.com", agent)
        s.mails(0), s.origins("hush@example.com")
        for agent in ("fail-1", "fail-2"):  # the alert hook throws: logged, the new origin is not kept
            s.sign_in("fail@example.com", agent)
        s.mails(0), s.origins("fail@example.com")
        for k in range(7):  # at most five origins, the oldest dropped
            s.sign_in("many@example.com", f"many-{k}")
            s.mails(1 if k else 0)
            s.origins("many@example.com")
        s.sign_in("many@example.com", "many-6")
        s.mails(0), s.origins("many@example.com")
        for agent in ("q-1", "q-2"):  # authAlert off: no origins at all
            s.sign_in("q@example.com", agent, "quiet")
        s.mails(0), s.origins("q@example.com")
        s.store("alert")
        s.call("POST", "/api/collections/members/request-password-reset", {"email": "ann@example.com"})
        s.mails(1)
        for subject, to in (("plain", "x@example.com"), ("[drop] me", "x@example.com"), ("[throw] me", "x@example.com"),
                            ("moved", "redirect@example.com")):
            s.call("POST", "/t/mail", {"subject": subject, "to": to})
            s.mails(0 if subject.startswith("[") else 1)
        s.store("send")
        return s.out
    return run


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    return on_both_with_mail(PROJECT, "Mails", _run, tmp_path_factory)


def test_same_steps_as_pocketbase(answers):
    same_steps(answers)


def test_fingerprint_is_md5_of_ip_and_agent(answers):
    _theirs, ours = answers
    first = next(step for step in ours if step[0] == "origins" and step[1] == "ann@example.com")
    assert first[2][0][1] == hashlib.md5(b"127.0.0.1agent-A").hexdigest()
