"""pb_hooks routes against the real PocketBase: tests/sites/hooks_project/pb_hooks served by the binary and
by `pagesvm serve`, the request table of hooks_corpus.py sent to both (routes with parameters, middleware
order, e.next(), each error class, plain throws, 404s, method mismatch, CORS, requestInfo typing, e.auth
from a token); status, the headers that matter and the bodies (JSON compared as data) must agree.
pagesvm serves a copy of the binary's data.db, so one user's token is valid on both."""
import json
import os
import shutil

import pytest

from tests.helpers import SITES, PocketBase, hook_sources, request, start_server
from tests.hooks.hooks_corpus import HEADERS, ROWS

PROJECT = os.path.join(SITES, "hooks_project")
EMAIL, PASSWORD = "u@example.com", "secret-pass-1"


def answer(host, port, row, token, superuser, user_id):
    name, method, path, body, headers = row
    headers = {k: v.replace("AUTH", token).replace("SUPER", superuser) for k, v in headers.items()}
    path = path.replace("USERID", user_id)
    r = request(host, port, method, path, body, headers)
    kept = {k.lower(): v for k, v in r.headers if k.lower() in HEADERS}
    content = r.body
    if (kept.get("content-type") or "").startswith("application/json") and content:
        content = json.loads(content)
    return r.status, kept, content


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("pb"))
    hooks = hook_sources(PROJECT)
    pb = PocketBase(folder, hooks=hooks)
    try:
        pb.call("POST", "/api/collections/users/records", {"email": EMAIL, "password": PASSWORD, "passwordConfirm": PASSWORD})
        signed = pb.call("POST", "/api/collections/users/auth-with-password", {"identity": EMAIL, "password": PASSWORD})[1]
        token, user_id = signed["token"], signed["record"]["id"]
        theirs = [answer("127.0.0.1", pb.port, row, token, pb.token, user_id) for row in ROWS]
    finally:
        pb.stop()
    data = str(tmp_path_factory.mktemp("data"))
    shutil.copytree(os.path.join(folder, "pb_data"), data, dirs_exist_ok=True)
    server = start_server(PROJECT, data_dir=data)
    try:
        ours = [answer(server.host, server.port, row, token, pb.token, user_id) for row in ROWS]
    finally:
        server.stop()
    return theirs, ours


@pytest.mark.parametrize("index", range(len(ROWS)), ids=[row[0] for row in ROWS])
def test_same_answer_as_pocketbase(answers, index):
    theirs, ours = answers
    assert ours[index] == theirs[index]


def test_table_is_large_enough():
    assert len(ROWS) >= 100
