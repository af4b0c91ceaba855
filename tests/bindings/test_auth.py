"""Sign-in state end to end: the auth_seed site on a real server, cookies carried by hand."""
import os
import re
import time

import jwt
import pytest

from bindings.users import INVALID_LOGIN, UserStore
from tests.bindings.auth_helpers import (PASSWORD, SECRET, SITE, assert_cleared, auth_cookie, cookie_json, login,
                                         register, set_cookies, start, whoami)
from tests.helpers import sign_out_reference


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = start(tmp_path_factory.mktemp("auth") / "data")
    yield s
    s.stop()


def test_seed_logout_page_is_the_reference_example_verbatim():
    with open(sign_out_reference(), encoding="utf-8") as f:
        md = f.read()
    blocks = re.findall(r"```ejs\n(.*?)```", md, re.S)
    form = next(b for b in blocks if "formData.action === 'logout'" in b)
    script = next(b for b in blocks if "handleLogout" in b)
    with open(os.path.join(SITE, "logout.ejs"), encoding="utf-8") as f:
        assert f.read() == (form + "\n" + script).replace("<%%", "<%")


def test_register_signs_in_with_an_httponly_lax_cookie_the_sdk_can_read(server):
    res = register(server, "new@example.com")
    assert res.status == 302 and res.header("Location") == "/account"
    cookie = set_cookies(res)["pb_auth"]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert cookie["max-age"] == str(7 * 86400) and "secure" not in cookie  # plain HTTP here
    data = cookie_json(cookie["value"])
    assert set(data) == {"token", "record"}
    assert data["record"]["email"] == "new@example.com" and data["record"]["collectionName"] == "users"
    assert not {"password", "tokenKey", "passwordHash"} & set(data["record"])
    claims = jwt.decode(data["token"], options={"verify_signature": False})
    assert claims["id"] == data["record"]["id"] and claims["type"] == "auth"
    assert jwt.get_unverified_header(data["token"])["alg"] == "HS256"


def test_register_sign_in_auth_seed_logout_then_anonymous(server):
    assert register(server, "flow@example.com").status == 302
    res = login(server, "flow@example.com")
    assert res.status == 302 and res.header("Location") == "/account"
    cookie = auth_cookie(res)
    page = server.get("/account", cookies={"pb_auth": cookie})
    assert '<p id="email">flow@example.com</p>' in page.text and "pb_auth" not in set_cookies(page)
    # The seed page, unchanged: a GET only shows the form, the POSTed form signs out.
    shown = server.get("/logout", cookies={"pb_auth": cookie})
    assert shown.status == 200 and '<input type="hidden" name="action" value="logout">' in shown.text
    assert whoami(server, cookie)[1]["email"] == "flow@example.com"
    out = server.post("/logout", form={"action": "logout"}, cookies={"pb_auth": cookie})
    assert out.status == 302 and out.header("Location") == "/login"
    assert_cleared(out)
    res, data = whoami(server)  # the browser dropped the cookie
    assert data == {"anonymous": True, "auth": "undefined"}
    assert "Not signed in" in server.get("/account").text


def test_seed_page_posted_from_the_same_origin_by_a_browser_signs_out(server):
    cookie = auth_cookie(register(server, "browser@example.com"))
    headers = {"Origin": server.url, "Sec-Fetch-Site": "same-origin"}
    out = server.post("/logout", form={"action": "logout"}, cookies={"pb_auth": cookie}, headers=headers)
    assert out.status == 302
    assert_cleared(out)


def test_wrong_password_and_unknown_email_get_the_same_message(server):
    register(server, "known@example.com")
    wrong = login(server, "known@example.com", "not the password")
    unknown = login(server, "nobody@example.com", "not the password")
    empty = login(server, "known@example.com", "")
    for res in (wrong, unknown, empty):
        assert res.status == 200 and "pb_auth" not in set_cookies(res)
        assert f'<p class="error">{INVALID_LOGIN}</p>' in res.text
    assert wrong.text == unknown.text


@pytest.mark.parametrize("email, password, message", [
    ("dup@example.com", PASSWORD, "A user with this email already exists."),
    ("DUP@Example.com", PASSWORD, "A user with this email already exists."),
    ("empty@example.com", "", "Password is required."),
    ("short@example.com", "short", "Password must be at least 8 characters."),
    ("not-an-email", PASSWORD, "Invalid email address."),
    ("", PASSWORD, "Email is required."),
])
def test_registration_refusals_are_errors_the_page_can_show(server, email, password, message):
    if email.lower() == "dup@example.com":
        register(server, "dup@example.com")
    res = register(server, email, password)
    assert res.status == 200 and "pb_auth" not in set_cookies(res)
    assert f'<p class="error">{message}</p>' in res.text


