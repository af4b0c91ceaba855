"""Attack: since 3160144 an `$apis.*` middleware's `func` is an accessor on a frozen shared prototype with no
setter. A hook file that wraps the built-in guard (`const check = guard.func; guard.func = (e) => {extra check;
return check(e)}`), which PocketBase (a Go struct field) and pagesvm before 3160144 (an own data property) both
honour, silently loses its wrapper in a sloppy file: the extra check never runs and a signed-in user without the
key reaches the handler. In a strict file the same assignment throws, so the project no longer starts."""

import pytest

from tests.helpers import start_server, user_token, write_site

WRAP = """
const guard = $apis.requireAuth()
const check = guard.func
guard.func = (e) => {
  if (e.request.header.get("X-Key") !== "k") throw new ForbiddenError("A key is needed.")
  return check(e)
}
routerAdd("GET", "/api/keyed", (e) => e.json(200, { in: true }), guard)
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = str(tmp_path_factory.mktemp("data"))
    running = start_server(write_site(tmp_path_factory.mktemp("project"), {"pb_hooks/wrap.pb.js": WRAP}),
                           "--workers", "1", data_dir=data)
    yield running, user_token(data, "key@example.com")
    running.stop()


def test_a_wrapped_require_auth_keeps_its_wrapper(served):
    server, token = served
    without_key = server.get("/api/keyed", headers={"Authorization": token})
    assert without_key.status == 403, without_key.text  # PocketBase 0.40 answers 403 "A key is needed."
    assert server.get("/api/keyed").status == 403  # the wrapper runs before the guard, as on PocketBase
    assert server.get("/api/keyed", headers={"Authorization": token, "X-Key": "k"}).json() == {"in": True}
    assert server.get("/api/keyed", headers={"X-Key": "k"}).status == 401


def test_a_strict_hook_file_may_assign_the_func_of_an_apis_middleware(tmp_path_factory):
    site = write_site(tmp_path_factory.mktemp("strict"), {"pb_hooks/wrap.pb.js": '"use strict"\n' + WRAP})
    server = start_server(site, "--workers", "1", data_dir=str(tmp_path_factory.mktemp("data")))
    try:
        assert server.get("/api/keyed").status == 403
    finally:
        server.stop()
