"""The cross-site guard: the rule itself, the page opt-out, and refusals on a real server."""
import os

import pytest

from runtime.http.csrf import OptOuts, refusal
from runtime.render.site import Site
from tests.bindings.auth_helpers import auth_cookie, register, set_cookies, start, whoami
from tests.helpers import SITES

HOST = "127.0.0.1:8090"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "post"])
@pytest.mark.parametrize("headers", [
    {"origin": "http://evil.example"},
    {"origin": "https://127.0.0.1:8090"},            # other scheme
    {"origin": "http://127.0.0.1:8091"},             # other port
    {"origin": "http://sub.127.0.0.1:8090"},
    {"origin": "null"},                               # sandboxed frames, data: URLs
    {"origin": "http://127.0.0.1:8090/path"},         # not an origin at all
    {"sec-fetch-site": "cross-site"},
    {"sec-fetch-site": "cross-site", "origin": "http://127.0.0.1:8090"},
])
def test_unsafe_requests_from_elsewhere_are_refused(method, headers):
    assert refusal(method, headers, "http", HOST)


@pytest.mark.parametrize("method, headers, scheme, host", [
    ("GET", {"origin": "http://evil.example", "sec-fetch-site": "cross-site"}, "http", HOST),
    ("HEAD", {"sec-fetch-site": "cross-site"}, "http", HOST),
    ("OPTIONS", {"origin": "http://evil.example"}, "http", HOST),
    ("POST", {}, "http", HOST),                                          # curl, server-to-server
    ("POST", {"origin": "http://127.0.0.1:8090"}, "http", HOST),
    ("POST", {"origin": "HTTP://127.0.0.1:8090", "sec-fetch-site": "same-origin"}, "http", HOST),
    ("POST", {"origin": "https://example.com"}, "https", "example.com"),      # default port either side
    ("POST", {"origin": "https://example.com:443"}, "https", "Example.com"),
    ("DELETE", {"sec-fetch-site": "none"}, "http", HOST),                  # typed in the address bar
])
def test_safe_methods_same_origin_and_non_browsers_pass(method, headers, scheme, host):
    assert refusal(method, headers, scheme, host) is None


def test_opt_out_marker_is_read_once_and_again_when_the_file_changes(tmp_path):
    page = tmp_path / "hook.ejs"
    page.write_text("<%# pagesvm:allow-cross-site %>\nhello")
    (tmp_path / "plain.ejs").write_text("<p>pagesvm:allow-cross-site in text is not the marker</p>")
    (tmp_path / "escaped.ejs").write_text("<%%# pagesvm:allow-cross-site %>")
    opt = OptOuts(Site(str(tmp_path)))
    assert opt.allows("hook.ejs") is True
    assert opt.allows("plain.ejs") is False and opt.allows("escaped.ejs") is False
    assert opt.allows("missing.ejs") is False
    page.write_text("no marker any more, and a different size")
    assert opt.allows("hook.ejs") is False


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = start(tmp_path_factory.mktemp("csrf") / "data")
    yield s
    s.stop()


EVIL = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}


def test_cross_site_logout_is_refused_before_the_page_runs(server):
    cookie = auth_cookie(register(server, "csrf@example.com"))
    res = server.post("/logout", form={"action": "logout"}, cookies={"pb_auth": cookie}, headers=EVIL)
    assert res.status == 403 and "pb_auth" not in set_cookies(res)
    assert whoami(server, cookie)[1]["email"] == "csrf@example.com"  # still signed in


def test_cross_site_login_and_register_are_refused_before_the_page_runs(server):
    for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        res = server.post("/register", form={"email": "forced@example.com", "password": "password123"},
                          headers=headers)
        assert res.status == 403 and "pb_auth" not in set_cookies(res)
    ok = register(server, "forced@example.com", "password123")
    assert ok.status == 302  # the refused requests created nothing
    refused = server.post("/login", form={"email": "forced@example.com", "password": "password123"}, headers=EVIL)
    assert refused.status == 403 and "pb_auth" not in set_cookies(refused)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_unsafe_methods_are_refused_too(server, method):
    assert server.request(method, "/whoami", headers={"Origin": "http://evil.example"}).status == 403


def test_same_origin_and_cross_site_get_are_served(server):
    same = server.post("/webhook", headers={"Origin": server.url, "Sec-Fetch-Site": "same-origin"})
    assert same.status == 200
    assert server.get("/whoami", headers=EVIL).status == 200


def test_page_with_the_marker_accepts_cross_site_posts(server):
    res = server.post("/webhook", body="{}", headers={**EVIL, "Content-Type": "application/json"})
    assert res.status == 200 and res.json() == {"received": "POST"}


def test_seed_site_marker_lives_only_in_the_webhook_page():
    marked = [name for name in os.listdir(os.path.join(SITES, "auth_seed"))
              if name.endswith(".ejs") and "pagesvm:allow-cross-site" in open(os.path.join(SITES, "auth_seed", name)).read()]
    assert marked == ["webhook.ejs"]


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    from tests.helpers import start_server

    s = start_server(os.path.join(SITES, "csrf_site"), data_dir=str(tmp_path_factory.mktemp("csrf_site")))
    yield s
    s.stop()


@pytest.mark.parametrize("path", ["/does-not-exist", "/_private/x", "/style.css", "/"])
def test_cross_site_posts_are_refused_whatever_they_reach(guarded, path):
    """Unknown URLs (the +404 page runs the root middleware), private segments and static files
    are checked like pages: nothing of the site runs for a refused request."""
    res = guarded.post(path, form={"a": "1"}, headers=EVIL)
    assert res.status == 403 and "mw" not in set_cookies(res)


def test_the_same_requests_from_the_site_itself_reach_the_site(guarded):
    res = guarded.post("/does-not-exist", form={"a": "1"}, headers={"Origin": guarded.url})
    assert res.status == 404 and set_cookies(res)["mw"]["value"] == "ran"  # the fixture's middleware does run
    assert guarded.get("/does-not-exist", headers=EVIL).status == 404


def test_opt_out_still_opens_its_own_page_only(guarded):
    res = guarded.post("/hook", headers=EVIL)
    assert res.status == 200 and res.json() == {"received": "POST"}