def test_request_auth_is_a_record_object_without_secrets(server):
    cookie = auth_cookie(register(server, "rec@example.com"))
    _, me = whoami(server, cookie)
    assert me["email"] == me["getEmail"] == "rec@example.com"
    assert re.fullmatch(r"[a-z0-9]{15}", me["id"]) and me["created"] == me["updated"]
    assert me["hasEmail"] is True and me["hasPassword"] is False and me["hasTokenKey"] is False
    assert me["verified"] is False and me["superuser"] is False and me["collection"] == "users"
    assert me["json"] == me["stringified"] and me["json"]["email"] == "rec@example.com"
    assert not {"password", "tokenKey"} & set(me["json"])
    assert me["sameAsBare"] is True  # `auth` and `request.auth` are the same record


def test_record_set_stays_in_the_request_and_refuses_secret_fields(server):
    cookie = auth_cookie(register(server, "setter@example.com"))
    res = server.get("/set-field", cookies={"pb_auth": cookie})
    assert res.json() == {"nickname": "Zed", "has": True, "refused": "auth.set: 'tokenKey' cannot be set on a page"}
    assert "nickname" not in whoami(server, cookie)[1]["json"]


def test_python_bindings_see_the_same_user_as_ctx_auth(server):
    cookie = auth_cookie(register(server, "py@example.com"))
    assert whoami(server, cookie)[1]["python"] == {"email": "py@example.com", "private": []}


def test_sign_out_makes_auth_undefined_for_the_rest_of_the_request(server):
    cookie = auth_cookie(register(server, "now@example.com"))
    res = server.post("/signout-now", cookies={"pb_auth": cookie})
    assert res.json() == {"before": "now@example.com", "after": "undefined", "python": None}
    assert_cleared(res)


def test_auth_functions_come_from_require_pocketpages_in_loaders(server):
    register(server, "loader@example.com")
    body = '{"email": "loader@example.com", "password": "%s", "thenSignOut": true}' % PASSWORD
    res = server.post("/api/login", body=body, headers={"Content-Type": "application/json"})
    assert res.json() == {"email": "loader@example.com", "signedIn": "loader@example.com", "afterSignOut": True}
    assert_cleared(res)  # signOut came last


def test_sign_in_with_token_and_sign_in_trust_only_the_token(server):
    token = cookie_json(auth_cookie(register(server, "tok@example.com")))["token"]
    for how in ("signInWithToken", "signIn"):
        res = server.post("/token", form={"how": how, "token": token})
        assert res.json() == {"email": "tok@example.com", "auth": "tok@example.com", "sameToken": True}
        assert cookie_json(auth_cookie(res))["token"] == token


@pytest.mark.parametrize("how, token, error, status", [
    ("signInWithToken", "not-a-token", "Invalid or expired token.", 401),
    ("signIn", "not-a-token", "Invalid or expired token.", 401),
    ("signInRecordOnly", "", "Invalid or expired token.", 401),
    ("signInNothing", "", "No auth record found.", 400),
])
def test_sign_in_refuses_what_is_not_a_valid_token(server, how, token, error, status):
    res = server.post("/token", form={"how": how, "token": token})
    assert res.json() == {"error": error, "status": status}
    assert "pb_auth" not in set_cookies(res)


def test_changing_the_password_signs_out_every_older_token(server):
    old_cookie = auth_cookie(register(server, "rotate@example.com"))
    data_dir = server.proc.args[server.proc.args.index("--data") + 1]
    store = UserStore(data_dir, bcrypt_rounds=4)
    store.set_password("rotate@example.com", "a brand new password")
    store.close()
    res, me = whoami(server, old_cookie)
    assert me["anonymous"] is True
    assert_cleared(res)
    assert login(server, "rotate@example.com").status == 200  # old password refused
    fresh = auth_cookie(login(server, "rotate@example.com", "a brand new password"))
    assert whoami(server, fresh)[1]["email"] == "rotate@example.com"


