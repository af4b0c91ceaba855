"""The official JS SDK (npm `pocketbase`, in node) through one fixed flow — sign-up, sign-in, refresh, CRUD under
owner rules, another user's record refused, validation errors, bad filters, expand, fields, files, a superusers-only
collection, the auth mails — against the real PocketBase 0.40.6 and against `pagesvm serve`, each on a fresh copy
of tests/sites/sdk_flow (its pb_migrations applied at start-up). The binary's transcript is the specification:
the first test pins its key facts, the second wants pagesvm's transcript to equal it once normalised."""
import os
import shutil

import pytest

from tests.api.sdk_transcript import SITE, by_step, normalise, report, run_flow
from tests.helpers import PocketBase, node_sdk, start_server

# Every step of flow.mjs with the HTTP status the binary answers (None: no request, the SDK answers alone).
STATUSES = {
    "health": 200,
    "users.create A": 200,
    "users.create B": 200,
    "users.create duplicate email": 400,
    "users.create password mismatch": 400,
    "authWithPassword A wrong password": 400,
    "authWithPassword A": 200,
    "authStore A": None,
    "authRefresh A": 200,
    "authWithPassword B": 200,
    "posts.create published as A": 200,
    "posts.create draft with file as A": 200,
    "posts.create unowned draft as A": 200,
    "posts.create missing title": 400,
    "posts.create bad values": 400,
    "posts.create file of a refused type": 400,
    "posts.create file over maxSize": 400,
    "posts.create anonymous": 400,
    "notes.create anonymous": 200,
    "posts.getList as A": 200,
    "posts.getList fields skipTotal as A": 200,
    "posts.getList expand anonymous": 200,
    "posts.getFullList as A": 200,
    "posts.getFullList anonymous": 200,
    "posts.getFirstListItem found": 200,
    "posts.getFirstListItem missing": 404,
    "posts.getFirstListItem draft as B": 404,
    "posts.getOne draft as A": 200,
    "posts.getOne draft as B": 404,
    "posts.getOne draft anonymous": 404,
    "posts.getOne published anonymous": 200,
    "posts.update as A": 200,
    "posts.update as B": 404,
    "posts.update published as B": 404,
    "posts.delete as B": 404,
    "posts.delete as A": 204,
    "posts.getOne deleted": 404,
    "posts.getList bad filter": 400,
    "posts.getList unknown field": 400,
    "posts.getList bad sort": 400,
    "unknown collection": 404,
    "files.getURL": None,
    "files fetch": 200,
    "files fetch missing": 404,
    "secrets.getList as A": 403,
    "secrets.getList anonymous": 403,
    "secrets.create as A": 403,
    "users.getOne B as A": 404,
    "users.getList as A": 200,
    "users.listAuthMethods": 200,
    "users.requestPasswordReset": 204,
    "users.requestPasswordReset unknown": 204,
    "users.requestVerification": 204,
    "authStore A after clear": None,
}
NOT_FOUND = "The requested resource wasn't found."
GENERIC = "Something went wrong while processing your request."


def _fresh_site(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp(name) / "sdk_flow"
    shutil.copytree(SITE, folder)
    return str(folder)


@pytest.fixture(scope="module")
def sdk():
    return node_sdk()


@pytest.fixture(scope="module")
def binary(sdk, tmp_path_factory):
    """The normalised transcript of the flow against the real PocketBase."""
    folder = _fresh_site(tmp_path_factory, "pocketbase")
    pb = PocketBase(folder, migrations=os.path.join(folder, "pb_migrations"))
    try:
        return normalise(run_flow(*sdk, f"http://127.0.0.1:{pb.port}"))
    finally:
        pb.stop()


def test_the_binary_answers_the_flow_as_pinned(binary):
    steps = by_step(binary)
    assert {name: entry["status"] for name, entry in steps.items()} == STATUSES
    for name, entry in steps.items():  # the file steps use plain fetch(), which answers any status
        assert entry["ok"] == (STATUSES[name] is None or STATUSES[name] < 400 or name.startswith("files")), name
    error = {name: entry["error"] for name, entry in steps.items() if not entry["ok"]}
    # Refusals by a rule hide the record (404) rather than naming the rule; null rules say so (403).
    for name in ("posts.getOne draft as B", "posts.getOne draft anonymous", "posts.update as B",
                 "posts.delete as B", "posts.getFirstListItem draft as B", "users.getOne B as A"):
        assert error[name] == {"status": 404, "message": NOT_FOUND, "data": {}}, name
    assert error["secrets.getList anonymous"]["message"] == "Only superusers can perform this action."
    assert error["posts.create anonymous"] == {"status": 400, "message": "Failed to create record.", "data": {}}
    assert error["posts.getList bad filter"] == {"status": 400, "message": GENERIC, "data": {}}
    assert error["unknown collection"] == {"status": 404, "message": "Missing collection context.", "data": {}}
    assert error["authWithPassword A wrong password"] == {"status": 400, "message": "Failed to authenticate.",
                                                          "data": {}}
    assert error["posts.create missing title"]["data"] == {
        "title": {"code": "validation_required", "message": "Cannot be blank."}}
    assert error["posts.create file of a refused type"]["data"]["attachment"]["code"] == \
        "validation_invalid_mime_type"
    # Lists: the draft is A's alone; expand follows the users view rule (anonymous sees no owner).
    # An empty owner equals an anonymous request's empty auth id: the unowned draft is shown to anonymous only.
    assert [p["title"] for p in steps["posts.getFullList as A"]["data"]] == ["Draft post", "Hello world"]
    assert [p["title"] for p in steps["posts.getFullList anonymous"]["data"]] == ["Hello world", "Unowned draft"]
    anonymous = steps["posts.getList expand anonymous"]["data"]
    assert anonymous["totalItems"] == 2 and [p["expand"] for p in anonymous["items"]] == [{}, {}]
    skipped = steps["posts.getList fields skipTotal as A"]["data"]
    assert (skipped["totalItems"], skipped["totalPages"]) == (-1, -1)
    assert skipped["items"][0] == {"expand": {"owner": {"name": "Alice"}}, "id": "<id4>", "tags": ["py"],
                                   "title": "Draft post"}
    assert steps["files.getURL"]["data"] == "/api/files/pbc_1125843985/<id4>/hello_<file1>.txt"
    assert steps["files fetch"]["data"] == {"status": 200, "contentType": "text/plain; charset=utf-8", "length": 19}
    assert steps["posts.delete as A"]["data"] is True
    assert steps["authStore A after clear"]["data"] == {"isSuperuser": False, "isValid": False, "record": None,
                                                        "token": ""}


def test_pagesvm_answers_as_pocketbase(binary, sdk, tmp_path_factory):
    folder = _fresh_site(tmp_path_factory, "pagesvm")
    server = start_server(folder, "--workers", "1", data_dir=os.path.join(folder, "pb_data"))
    try:
        ours = normalise(run_flow(*sdk, server.url))
    finally:
        server.stop()
    diff = report(binary, ours)
    assert not diff, diff
