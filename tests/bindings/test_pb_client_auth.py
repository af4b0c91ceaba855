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
