"""The auth plugin's helpers go through pb() and sign in with the built-in signIn (the same pb_auth cookie):
createUser and friends create through the API (here the fake `users` sign-up of pb_client_helpers.py),
signInAnonymously creates an anonymous-NNNNNNNNNN@example.com user and signs in as them."""
import json
import re
import urllib.parse

import pytest

from tests.bindings.pb_client_helpers import PASSWORD, pb_cookie, serve_site

SHOW = "<%- JSON.stringify(out) %>"
PAGES = {
    "+config.js": "module.exports = { plugins: ['pocketpages-plugin-auth', 'pocketpages-plugin-js-sdk', "
                  "'pocketpages-plugin-ejs'] }",
    "anon.ejs": "<% const authData = signInAnonymously(); const out = { email: authData.record.email, "
                "auth: request.auth.email, token: authData.token } %>" + SHOW,
    "create.ejs": """<%
function caught(fn) { try { return fn() } catch (e) { return 'error: ' + e.message } }
const out = {
  noEmail: caught(() => createUser(' ', 'x')),
  noPassword: caught(() => createUser('x@example.com', '')),
  user: createUser('made@example.com', body().password, { sendVerificationEmail: false }).email,
  duplicate: caught(() => createUser('made@example.com', body().password, { sendVerificationEmail: false })),
  passwordless: (() => { const p = createPasswordlessUser('nopass@example.com', { sendVerificationEmail: false });
                         return [p.password.length, /^[1-9]+$/.test(p.password), p.user.email] })(),
  alias: createPaswordlessUser === createPasswordlessUser,
  anonymous: (() => { const a = createAnonymousUser(); return [a.email, a.user.email === a.email, a.password.length] })(),
  signedIn: signInWithPassword('made@example.com', body().password).record.email,
}
%>""" + SHOW,
    "me.ejs": "<%= request.auth ? request.auth.email : 'anonymous' %>",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("pbauth")
    with serve_site(root / "site", PAGES, root / "data") as served:
        yield served


def test_sign_in_anonymously_creates_a_user_and_sets_the_cookie(site):
    res = site.post("/anon", {})
    assert res.status == 200, res.text
    out = json.loads(res.text)
    assert re.fullmatch(r"anonymous-[1-9]{10}@example\.com", out["email"]) and out["auth"] == out["email"]
    cookie = pb_cookie(res)
    assert json.loads(urllib.parse.unquote(cookie))["token"] == out["token"]
    assert site.get("/me", cookie).text == out["email"]


def test_create_user_helpers_go_through_the_api(site):
    res = site.post("/create", {"password": PASSWORD})
    assert res.status == 200, res.text
    out = json.loads(res.text)
    assert out["noEmail"] == "error: Email is required" and out["noPassword"] == "error: Password is required"
    assert out["user"] == "made@example.com" and out["duplicate"].startswith("error: Failed to create record.")
    assert out["passwordless"] == [40, True, "nopass@example.com"] and out["alias"] is True
    email, same, length = out["anonymous"]
    assert re.fullmatch(r"anonymous-[1-9]{10}@example\.com", email) and same is True and length == 40
    assert out["signedIn"] == "made@example.com"
    assert site.get("/me", pb_cookie(res)).text == "made@example.com"


def test_the_auth_plugins_otp_sign_in_end_to_end(tmp_path):
    """requestOTP/signInWithOTP as the auth starter's form calls them, through pb() and the real OTP endpoints:
    the code goes to the log (no SMTP), the sign-in sets the pb_auth cookie."""
    import re
    import time
    import urllib.parse

    from tests.helpers import start_server

    project = tmp_path / "project"
    (project / "pb_migrations").mkdir(parents=True)
    (project / "pb_migrations" / "1700000000_otp.js").write_text(
        "migrate((app) => { const users = app.findCollectionByNameOrId('users');\n"
        "  users.otp.enabled = true; app.save(users); }, (app) => {});\n")
    pages = project / "pb_hooks" / "pages"
    pages.mkdir(parents=True)
    (pages / "ask.ejs").write_text("<%= requestOTP(params.email).otpId %>")
    (pages / "enter" / "[id]").mkdir(parents=True)
    (pages / "enter" / "[id]" / "[code].ejs").write_text("<% signInWithOTP(params.id, params.code) %>signed in")
    (pages / "who.ejs").write_text("<%= request.auth ? request.auth.email : 'nobody' %>")
    running = start_server(str(project), "--workers", "1", data_dir=str(tmp_path / "data"))
    try:
        asked = running.get("/ask?email=" + urllib.parse.quote("otp@example.com"))
        assert asked.status == 200, running.log[-3000:]
        otp_id = asked.text.strip()
        assert re.fullmatch(r"[a-z0-9]{15}", otp_id)
        found = None
        for _ in range(50):
            found = re.search(r"\b(\d{8})\b", running.log[running.log.find("otp@example.com"):])
            if found:
                break
            time.sleep(0.1)
        assert found, running.log[-2000:]
        wrong = running.get(f"/enter/{otp_id}/00000000")
        assert wrong.status == 500 or "signed in" not in wrong.text
        entered = running.get(f"/enter/{otp_id}/{found.group(1)}")
        assert entered.status == 200 and "signed in" in entered.text, entered.body
        cookie = next(v for k, v in entered.headers if k.lower() == "set-cookie" and v.startswith("pb_auth="))
        who = running.get("/who", cookies={"pb_auth": cookie.split(";")[0][len("pb_auth="):]})
        assert who.text.strip() == "otp@example.com"
    finally:
        running.stop()
