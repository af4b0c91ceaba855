"""A site written the way the official auth starter is (tests/sites/auth_starter_like: the ejs, js-sdk and auth
plugins; register, sign-in and sign-out pages calling the plugin's helpers; a guarded `(members)` group; notes
listed and created through `pb({request})` under owner rules) clicked through in real Chromium.

Chromium missing: the `browser` fixture skips with one line (fails under CI=true)."""
from __future__ import annotations

import os

import pytest

from tests.helpers import ROOT, start_server

SITE = os.path.join(ROOT, "tests", "sites", "auth_starter_like")
PASSWORD = "notebook-secret"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Overrides conftest's bundled site: this project, migrated into an empty data folder."""
    server = start_server(SITE, "--workers", "1", data_dir=str(tmp_path_factory.mktemp("starter-like-data")),
                          env={"PAGESVM_BCRYPT_ROUNDS": "4"})  # sign-ups in milliseconds; cost is not tested here
    yield server
    server.stop()


def submit(page, fields: dict, url_glob: str | None = None) -> None:
    for name, value in fields.items():
        page.fill(f"main form input[name={name}]", value)
    page.click("main form button[type=submit]")
    if url_glob:
        page.wait_for_url(url_glob)
    else:
        page.wait_for_load_state()


def notes(page) -> list[str]:
    return page.locator("ul.notes li").all_inner_texts()


def test_two_users_register_keep_their_own_notes_and_sign_in_again(browser_page):
    page = browser_page
    page.goto("/")
    assert page.inner_text("nav .who") == "guest"
    assert page.inner_text(".greeting") == "Sign in to keep notes."

    page.click("nav >> text=Sign up")
    submit(page, {"email": "ada@example.com", "password": "short"})
    assert page.inner_text(".problem") == "Password must be at least 8 characters."
    assert page.input_value("main input[name=email]") == "ada@example.com"
    submit(page, {"password": PASSWORD}, "**/notes?__flash=*")
    assert page.inner_text(".flash") == "Account created."
    assert page.inner_text("nav .who") == "ada@example.com"
    assert page.get_attribute("nav .who", "data-valid") == "true"  # pb({request}).authStore of the new cookie
    assert page.inner_text(".count") == "0"
    page.shot("registered")

    submit(page, {"text": ""})
    assert page.inner_text(".problem") == "Cannot be blank."  # the create's 400, as PocketBase words it
    for text in ("first of ada", "second of ada"):
        submit(page, {"text": text}, "**/notes?__flash=Saved.")
    assert notes(page) == ["first of ada", "second of ada"]
    assert page.inner_text(".anonymous-count") == "0"  # a signed-out pb() sees none of them
    page.goto("/account")
    assert (page.inner_text(".email"), page.inner_text(".verified")) == ("ada@example.com", "not verified")
    page.shot("ada-notes")

    page.click("nav >> text=Sign out")
    page.wait_for_url("**/?__flash=*")
    assert page.inner_text(".flash") == "Signed out."
    assert page.inner_text("nav .who") == "guest"
    assert "pb_auth" not in {c["name"] for c in page.context.cookies()}
    for guarded in ("/notes", "/account"):
        page.goto(guarded)
        page.wait_for_url("**/sign/in?__flash=*")
        assert page.inner_text(".flash") == "Please sign in first."

    submit(page, {"email": "ada@example.com", "password": "not the password"})
    assert page.inner_text(".problem") == "Invalid email or password."
    submit(page, {"password": PASSWORD}, "**/notes?__flash=*")
    assert page.inner_text(".flash") == "Signed in as ada@example.com."
    assert notes(page) == ["first of ada", "second of ada"]
    page.click("nav >> text=Sign out")
    page.wait_for_url("**/?__flash=*")

    page.click("nav >> text=Sign up")
    submit(page, {"email": "bob@example.com", "password": PASSWORD}, "**/notes?__flash=*")
    assert page.inner_text("nav .who") == "bob@example.com"
    assert (page.inner_text(".count"), notes(page)) == ("0", [])  # ada's notes are hidden from bob
    submit(page, {"text": "bob's only"}, "**/notes?__flash=Saved.")
    assert notes(page) == ["bob's only"]
    owners = {page.get_attribute("ul.notes li", "data-owner")}
    page.shot("bob-notes")

    # The REST API agrees: bob's cookie is not an Authorization header, so a browser fetch sees nothing.
    listed = page.evaluate("fetch('/api/collections/notes/records').then((r) => r.json())")
    assert (listed["totalItems"], listed["items"]) == (0, [])

    page.click("nav >> text=Sign out")
    page.wait_for_url("**/?__flash=*")
    page.click("nav >> text=Sign in")
    submit(page, {"email": "ada@example.com", "password": PASSWORD}, "**/notes?__flash=*")
    assert notes(page) == ["first of ada", "second of ada"]
    assert owners.isdisjoint(page.locator("ul.notes li").evaluate_all("(els) => els.map((e) => e.dataset.owner)"))
