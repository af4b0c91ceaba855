"""The auth plugin's OAuth2 sign-in in pages, end to end over plain HTTP: tests/sites/oauth2_site's /login calls
`requestOAuth2Login('oidc')` (a redirect to the fake provider, the provider's state kept in a cookie), the fake
provider sends the browser back to /auth/oauth/confirm, whose `signInWithOAuth2(state, code)` signs in through
the API and sets the pb_auth cookie. The app URL is http://oauth2.test; the test maps it to the server."""
import http.client
import os
import shutil
import urllib.parse

import pytest

from tests.api.fake_oidc import FakeOIDC
from tests.helpers import SITES, start_server

SITE = os.path.join(SITES, "oauth2_site")
APP = "http://oauth2.test"


@pytest.fixture(scope="module")
def fake():
    provider = FakeOIDC()
    provider.user = {"sub": "p-1", "name": "Pat", "email": "pat@example.com", "email_verified": True}
    yield provider
    provider.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, fake):
    site = shutil.copytree(SITE, str(tmp_path_factory.mktemp("site") / "oauth2_site"))
    migration = os.path.join(site, "pb_migrations", "1700000000_oauth2.js")
    with open(migration, encoding="utf-8") as handle:
        text = handle.read().replace("__FAKE_OIDC_URL__", fake.url)
    with open(migration, "w", encoding="utf-8") as handle:
        handle.write(text)
    running = start_server(site, "--workers", "1", data_dir=str(tmp_path_factory.mktemp("data")))
    yield running
    running.stop()


def _cookies(response) -> dict:
    jar = {}
    for line in response.header_all("Set-Cookie"):
        name, _, rest = line.partition("=")
        jar[name] = rest.split(";")[0]
    return jar


def _provider_redirect(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", parts.path + "?" + parts.query)
        answer = conn.getresponse()
        answer.read()
        assert answer.status == 302
        return answer.getheader("Location")
    finally:
        conn.close()


def test_sign_in_with_the_provider(server, fake):
    start = server.get("/login")
    assert start.status in (302, 303), start.body
    to_provider = start.header("Location")
    assert to_provider.startswith(fake.url + "/authorize?") and to_provider.endswith(
        "&redirect_uri=" + APP + "/auth/oauth/confirm")
    jar = _cookies(start)
    assert "pp_oauth_state" in jar
    back = _provider_redirect(to_provider)
    assert back.startswith(APP + "/auth/oauth/confirm?code=")
    done = server.get(back[len(APP):], cookies=jar)
    assert done.status in (302, 303), done.body
    assert done.header("Location").split("?")[0] == "/"
    jar.update(_cookies(done))
    assert jar.get("pb_auth")
    home = server.get("/", cookies={"pb_auth": jar["pb_auth"]})
    assert "Hello, pat@example.com" in home.text


def test_a_state_that_does_not_match_is_refused(server, fake):
    start = server.get("/login")
    back = _provider_redirect(start.header("Location"))
    forged = back.replace("state=", "state=x")
    done = server.get(forged[len(APP):], cookies=_cookies(start))
    assert done.status == 200 and "State parameters don" in done.text and " match." in done.text
    assert "pb_auth" not in _cookies(done)
