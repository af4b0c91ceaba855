"""Attack: `$apis.requireAuth()`/`requireSuperuserAuth()`/`requireGuestOnly()` and `e.hasSuperuserAuth()` judged the
request's token, never `e.auth`. A `routerUse` middleware that signs a revoked or banned account out
(`e.auth = null`, as PocketBase projects do) was ignored: the banned token still passed `requireAuth` and reached
the handler. On PocketBase the guards read `e.auth`, so that user gets 401 and counts as a guest, and a middleware
that sets `e.auth` to a record (cookie sign-in) satisfies them. A value that is not a Record never does."""

import pytest

from tests.helpers import start_server, user_token, write_site

HOOKS = {
    "pb_hooks/ban.pb.js": """
routerUse((e) => { if (e.request.header.get('X-Ban')) e.auth = null; return e.next() })
routerAdd("GET", "/api/me", (e) => e.json(200, { auth: e.auth ? e.auth.id : null }), $apis.requireAuth())
routerAdd("GET", "/api/guest", (e) => e.json(200, { guest: true }), $apis.requireGuestOnly())
routerAdd("GET", "/api/signin", (e) => e.json(200, { auth: e.auth.email() }),
  (e) => { e.auth = $app.findAuthRecordByEmail('users', 'ban@example.com'); return e.next() }, $apis.requireAuth('users'))
routerAdd("GET", "/api/fake", (e) => e.json(200, { su: e.hasSuperuserAuth() }),
  (e) => { e.auth = { id: 'x', collection: () => ({ name: '_superusers' }) }; return e.next() }, $apis.requireSuperuserAuth())
""",
}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = str(tmp_path_factory.mktemp("data"))
    running = start_server(write_site(tmp_path_factory.mktemp("project"), HOOKS), "--workers", "1", data_dir=data)
    yield running, user_token(data, "ban@example.com")
    running.stop()


def test_a_middleware_signing_the_account_out_stops_require_auth(served):
    server, token = served
    assert server.get("/api/me", headers={"Authorization": token}).status == 200
    banned = server.get("/api/me", headers={"Authorization": token, "X-Ban": "1"})
    assert banned.status == 401, banned.text
    assert server.get("/api/guest", headers={"Authorization": token}).status == 400
    assert server.get("/api/guest", headers={"Authorization": token, "X-Ban": "1"}).json() == {"guest": True}


def test_a_middleware_setting_a_record_satisfies_require_auth_but_a_plain_object_does_not(served):
    server, _ = served
    assert server.get("/api/signin").json() == {"auth": "ban@example.com"}
    assert server.get("/api/fake").status == 401
