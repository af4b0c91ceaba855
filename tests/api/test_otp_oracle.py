"""OTP sign-in against the real PocketBase 0.40.6: `request-otp` and `auth-with-otp` asked of the binary and of
pagesvm's Api (in-process) on copies of one data.db with OTP enabled on `users`, both mailing one in-test SMTP
server (tests/api/test_auth_oracle.py's), answers compared after normalising ids and tokens; the stored
`_otps` rows compared, and one side's OTP row signs in on the other.
"""
import os
import re
import shutil
import sqlite3
import threading

import pytest

from tests.api.test_auth_oracle import MIGRATIONS, PASSWORD, Sides, _html, _normal, _Sink, copy_data
from tests.helpers import PocketBase

BASE = "/api/collections/"


def _same(one, two):
    """Equal after normalising: otpId/mfaId are ids of each side's own."""
    def norm(answer):
        status, body = answer
        if isinstance(body, dict):
            body = {k: ("<id>" if k in ("otpId", "mfaId") and isinstance(v, str) and len(v) == 15 else v)
                    for k, v in body.items()}
        return status, _normal(body)
    assert norm(one) == norm(two)


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("otp_oracle"))
    sink = _Sink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    migrations = shutil.copytree(MIGRATIONS, os.path.join(folder, "migrations"))  # the binary writes one there
    pb = PocketBase(folder, migrations=migrations)
    try:
        assert pb.call("PATCH", "/api/settings", {
            "smtp": {"enabled": True, "host": "127.0.0.1", "port": sink.server_address[1], "tls": False},
            "meta": {"appName": "Oracle", "appURL": "http://oracle.test", "senderName": "Oracle",
                     "senderAddress": "no-reply@oracle.test"}})[0] == 200
        assert pb.call("PATCH", "/api/collections/users", {"otp": {"enabled": True, "length": 6}})[0] == 200
        for email, verified in (("a@example.com", False), ("v@example.com", True), ("r@example.com", True)):
            status, made = pb.call("POST", "/api/collections/users/records", {
                "email": email, "verified": verified, "password": PASSWORD, "passwordConfirm": PASSWORD})
            assert status == 200, made
        copy = copy_data(folder)
        found = Sides(pb, copy)
        found.sink, found.dbs = sink, (os.path.join(folder, "pb_data", "data.db"), os.path.join(copy, "data.db"))
        yield found
    finally:
        pb.stop()
        sink.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


def _sql(path, sql, params=()):
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(sql, params)]


def _request(sides, email):
    """Request an OTP for `email` on each side: ((binary otpId, code), (pagesvm otpId, code)), mails compared."""
    got = []
    for ask in (sides.binary, sides.pagesvm):
        status, body = ask("POST", BASE + "users/request-otp", {"email": email})
        assert status == 200 and set(body) == {"otpId"}, body
        (rcpt, message), = sides.sink.take()
        code = re.search(r"one-time password is: <strong>(\d+)</strong>", _html(message)).group(1)
        got.append((rcpt, str(message["Subject"]), body["otpId"], code))
    assert got[0][:2] == got[1][:2] == ([email], "OTP for Oracle")
    assert len(got[0][3]) == len(got[1][3]) == 6
    return got[0][2:], got[1][2:]


def _wrong(code: str) -> str:
    return str((int(code) + 1) % 10 ** len(code)).zfill(len(code))


def _both(sides, path, bodies):
    one = sides.binary("POST", BASE + path, bodies[0])
    two = sides.pagesvm("POST", BASE + path, bodies[1])
    _same(one, two)
    return one, two


FORMS = [
    ("members/request-otp", {"email": "m1@example.com"}),
    ("members/auth-with-otp", {"otpId": "x", "password": "y"}),
    ("things/request-otp", {"email": "a@example.com"}),
    ("users/request-otp", {}),
    ("users/request-otp", {"email": "bad"}),
    ("users/request-otp", {"email": 5}),
    ("users/request-otp", {"email": "nobody@example.com"}),
    ("users/auth-with-otp", {}),
    ("users/auth-with-otp", {"otpId": "x" * 300, "password": "y" * 80}),
    ("users/auth-with-otp", {"otpId": "unknown", "password": "123456"}),
]


@pytest.mark.parametrize("path, body", FORMS)
def test_answers_as_the_binary(sides, path, body):
    _both(sides, path, (body, body))


def test_an_unknown_address_stores_nothing(sides):
    _both(sides, "users/request-otp", ({"email": "ghost@example.com"},) * 2)
    assert [_sql(db, "SELECT * FROM _otps") for db in sides.dbs] == [[], []]
    assert sides.sink.messages == []


