"""The auth endpoints against the real PocketBase 0.40.6: the same requests to the binary and to pagesvm's Api
(in-process) on copies of one data.db, answers compared after normalising tokens and timestamps; the mailed
flows end to end with both sides sending to one in-test SMTP server; and tokens crossing sides: each side
confirms the token the other one mailed, and accepts the other's auth tokens.
"""
import base64
import email
import json
import os
import re
import socketserver
import sqlite3
import threading
import time

import pytest

from runtime.api import Api, ApiRequest
from tests.helpers import PocketBase, request, wait_for

MIGRATIONS = os.path.join(os.path.dirname(__file__), "auth_oracle_migrations")
PASSWORD = "password123"


class _Sink(socketserver.ThreadingTCPServer):
    """An SMTP server that keeps every message: (recipients, parsed message)."""

    daemon_threads = allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.messages, self.lock = [], threading.Lock()

    def arrived(self, expected: int, quiet: float) -> list:
        """Every message so far, taken: after waiting for `expected` of them (8 s at most), or, when none is
        expected, for `quiet` seconds and a short settle (a mail that should not come has had its chance)."""
        deadline = time.monotonic() + (8.0 if expected else quiet)
        while time.monotonic() < deadline and len(self.messages) < max(expected, 1):
            time.sleep(0.05)
        if not expected:
            time.sleep(0.2)
        with self.lock:
            got, self.messages[:] = list(self.messages), []
        return got

    def take(self, timeout=10.0) -> list:
        wait_for(lambda: self.messages, timeout=timeout)
        with self.lock:
            taken, self.messages[:] = list(self.messages), []
        return taken


