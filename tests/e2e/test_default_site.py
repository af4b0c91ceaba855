"""The bundled site (``pagesvm serve`` with no folder) over plain HTTP: pages, layout,
assets, the guarded account page, forms, /api/me, the 404 page, and the seed logout page."""
from __future__ import annotations

import os
import re

import pytest

from tests.helpers import ROOT, sign_out_reference

PAGES = os.path.join(ROOT, "pages")
PASSWORD = "a long enough password"

# The two blocks of PocketPages' signOut documentation page that /logout must run unchanged.
SEED_FORM = """<%
if (request.method === 'POST' && formData.action === 'logout') {
  signOut()
  redirect('/login')
}
%>

<form method="POST">
  <input type="hidden" name="action" value="logout">
  <button type="submit">Sign Out</button>
</form>
"""
SEED_SCRIPT = """<!-- Complete logout handling -->
<script>
// Assuming you have the PocketBase SDK initialized as 'pb'
async function handleLogout() {
  // Clear SDK state
  pb.authStore.clear()

  // Call server-side logout
  await fetch('/logout', { method: 'POST' })

  // Redirect to login
  window.location.href = '/login'
}
</script>

<button onclick="handleLogout()">Sign Out</button>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from tests.helpers import start_server

    server = start_server(None, data_dir=str(tmp_path_factory.mktemp("default-site")))
    yield server
    server.stop()


def same_origin(site) -> dict:
    return {"Origin": site.url}


def register(site, email: str) -> dict:
    res = site.post("/register", {"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD},
                    headers=same_origin(site))
    assert res.status == 302, res.text
    cookie = next(c for c in res.header_all("Set-Cookie") if c.startswith("pb_auth="))
    return {"pb_auth": cookie.split(";", 1)[0].split("=", 1)[1]}


def test_logout_page_contains_the_seed_code_exactly():
    source = open(os.path.join(PAGES, "logout.ejs"), encoding="utf-8").read()
    assert SEED_FORM in source
    assert SEED_SCRIPT in source


def test_seed_blocks_match_the_reference_documentation():
    doc = open(sign_out_reference(), encoding="utf-8").read()
    blocks = [b.replace("<%%", "<%") for b in re.findall(r"```ejs\n(.*?)```", doc, re.S)]
    assert SEED_FORM in blocks
    assert SEED_SCRIPT in blocks


def test_home_page_uses_layout_meta_partial_and_aside_slot(site):
    res = site.get("/")
    assert res.status == 200
    html = res.text
    assert "<title>Home · pagesvm</title>" in html
    assert '<meta name="description" content="pagesvm serves PocketPages sites' in html
    assert '<header class="topbar">' in html  # the nav partial
    assert re.search(r'<aside><h2>Serve your own site</h2>', html)
    assert "You are not signed in" in html


def test_stylesheet_is_fingerprinted_and_cached_for_a_year(site):
    html = site.get("/").text
    href = re.search(r'<link rel="stylesheet" href="(/assets/site\.([0-9a-f]{64})\.css)">', html)
    assert href, html[:600]
    res = site.get(href.group(1))
    assert res.status == 200
    assert res.header("Content-Type") == "text/css; charset=utf-8"
    assert "immutable" in res.header("Cache-Control") and "max-age=31536000" in res.header("Cache-Control")
    import hashlib
    assert hashlib.sha256(res.body).hexdigest() == href.group(2)


def test_favicon_and_sdk_shim_are_served(site):
    ico = site.get("/favicon.ico")
    assert ico.status == 200 and ico.body[:4] == b"\0\0\1\0"
    shim = re.search(r'<script src="(/assets/pb-shim\.[0-9a-f]{64}\.js)"></script>', site.get("/").text)
    assert shim and "authStore" in site.get(shim.group(1)).text


def test_private_files_are_never_served(site):
    for path in ("/+config.js", "/+layout.ejs", "/_private/nav.ejs", "/account/+middleware.js", "/+404.ejs"):
        assert site.get(path).status == 404, path


def test_markdown_docs_page_takes_title_and_description_from_front_matter(site):
    res = site.get("/docs")
    assert res.status == 200
    assert "<title>How this site is built · pagesvm</title>" in res.text
    assert '<meta name="description" content="A tour of the files behind' in res.text
    assert '<h1 id="how-this-site-is-built">How this site is built</h1>' in res.text
    assert "---" not in res.text.split("<main>")[1].split("</main>")[0]


def test_unknown_url_gets_styled_404_inside_the_layout(site):
    res = site.get("/no/such/page?x=<b>")
    assert res.status == 404
    assert res.header("Content-Type") == "text/html; charset=utf-8"
    assert "<title>Page not found · pagesvm</title>" in res.text
    assert "<code>/no/such/page</code>" in res.text
    assert '<header class="topbar">' in res.text


def test_account_redirects_anonymous_visitor_to_login_with_flash(site):
    res = site.get("/account")
    assert res.status == 302
    assert res.header("Location") == "/login?__flash=Please%20sign%20in%20to%20see%20your%20account."
    page = site.get(res.header("Location"))
    assert '<p class="flash" role="status">Please sign in to see your account.</p>' in page.text


def test_api_me_is_null_when_signed_out_and_public_fields_when_signed_in(site):
    anon = site.get("/api/me")
    assert anon.status == 200 and anon.header("Content-Type").startswith("application/json")
    assert anon.json() is None
    cookies = register(site, "me@example.com")
    me = site.get("/api/me", cookies=cookies).json()
    assert me["email"] == "me@example.com"
    assert {"id", "created", "updated", "verified"} <= set(me)
    assert not {"password", "passwordHash", "tokenKey"} & set(me)


def test_register_errors_keep_the_email_and_escape_it(site):
    res = site.post("/register", {"email": 'x"<b>@example.com', "password": "a", "passwordConfirm": "b"},
                    headers=same_origin(site))
    assert res.status == 200
    assert '<p class="error" role="alert">The two passwords do not match.</p>' in res.text
    assert 'value="x&#34;&lt;b&gt;@example.com"' in res.text
    register(site, "dup@example.com")
    dup = site.post("/register", {"email": "dup@example.com", "password": PASSWORD, "passwordConfirm": PASSWORD},
                    headers=same_origin(site))
    assert dup.status == 200 and '<p class="error" role="alert">' in dup.text
    assert 'value="dup@example.com"' in dup.text


def test_login_shows_error_in_form_then_signs_in(site):
    register(site, "login@example.com")
    bad = site.post("/login", {"email": "login@example.com", "password": "wrong"}, headers=same_origin(site))
    assert bad.status == 200
    assert '<p class="error" role="alert">Invalid email or password.</p>' in bad.text
    assert 'value="login@example.com"' in bad.text
    good = site.post("/login", {"email": "login@example.com", "password": PASSWORD}, headers=same_origin(site))
    assert good.status == 302 and good.header("Location").startswith("/account?__flash=")
    assert any(c.startswith("pb_auth=") and "HttpOnly" in c for c in good.header_all("Set-Cookie"))


def test_seed_logout_form_signs_out_and_leaves_a_one_time_notice(site):
    cookies = register(site, "bye@example.com")
    res = site.post("/logout", {"action": "logout"}, cookies=cookies, headers=same_origin(site))
    assert res.status == 302 and res.header("Location") == "/login"
    set_cookies = res.header_all("Set-Cookie")
    assert any(c.startswith("pb_auth=;") and "Max-Age=0" in c for c in set_cookies)
    flash = next(c for c in set_cookies if c.startswith("flash="))
    login = site.get("/login", cookies={"flash": flash.split(";")[0].split("=", 1)[1]})
    assert '<p class="flash" role="status">You have been signed out.</p>' in login.text
    assert any(c.startswith("flash=;") and "Max-Age=0" in c for c in login.header_all("Set-Cookie"))


def test_bodyless_logout_post_from_the_seed_script_signs_out(site):
    cookies = register(site, "script@example.com")
    res = site.post("/logout", cookies=cookies, headers=same_origin(site))
    assert res.status == 200 and res.body == b""
    assert any(c.startswith("pb_auth=;") and "Max-Age=0" in c for c in res.header_all("Set-Cookie"))


def test_cross_site_logout_post_is_refused(site):
    cookies = register(site, "csrf@example.com")
    res = site.post("/logout", {"action": "logout"}, cookies=cookies, headers={"Origin": "https://evil.example"})
    assert res.status == 403
    assert site.get("/api/me", cookies=cookies).json()["email"] == "csrf@example.com"