def test_sign_in_with_the_mailed_code_verifies_and_is_used_up(sides):
    (b_id, b_code), (p_id, p_code) = _request(sides, "a@example.com")
    rows = [_sql(db, "SELECT * FROM _otps WHERE id = ?", (i,))[0] for db, i in zip(sides.dbs, (b_id, p_id))]
    assert [sorted(r) for r in rows] == [sorted(rows[0])] * 2
    assert [(r["collectionRef"], r["recordRef"], r["sentTo"], r["password"][4:7]) for r in rows] == \
        [("_pb_users_auth_", rows[0]["recordRef"], "a@example.com", "08$")] * 2
    _request(sides, "a@example.com")  # a second live OTP each, voided by the sign-in below
    _both(sides, "users/auth-with-otp", ({"otpId": b_id, "password": _wrong(b_code)},
                                         {"otpId": p_id, "password": _wrong(p_code)}))
    _both(sides, "users/auth-with-otp", ({"otpId": p_id, "password": p_code}, {"otpId": b_id, "password": b_code}))
    one, _ = _both(sides, "users/auth-with-otp", ({"otpId": b_id, "password": b_code},
                                                  {"otpId": p_id, "password": p_code}))
    assert one[0] == 200 and one[1]["record"]["verified"] is True, one
    _both(sides, "users/auth-with-otp", ({"otpId": b_id, "password": b_code}, {"otpId": p_id, "password": p_code}))
    assert [_sql(db, "SELECT * FROM _otps") for db in sides.dbs] == [[], []]  # the new password voided the other
    _both(sides, "users/auth-with-password", ({"identity": "a@example.com", "password": PASSWORD},) * 2)


def test_a_verified_record_keeps_its_password_and_other_otps(sides):
    (b_id, b_code), (p_id, p_code) = _request(sides, "v@example.com")
    _request(sides, "v@example.com")
    _both(sides, "users/auth-with-otp", ({"otpId": b_id, "password": b_code}, {"otpId": p_id, "password": p_code}))
    assert [len(_sql(db, "SELECT id FROM _otps")) for db in sides.dbs] == [1, 1]
    _both(sides, "users/auth-with-password", ({"identity": "v@example.com", "password": PASSWORD},) * 2)
    for db in sides.dbs:
        _sql(db, "DELETE FROM _otps")


def test_an_expired_code_is_refused(sides):
    (b_id, b_code), (p_id, p_code) = _request(sides, "v@example.com")
    for db in sides.dbs:
        _sql(db, "UPDATE _otps SET created = '2020-01-01 00:00:00.000Z'")
    _both(sides, "users/auth-with-otp", ({"otpId": b_id, "password": b_code}, {"otpId": p_id, "password": p_code}))


def test_five_tries_per_record_then_429(sides):
    (b_id, b_code), (p_id, p_code) = _request(sides, "r@example.com")
    answers = [_both(sides, "users/auth-with-otp", ({"otpId": b_id, "password": "0"}, {"otpId": p_id, "password": "0"}))
               for _ in range(5)]
    assert [a[0][0] for a in answers] == [400] * 5
    one, _ = _both(sides, "users/auth-with-otp", ({"otpId": b_id, "password": b_code},
                                                  {"otpId": p_id, "password": p_code}))
    assert one[0] == 429


def test_an_otp_row_of_either_side_signs_in_on_the_other(sides):
    (b_id, b_code), (p_id, p_code) = _request(sides, "v@example.com")
    binary_db, pagesvm_db = sides.dbs
    for source, target, otp_id in ((binary_db, pagesvm_db, b_id), (pagesvm_db, binary_db, p_id)):
        row = _sql(source, "SELECT * FROM _otps WHERE id = ?", (otp_id,))[0]
        names = list(row)
        _sql(target, f"INSERT INTO _otps ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
             [row[n] for n in names])
    one = sides.binary("POST", BASE + "users/auth-with-otp", {"otpId": p_id, "password": p_code})
    two = sides.pagesvm("POST", BASE + "users/auth-with-otp", {"otpId": b_id, "password": b_code})
    _same(one, two)
    assert one[0] == 200


def test_mfa_asks_for_a_second_method(sides):
    """Last: MFA on for users (the binary through its API, pagesvm's copy in its options JSON)."""
    assert sides.pb.call("PATCH", "/api/collections/users", {"mfa": {"enabled": True}})[0] == 200
    options = _sql(sides.dbs[0], "SELECT options FROM _collections WHERE name = 'users'")[0]["options"]
    _sql(sides.dbs[1], "UPDATE _collections SET options = ? WHERE name = 'users'", (options,))
    form = {"identity": "v@example.com", "password": PASSWORD}
    one, two = _both(sides, "users/auth-with-password", (form, form))
    assert one[0] == 401
    mfa = (one[1]["mfaId"], two[1]["mfaId"])
    _both(sides, "users/auth-with-password", ({**form, "mfaId": mfa[0]}, {**form, "mfaId": mfa[1]}))
    _both(sides, "users/auth-with-password", ({**form, "mfaId": "nope"},) * 2)
    (b_id, b_code), (p_id, p_code) = _request(sides, "v@example.com")
    one, _ = _both(sides, "users/auth-with-otp",
                   ({"otpId": b_id, "password": b_code, "mfaId": mfa[0]}, {"otpId": p_id, "password": p_code,
                                                                           "mfaId": mfa[1]}))
    assert one[0] == 200
    assert [_sql(db, "SELECT id FROM _mfas") for db in sides.dbs] == [[], []]