class _SMTPHandler(socketserver.StreamRequestHandler):
    def say(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self.say("220 sink")
        rcpt = []
        while line := self.rfile.readline().decode(errors="replace").rstrip("\r\n"):
            verb = line.split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.say("250 sink")
            elif verb == "RCPT":
                rcpt.append(line.split(":", 1)[1].strip(" <>"))
                self.say("250 ok")
            elif verb == "DATA":
                self.say("354 go")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                with self.server.lock:
                    self.server.messages.append((rcpt, email.message_from_bytes(data)))
                rcpt = []
                self.say("250 queued")
            elif verb == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say("250 ok")


def _html(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode()
    return ""


def _mailed_token(sink, path: str):
    """(recipient, subject, token) of the one mail the sink got."""
    (rcpt, message), = sink.take()
    found = re.search(rf"/_/#/auth/{path}/([\w.-]+)", _html(message))
    return rcpt, str(message["Subject"]), found.group(1)


def _claims(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _normal(value):
    """Tokens become their claims without `exp`; timestamps go."""
    if isinstance(value, dict):
        return {k: ({**_claims(v), "exp": "<exp>"} if k == "token" and isinstance(v, str) else _normal(v))
                for k, v in value.items() if k not in ("created", "updated")}
    return value


class Sides:
    def __init__(self, pb, data_dir):
        self.pb, self.api = pb, Api(data_dir)

    def binary(self, method, path, body=None, token=None):
        headers = {"Content-Type": "application/json", **({"Authorization": token} if token else {})}
        answer = request("127.0.0.1", self.pb.port, method, path, json.dumps(body) if body is not None else None,
                         headers)
        return answer.status, (json.loads(answer.body) if answer.body else None)

    def pagesvm(self, method, path, body=None, token=None):
        headers = {"Content-Type": "application/json", **({"Authorization": token} if token else {})}
        path, _, query = path.partition("?")
        answer = self.api.handle(ApiRequest(method, path, query, headers=headers,  # from where the binary's come
                                            body=json.dumps(body).encode() if body is not None else b"",
                                            remote_ip="127.0.0.1"))
        return answer.status, answer.value()

    def both(self, method, path, body=None, tokens=(None, None)):
        """Ask both; assert the normalised answers are equal; the two raw answers."""
        one, two = self.binary(method, path, body, tokens[0]), self.pagesvm(method, path, body, tokens[1])
        assert (one[0], _normal(one[1])) == (two[0], _normal(two[1])), (method, path, body)
        return one, two

    def sign_in(self, collection, identity, password=PASSWORD):
        one, two = self.both("POST", f"/api/collections/{collection}/auth-with-password",
                             {"identity": identity, "password": password})
        assert one[0] == 200, one
        return one[1]["token"], two[1]["token"]


def copy_data(folder: str) -> str:
    """A copy of the binary's FOLDER/pb_data/data.db in FOLDER/pagesvm_data, for pagesvm's side: that folder."""
    copy = os.path.join(folder, "pagesvm_data")
    os.makedirs(copy)
    with sqlite3.connect(os.path.join(folder, "pb_data", "data.db")) as src, \
            sqlite3.connect(os.path.join(copy, "data.db")) as dst:
        src.backup(dst)
    return copy


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("auth_oracle"))
    sink = _Sink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    pb = PocketBase(folder, migrations=MIGRATIONS)
    try:
        status, _ = pb.call("PATCH", "/api/settings", {
            "smtp": {"enabled": True, "host": "127.0.0.1", "port": sink.server_address[1], "tls": False},
            "meta": {"appName": "Oracle", "appURL": "http://oracle.test", "senderName": "Oracle",
                     "senderAddress": "no-reply@oracle.test"}})
        assert status == 200
        for collection, record in (("users", {"email": "a@example.com", "name": "A"}),
                                   ("members", {"email": "m1@example.com", "username": "Mem", "verified": True}),
                                   ("members", {"email": "m2@example.com", "username": "Two"})):
            status, made = pb.call("POST", f"/api/collections/{collection}/records",
                                   {**record, "password": PASSWORD, "passwordConfirm": PASSWORD})
            assert status == 200, made
        found = Sides(pb, copy_data(folder))
        found.sink = sink
        yield found
    finally:
        pb.stop()
        sink.shutdown()


FORMS = [
    ("POST", "users/auth-with-password", {}),
    ("POST", "users/auth-with-password", {"identity": "a@example.com"}),
    ("POST", "users/auth-with-password", {"identity": "a@example.com", "password": "x" * 300}),
    ("POST", "users/auth-with-password", {"identity": "a@example.com", "password": "x", "identityField": "name"}),
    ("POST", "users/auth-with-password", {"identity": 5, "password": "x"}),
    ("POST", "users/auth-with-password", {"identity": "a@example.com", "password": "wrong-password"}),
    ("POST", "users/auth-with-password", {"identity": "A@EXAMPLE.COM", "password": PASSWORD}),
    ("POST", "users/auth-with-password", {"identity": "nobody@example.com", "password": PASSWORD}),
    ("POST", "_superusers/auth-with-password", {"identity": "a@example.com", "password": PASSWORD}),
    ("POST", "nope/auth-with-password", {"identity": "a@example.com", "password": PASSWORD}),
    ("POST", "things/auth-with-password", {"identity": "a@example.com", "password": PASSWORD}),
    ("POST", "members/auth-with-password", {"identity": "m2@example.com", "password": PASSWORD}),
    ("POST", "members/auth-with-password", {"identity": "mem", "password": PASSWORD}),
    ("POST", "members/auth-with-password", {"identity": "MEM", "password": PASSWORD, "identityField": "username"}),
    ("GET", "users/auth-methods", None),
    ("GET", "members/auth-methods", None),
    ("GET", "users/auth-methods?fields=mfa,otp,password,oauth2", None),
    ("GET", "_superusers/auth-methods", None),
    ("GET", "things/auth-methods", None),
    ("POST", "users/auth-refresh", None),
    ("POST", "users/request-password-reset", {}),
    ("POST", "users/request-password-reset", {"email": "bad"}),
    ("POST", "users/request-password-reset", {"email": "nobody@example.com"}),
    ("POST", "users/confirm-password-reset", {}),
    ("POST", "users/confirm-password-reset", {"token": "x", "password": "abc", "passwordConfirm": "abd"}),
    ("POST", "users/confirm-password-reset", {"token": "x", "password": "abc"}),
    ("POST", "users/request-verification", {"email": "nobody@example.com"}),
    ("POST", "_superusers/request-verification", {"email": "a@example.com"}),
    ("POST", "users/confirm-verification", {"token": "x"}),
    ("POST", "_superusers/confirm-verification", {"token": "x"}),
    ("POST", "users/request-email-change", {"newEmail": "b@example.com"}),
    ("POST", "users/confirm-email-change", {}),
    ("POST", "_superusers/confirm-email-change", {"token": "x", "password": "y"}),
]


@pytest.mark.parametrize("method, path, body", FORMS)
def test_answers_as_the_binary(sides, method, path, body):
    sides.both(method, "/api/collections/" + path, body)


def test_sign_in_refresh_and_tokens_that_cross(sides):
    binary_token, pagesvm_token = sides.sign_in("users", "a@example.com")
    assert _claims(binary_token).keys() == _claims(pagesvm_token).keys()
    assert abs(_claims(binary_token)["exp"] - _claims(pagesvm_token)["exp"]) <= 2
    sides.both("POST", "/api/collections/users/auth-refresh", tokens=(pagesvm_token, binary_token))
    sides.both("POST", "/api/collections/_superusers/auth-refresh", tokens=(binary_token, pagesvm_token))
    superuser = sides.pb.token  # the binary's superuser token, accepted by pagesvm on the copy
    sides.both("POST", "/api/collections/_superusers/auth-refresh", tokens=(superuser, superuser))
    sides.both("POST", "/api/collections/users/auth-refresh", tokens=(superuser, superuser))
    sides.both("POST", "/api/collections/users/request-email-change", {"newEmail": "a@example.com"},
               tokens=(binary_token, pagesvm_token))
    sides.both("POST", "/api/collections/_superusers/request-email-change", {"newEmail": "c@example.com"},
               tokens=(superuser, superuser))
    sides.both("POST", "/api/collections/users/confirm-email-change", {"token": binary_token, "password": PASSWORD})
    sides.both("POST", "/api/collections/users/confirm-password-reset",
               {"token": binary_token, "password": "abcdefghi", "passwordConfirm": "abcdefghi"})


def test_a_superuser_signs_in_on_both(sides):
    sides.both("POST", "/api/collections/_superusers/auth-with-password",
               {"identity": PocketBase.EMAIL, "password": PocketBase.PASSWORD})


def _request_both(sides, path, body, mail_path, tokens=(None, None)):
    """Request a mail on each side; (binary's mail, pagesvm's mail) as (recipient, subject, token)."""
    status, _ = sides.binary("POST", path, body, tokens[0])
    assert status == 204
    binary_mail = _mailed_token(sides.sink, mail_path)
    status, _ = sides.pagesvm("POST", path, body, tokens[1])
    assert status == 204
    pagesvm_mail = _mailed_token(sides.sink, mail_path)
    assert binary_mail[:2] == pagesvm_mail[:2]
    assert {**_claims(binary_mail[2]), "exp": 0} == {**_claims(pagesvm_mail[2]), "exp": 0}
    return binary_mail[2], pagesvm_mail[2]


def test_password_reset_end_to_end_with_each_sides_token_confirmed_by_the_other(sides):
    old = sides.sign_in("users", "a@example.com")
    binary_token, pagesvm_token = _request_both(sides, "/api/collections/users/request-password-reset",
                                                {"email": "a@example.com"}, "confirm-password-reset")
    assert _claims(binary_token)["type"] == "passwordReset"
    form = {"password": "new-password-1", "passwordConfirm": "new-password-1"}
    one = sides.binary("POST", "/api/collections/users/confirm-password-reset", {**form, "token": pagesvm_token})
    two = sides.pagesvm("POST", "/api/collections/users/confirm-password-reset", {**form, "token": binary_token})
    assert one == two == (204, None)
    sides.both("POST", "/api/collections/users/auth-refresh", tokens=old)  # the old sign-ins are over
    sides.both("POST", "/api/collections/users/confirm-password-reset", {**form, "token": binary_token})  # used up
    one, _ = sides.both("POST", "/api/collections/users/auth-with-password",
                        {"identity": "a@example.com", "password": "new-password-1"})
    assert one[1]["record"]["verified"] is True  # the mail reached its owner


def test_verification_end_to_end_lets_the_member_in(sides):
    sides.both("POST", "/api/collections/members/auth-with-password", {"identity": "Two", "password": PASSWORD})
    binary_token, pagesvm_token = _request_both(sides, "/api/collections/members/request-verification",
                                                {"email": "m2@example.com"}, "confirm-verification")
    one = sides.binary("POST", "/api/collections/members/confirm-verification", {"token": pagesvm_token})
    two = sides.pagesvm("POST", "/api/collections/members/confirm-verification", {"token": binary_token})
    assert one == two == (204, None)
    sides.both("POST", "/api/collections/users/confirm-verification", {"token": binary_token})  # another collection
    sides.sign_in("members", "two")
    sides.both("POST", "/api/collections/members/request-verification", {"email": "m2@example.com"})  # no mail now
    time.sleep(0.5)
    assert sides.sink.messages == []


def test_email_change_end_to_end(sides):
    tokens = sides.sign_in("members", "Mem")
    binary_token, pagesvm_token = _request_both(sides, "/api/collections/members/request-email-change",
                                                {"newEmail": "new@example.com"}, "confirm-email-change", tokens)
    assert _claims(binary_token)["newEmail"] == "new@example.com"
    sides.both("POST", "/api/collections/members/confirm-email-change", {"token": binary_token, "password": "nope"})
    one = sides.binary("POST", "/api/collections/members/confirm-email-change",
                       {"token": pagesvm_token, "password": PASSWORD})
    two = sides.pagesvm("POST", "/api/collections/members/confirm-email-change",
                        {"token": binary_token, "password": PASSWORD})
    assert one == two == (204, None)
    sides.both("POST", "/api/collections/members/confirm-email-change", {"token": binary_token, "password": PASSWORD})
    one, _ = sides.both("POST", "/api/collections/members/auth-with-password",
                        {"identity": "new@example.com", "password": PASSWORD})
    assert one[1]["record"]["email"] == "new@example.com"
