"""Attack: `routerUse($apis.bodyLimit(n))` was accepted and then ignored: only a route's own bodyLimit was checked,
so a limit a project set for every route (as PocketBase applies it: 413 before any handler, for unknown /api
paths too) let any body up to --max-body reach every handler."""
import pytest

HOOKS = {
    "pb_hooks/limits.pb.js": """
routerUse($apis.bodyLimit(10))
routerAdd("POST", "/api/open", (e) => e.json(200, { len: JSON.stringify(e.requestInfo().body).length }))
routerAdd("POST", "/api/own", (e) => e.json(200, { ok: true }), $apis.bodyLimit(100))
""",
}
BIG = '{"a":"0123456789012345"}'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.helpers import start_server, write_site

    running = start_server(write_site(tmp_path_factory.mktemp("project"), HOOKS), "--workers", "1",
                           data_dir=str(tmp_path_factory.mktemp("data")))
    yield running
    running.stop()


def _post(server, path, body):
    return server.request("POST", path, body=body, headers={"Content-Type": "application/json"})


def test_a_router_use_body_limit_covers_every_route(server):
    assert _post(server, "/api/open", '{"a":1}').json() == {"len": 7}
    big = _post(server, "/api/open", BIG)
    assert big.status == 413
    assert big.json() == {"data": {}, "message": "Request entity too large.", "status": 413}
    # the route's own replaces routerUse's (one id, pbBodyLimit, as on the binary: tests/hooks/test_attack9_apis.py)
    assert _post(server, "/api/own", BIG).status == 200
    assert _post(server, "/api/own", '{"a":"%s"}' % ("x" * 100)).status == 413


def test_a_router_use_body_limit_covers_the_json_404(server):
    assert _post(server, "/api/nothing", BIG).status == 413
    assert _post(server, "/api/nothing", "{}").status == 404
