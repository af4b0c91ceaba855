"""The auth flows' request hooks, the auth mails' hooks, a hook error's `data` and a delete's cascades firing
hooks of other collections, against the real PocketBase 0.40.6: tests/sites/authhooks_project (a copy with an
SMTP migration of the test's own, pointing both servers at one in-test sink) served by the binary and by
`pagesvm serve`; the same steps sent to both, answers (ids, tokens, times masked), what each hook noted in
`$app.store()` and the mails the sink got (recipients, subject, HTML without tokens) compared."""
import json
import os
import re

import pytest

from tests.api.test_auth_oracle import _html
from tests.helpers import SITES, masked, request
from tests.hooks.mail_oracle import on_both_with_mail, same_steps

PROJECT = os.path.join(SITES, "authhooks_project")
ACC = "/api/collections/accounts"
PASSWORD = "password123"
PEOPLE = ("ann", "blocked", "quiet", "stop", "nomail", "fixed", "bob")
SHAPES = ("fields", "text", "number", "nested", "deep", "extra", "list", "str", "none", "empty", "mixed")
_KEEP = ("post00000000001", "post00000000002", "comm00000000001", "comm00000000002", "comm00000000003",
         "tags00000000001")
_TOKEN = re.compile(r"\b(ey[\w-]+\.[\w-]+\.[\w-]+)")


class Steps:
    """One server's run: every answer, store note and mail in order, for comparing."""

    def __init__(self, host, port, sink):
        self.host, self.port, self.sink, self.out = host, port, sink, []

    def call(self, method, path, body=None, token=None, note=True):
        headers = {"Content-Type": "application/json", **({"Authorization": token} if token else {})}
        answer = request(self.host, self.port, method, path, json.dumps(body) if body is not None else None, headers)
        value = json.loads(answer.body) if answer.body else None
        if note:
            shown = {**value, "otpId": "<otpId>"} if isinstance(value, dict) and "otpId" in value else value
            self.out.append((method, path, answer.status, masked(shown, _KEEP)))
        return value

    def store(self, key):
        self.out.append(("store", key, self.call("GET", "/t/store/" + key, note=False)["v"]))

    def mails(self, expected: int) -> list:
        """The mails that arrived (waiting for ``expected`` of them; a short while when none are)."""
        got = self.sink.arrived(expected, 0.4)
        tokens = []
        for rcpt, message in got:
            html = _html(message)
            tokens += _TOKEN.findall(html)
            inner = html[html.find("<body>") + 6:html.rfind("</body>")].strip()  # each side's own page around it
            self.out.append(("mail", rcpt, str(message["Subject"]), _TOKEN.sub("<token>", inner)))
        return tokens


def _run(sink):
    def run(host, port):
        s = Steps(host, port, sink)
        for name in PEOPLE:
            s.call("POST", ACC + "/records", {"email": f"{name}@example.com", "name": name.title(),
                                              "password": PASSWORD, "passwordConfirm": PASSWORD})
        s.call("POST", ACC + "/request-password-reset", {"email": "ann@example.com"})
        reset, = s.mails(1)
        s.store("reset-request"), s.store("mail-reset")
        for who in ("blocked", "quiet", "nobody"):
            s.call("POST", ACC + "/request-password-reset", {"email": f"{who}@example.com"})
            s.mails(0)
            s.store("reset-request")
        s.call("POST", ACC + "/confirm-password-reset", {"token": reset, "password": "newpass123",
                                                         "passwordConfirm": "newpass123"})
        s.store("reset-confirm")
        ann = s.call("POST", ACC + "/auth-with-password", {"identity": "ann@example.com", "password": "newpass123"})
        s.call("POST", ACC + "/request-verification", {"email": "bob@example.com"})
        verify, = s.mails(1)
        s.store("verify-request"), s.store("mail-verify")
        for who in ("stop", "nomail"):
            s.call("POST", ACC + "/request-verification", {"email": f"{who}@example.com"})
            s.mails(0)
            s.store("verify-request"), s.store("mail-verify")
        s.call("POST", ACC + "/confirm-verification", {"token": verify})
        s.store("verify-confirm")
        s.call("POST", ACC + "/auth-with-password", {"identity": "bob@example.com", "password": PASSWORD})
        token = ann["token"]
        change = []
        for new in ("ann2@example.com", "swap@example.com", "mailfail@example.com"):
            s.call("POST", ACC + "/request-email-change", {"newEmail": new}, token)
            change += s.mails(1 if new != "mailfail@example.com" else 0)
            s.store("change-request"), s.store("mail-change")
        s.call("POST", ACC + "/confirm-email-change", {"token": change[0], "password": "newpass123"})
        s.store("change-confirm")
        otp = s.call("POST", ACC + "/request-otp", {"email": "fixed@example.com"})
        s.mails(1)
        s.store("otp-request"), s.store("mail-otp")
        s.call("POST", ACC + "/request-otp", {"email": "nobody@example.com"})
        s.mails(0)
        s.store("otp-request")
        s.call("POST", ACC + "/auth-with-otp", {"otpId": otp["otpId"], "password": "135790"})
        s.store("otp-auth")
        for shape in SHAPES:
            s.call("GET", "/t/err/" + shape)
        s.call("GET", "/t/apierr/fields"), s.call("GET", "/t/apierr/other")
        for title in ("shaped", "req-shaped"):
            s.call("POST", "/api/collections/posts/records", {"title": title})
        _cascade(s)
        return s.out
    return run


def _cascade(s):
    posts, comments = "/api/collections/posts/records", "/api/collections/comments/records"
    s.call("POST", posts, {"id": "post00000000001", "title": "one"})
    s.call("POST", posts, {"id": "post00000000002", "title": "two"})
    for cid, text, post in (("comm00000000001", "c1", 1), ("comm00000000002", "c2", 1), ("comm00000000003", "guard", 2)):
        s.call("POST", comments, {"id": cid, "text": text, "post": f"post0000000000{post}"})
    s.call("POST", "/api/collections/tags/records", {"id": "tags00000000001", "name": "tg", "post": "post00000000001"})
    s.call("GET", "/t/cascade")
    for post in ("post00000000001", "post00000000002"):
        s.call("DELETE", posts + "/" + post)
        s.call("GET", "/t/cascade")
    s.call("GET", comments + "?sort=text")
    s.call("GET", "/api/collections/tags/records/tags00000000001")


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    return on_both_with_mail(PROJECT, "Hooks", _run, tmp_path_factory)


def test_same_steps_as_pocketbase(answers):
    same_steps(answers)