def test_auth_ttl_flag_sets_cookie_lifetime_and_token_expiry(tmp_path):
    s = start(tmp_path / "data", "--auth-ttl", "2h", "--workers", "1")
    try:
        res = register(s, "ttl@example.com")
    finally:
        s.stop()
    cookie = set_cookies(res)["pb_auth"]
    assert cookie["max-age"] == "7200"
    claims = jwt.decode(cookie_json(cookie["value"])["token"], options={"verify_signature": False})
    assert abs(claims["exp"] - (time.time() + 7200)) < 30


def test_production_default_bcrypt_cost_is_12(tmp_path):
    s = start(tmp_path / "data", "--workers", "1", env={"PAGESVM_BCRYPT_ROUNDS": ""})
    try:
        assert register(s, "cost@example.com").status == 302
    finally:
        s.stop()
    store = UserStore(tmp_path / "data")
    assert store.get_by_email("cost@example.com")["password"].startswith("$2a$12$")  # PocketBase's $2a$ prefix
    store.close()


def test_unknown_email_costs_the_same_order_of_time_as_a_wrong_password(tmp_path):
    s = start(tmp_path / "data", "--workers", "1", env={"PAGESVM_BCRYPT_ROUNDS": "10"})  # ~50 ms: well above the noise
    try:
        register(s, "timed@example.com")
        samples = {"timed@example.com": [], "nobody@example.com": []}
        for _ in range(7):  # interleaved, so load on the machine hits both alike
            for email, times in samples.items():
                t0 = time.perf_counter()
                assert INVALID_LOGIN in login(s, email, "wrong password!").text
                times.append(time.perf_counter() - t0)
        known, unknown = (sorted(times)[3] for times in samples.values())
    finally:
        s.stop()
    assert known / unknown < 3 and unknown / known < 3, (known, unknown)


def test_no_token_cookie_or_password_ever_reaches_the_log(tmp_path):
    s = start(tmp_path / "data", "--dev")
    secrets_seen = {SECRET, PASSWORD, "another secret pw", "wrong-password-xyz"}
    try:
        res = register(s, "log@example.com")
        cookie = auth_cookie(res)
        secrets_seen |= {cookie, cookie_json(cookie)["token"]}
        login(s, "log@example.com", "wrong-password-xyz")
        s.post("/token", form={"how": "signInWithToken", "token": cookie_json(cookie)["token"]})
        s.post("/api/login", body='{"email": "log@example.com", "password": "another secret pw"}',
               headers={"Content-Type": "application/json"})  # a failing loader: logged as an error
        whoami(s, cookie)
        whoami(s, cookie[:-12] + "garbage%22%7D")
        s.post("/logout", form={"action": "logout"}, cookies={"pb_auth": cookie})
        s.stop()
    finally:
        s.stop()
    log = s.log
    assert "POST /login" in log and "/api/login" in log  # the log is there and has requests
    for secret in secrets_seen:
        assert secret not in log
    assert "eyJ" not in log  # no JWT fragment of any kind


def test_cookie_is_secure_behind_a_trusted_https_proxy_only(tmp_path):
    forwarded = {"X-Forwarded-Proto": "https"}
    form = {"email": "proxy@example.com", "password": PASSWORD}
    trusting = start(tmp_path / "a", "--proxy-headers", "--workers", "1")
    plain = start(tmp_path / "b", "--workers", "1")
    try:
        behind = trusting.post("/register", form=form, headers=forwarded)
        # The browser saw https://host, so that is the Origin a same-site form sends.
        origin = trusting.post("/login", form=form, headers={**forwarded, "Origin": "https://" + trusting.url[7:]})
        spoofed = plain.post("/register", form=form, headers=forwarded)
    finally:
        trusting.stop()
        plain.stop()
    assert set_cookies(behind)["pb_auth"].get("secure") is True
    assert origin.status == 302 and set_cookies(origin)["pb_auth"].get("secure") is True
    assert "secure" not in set_cookies(spoofed)["pb_auth"]


def test_workers_share_the_generated_secret_so_any_worker_verifies_a_cookie(tmp_path):
    s = start(tmp_path / "data", "--workers", "2", env={"PAGESVM_SECRET": ""})
    try:
        cookie = auth_cookie(register(s, "workers@example.com"))
        seen = {whoami(s, cookie)[1].get("email") for _ in range(20)}
    finally:
        s.stop()
    assert seen == {"workers@example.com"}
    # The shared secret is the users collection's, in data.db (issue 14); no secret.key is written.
    assert not (tmp_path / "data" / "secret.key").exists()
