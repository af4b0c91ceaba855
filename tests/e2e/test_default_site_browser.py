"""The bundled site in a real browser: sign-up, the guarded account page, the HttpOnly
session cookie, both of the seed page's ways to sign out, and sign-in errors."""
from __future__ import annotations

import json
import re

PASSWORD = "correct horse battery"


def register(page, email: str) -> None:
    page.goto("/register")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=passwordConfirm]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/account**")


def test_register_account_logout_login_flow_in_browser(browser_page):
    page = browser_page
    email = "flow@example.com"

    page.goto("/")
    assert page.title() == "Home · pagesvm"
    assert "You are not signed in" in page.inner_text("main")
    page.shot("home-anonymous")

    page.goto("/register")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=passwordConfirm]", "something else")
    page.click("form button[type=submit]")
    assert page.inner_text(".error") == "The two passwords do not match."
    assert page.input_value("input[name=email]") == email  # value kept
    page.shot("register-mismatch")

    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=passwordConfirm]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/account**")
    assert page.inner_text(".flash") == "Welcome! Your account is ready."
    assert page.inner_text(".account-email") == email
    assert page.inner_text("tr[data-field=email] td") == email
    assert page.inner_text("tr[data-field=verified] td") == "false"
    page.shot("account-after-register")

    page.reload()
    assert page.inner_text(".account-email") == email  # still signed in
    assert email in page.inner_text("header")
    page.shot("account-reloaded")

    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["pb_auth"]["httpOnly"] is True
    assert "pb_auth" not in page.evaluate("document.cookie")

    page.goto("/logout")
    page.shot("logout-page")
    page.click("form button[type=submit]")  # the seed's <form method="POST">
    page.wait_for_url("**/login**")
    assert page.inner_text(".flash") == "You have been signed out."
    assert "pb_auth" not in {c["name"] for c in page.context.cookies()}
    page.shot("login-after-logout")
    page.reload()
    assert page.locator(".flash").count() == 0  # the notice is shown once

    page.goto("/account")
    page.wait_for_url("**/login**")
    assert page.inner_text(".flash") == "Please sign in to see your account."
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "not the password")
    page.click("form button[type=submit]")
    assert page.inner_text(".error") == "Invalid email or password."
    assert page.input_value("input[name=email]") == email
    page.shot("login-wrong-password")

    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/account**")
    assert page.inner_text(".account-email") == email
    page.shot("account-after-login")

    page.goto("/api/me")
    me = json.loads(page.inner_text("body"))
    assert me["email"] == email and re.fullmatch(r"[a-z0-9]{15}", me["id"])
    assert not {"password", "passwordHash", "tokenKey"} & set(me)
    page.shot("api-me")


def test_seed_complete_logout_script_signs_out_and_clears_sdk_store(browser_page):
    page = browser_page
    register(page, "script@example.com")
    page.goto("/logout")
    page.evaluate("localStorage.setItem('pocketbase_auth', JSON.stringify({token: 't', record: null}))")
    assert page.evaluate("pb.authStore.isValid") is True
    page.shot("logout-page-signed-in")

    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/logout")) as posted:
        page.click("button[onclick='handleLogout()']")  # the seed's client script
    assert posted.value.status == 200
    page.wait_for_url("**/login")
    assert page.evaluate("localStorage.getItem('pocketbase_auth')") is None
    assert page.inner_text(".flash") == "You have been signed out."
    assert "pb_auth" not in {c["name"] for c in page.context.cookies()}
    page.shot("login-after-script-logout")
    page.goto("/api/me")
    assert json.loads(page.inner_text("body")) is None


def test_docs_and_styled_not_found_page_in_browser(browser_page):
    page = browser_page
    page.goto("/docs")
    assert page.title() == "How this site is built · pagesvm"
    assert page.locator("h1#how-this-site-is-built").count() == 1
    sheet = page.evaluate("[...document.styleSheets].map(s => s.href)")
    assert any(re.search(r"/assets/site\.[0-9a-f]{64}\.css$", h or "") for h in sheet)
    page.shot("docs")

    page.watch.allow(r"HTTP 404: GET .*/no/such/page$")
    page.watch.allow(r"console error: Failed to load resource: .* 404")
    response = page.goto("/no/such/page")
    assert response.status == 404
    assert page.title() == "Page not found · pagesvm"
    assert "/no/such/page" in page.inner_text("main")
    # The layout's stylesheet applied: the page is styled, not bare HTML.
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).position") == "sticky"
    page.shot("not-found")
