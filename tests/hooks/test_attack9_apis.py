"""$apis middlewares against the real PocketBase: PocketBase binds a route's middlewares after the routerUse ones
into one hook where a handler with the id of one already bound replaces it (bodyLimit's pbBodyLimit,
requireAuth's pbRequireAuth…), a bodyLimit of 0 or less is no limit, and the maker's arguments are no
property of the object a file can reach (no symbol keys)."""
import json
import os
import shutil

import pytest

from tests.helpers import PocketBase, request, start_server

HOOK = r'''
routerUse($apis.bodyLimit(200))
routerAdd("POST", "/api/x/raised", (e) => e.json(200, { ok: true }), $apis.bodyLimit(1000))
routerAdd("POST", "/api/x/lowered", (e) => e.json(200, { ok: true }), $apis.bodyLimit(50))
routerAdd("POST", "/api/x/zero", (e) => e.json(200, { ok: true }), $apis.bodyLimit(0))
routerAdd("POST", "/api/x/negative", (e) => e.json(200, { ok: true }), $apis.bodyLimit(-1))
routerAdd("POST", "/api/x/twice", (e) => e.json(200, { ok: true }), $apis.bodyLimit(20), $apis.bodyLimit(600))
routerAdd("POST", "/api/x/plain", (e) => e.json(200, { ok: true }))
routerAdd("POST", "/api/x/own-id", (e) => e.json(200, { ok: true }), new Middleware((e) => e.next(), 0, "pbBodyLimit"))
routerAdd("GET", "/api/x/auth", (e) => e.json(200, { ok: true }), $apis.requireAuth("nope"), $apis.requireAuth())
routerAdd("GET", "/api/x/symbols", (e) => e.json(200, [$apis.gzip(), $apis.bodyLimit(5), $apis.requireSuperuserOrOwnerAuth("id")]
  .map((m) => [Object.getOwnPropertySymbols(m).length, JSON.stringify(m)])))
routerAdd("GET", "/api/x/owner/{id}", (e) => e.json(200, { ok: true }), $apis.requireSuperuserOrOwnerAuth())
'''
EMAIL, PASSWORD = "u9@example.com", "secret-pass-9"
ROWS = [  # (method, path, body size, signed in)
    ("POST", "/api/x/raised", 500, False),
    ("POST", "/api/x/raised", 1500, False),
    ("POST", "/api/x/lowered", 100, False),
    ("POST", "/api/x/zero", 100, False),
    ("POST", "/api/x/zero", 500, False),
    ("POST", "/api/x/negative", 0, False),
    ("POST", "/api/x/negative", 500, False),
    ("POST", "/api/x/twice", 100, False),
    ("POST", "/api/x/twice", 700, False),
    ("POST", "/api/x/plain", 100, False),
    ("POST", "/api/x/plain", 500, False),
    ("POST", "/api/x/own-id", 500, False),
    ("GET", "/api/x/auth", 0, False),
    ("GET", "/api/x/auth", 0, True),
    ("GET", "/api/x/symbols", 0, False),
    ("GET", "/api/x/owner/USERID", 0, True),
    ("GET", "/api/x/owner/UPPERID", 0, True),
    ("GET", "/api/x/owner/ENCODEDID", 0, True),
    ("GET", "/api/x/owner/", 0, True),
]


def ask(host, port, row, token, user_id):
    method, path, size, signed = row
    path = (path.replace("USERID", user_id).replace("UPPERID", user_id.upper())
            .replace("ENCODEDID", "%%%02X" % ord(user_id[0]) + user_id[1:]))
    headers = {"Content-Type": "text/plain"}
    if signed:
        headers["Authorization"] = token
    r = request(host, port, method, path, "x" * size if size else None, headers)
    body = json.loads(r.body) if r.body and (r.header("content-type") or "").startswith("application/json") else r.body
    return r.status, body


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("pb"))
    pb = PocketBase(folder, hooks={"a.pb.js": HOOK})
    try:
        pb.call("POST", "/api/collections/users/records", {"email": EMAIL, "password": PASSWORD, "passwordConfirm": PASSWORD})
        signed = pb.call("POST", "/api/collections/users/auth-with-password", {"identity": EMAIL, "password": PASSWORD})[1]
        token, user_id = signed["token"], signed["record"]["id"]
        theirs = [ask("127.0.0.1", pb.port, row, token, user_id) for row in ROWS]
    finally:
        pb.stop()
    project = str(tmp_path_factory.mktemp("project"))
    os.makedirs(os.path.join(project, "pb_hooks"))
    with open(os.path.join(project, "pb_hooks", "a.pb.js"), "w", encoding="utf-8") as handle:
        handle.write(HOOK)
    data = str(tmp_path_factory.mktemp("data"))
    shutil.copytree(os.path.join(folder, "pb_data"), data, dirs_exist_ok=True)
    server = start_server(project, data_dir=data)
    try:
        ours = [ask(server.host, server.port, row, token, user_id) for row in ROWS]
    finally:
        server.stop()
    return theirs, ours


@pytest.mark.parametrize("index", range(len(ROWS)), ids=["%s %s %d%s" % (m, p, n, " signed" if s else "") for m, p, n, s in ROWS])
def test_same_answer_as_pocketbase(answers, index):
    theirs, ours = answers
    assert ours[index] == theirs[index]
