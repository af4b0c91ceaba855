"""Record hooks around the REST API's own saves against the real PocketBase 0.40.6: tests/sites/apirec_project
(pb_hooks/records.pb.js: onRecordCreate/Update/Delete, …Execute, onRecordValidate, the After…Success/Error
hooks writing a `logs` record with `$app.save`, collection filters, onRecordEnrich on an auth answer) served by
the binary and by `pagesvm serve` on the same migrations. The same requests sent to both (REST creates, updates
and deletes, a password-reset confirm, a sign-in); statuses, bodies (ids, times, tokens normalised) and the log
the hooks wrote, read back through the API, compared."""
import json
import os
import re

import pytest

from tests.helpers import SITES, PocketBase, hook_sources, masked, request, start_server

PROJECT = os.path.join(SITES, "apirec_project")
POSTS, NOTES, USERS = "/api/collections/posts/records", "/api/collections/notes/records", "/api/collections/users"
LOG = "/api/collections/logs/records?sort=seq&fields=seq,msg"
RESET = "reset"  # stands for a password-reset token of ann@example.com, made for each side's data.db
ROWS = [
    ("POST", POSTS, {"title": "hello", "n": 1}),  # values changed before and after e.next(), Execute, Success
    ("POST", POSTS, {"title": "throw"}),  # a plain Error: 400 Failed to create record., the Error hook
    ("POST", POSTS, {"title": "api-throw"}),  # a BadRequestError: its own answer
    ("POST", POSTS, {"title": "invalid-x"}),  # onRecordValidate refusing
    ("POST", POSTS, {"title": "stop"}),  # no e.next(): nothing written, still a success
    ("POST", NOTES, {"id": "note00000000001", "title": "throw"}),  # a collection the posts hooks filter out
    ("POST", POSTS, {"id": "post00000000003", "title": "gone", "n": 2}),
    ("PATCH", POSTS + "/post00000000001", {"title": "second"}),  # onRecordUpdate changing n
    ("PATCH", POSTS + "/post00000000001", {"title": "locked"}),  # ForbiddenError
    ("DELETE", POSTS + "/post00000000002", None),  # onRecordDelete throwing: the Error hook
    ("DELETE", POSTS + "/post00000000003", None),  # an unfiltered After…Success hook
    ("DELETE", NOTES + "/note00000000001", None),
    ("GET", LOG, None),
    ("GET", POSTS + "?sort=title&fields=id,title,n,note", None),
    ("POST", USERS + "/confirm-password-reset", {"token": RESET, "password": "new-pass-12", "passwordConfirm": "new-pass-12"}),
    ("POST", USERS + "/auth-with-password", {"identity": "ann@example.com", "password": "new-pass-12"}),  # enrich
    ("POST", USERS + "/auth-with-password", {"identity": "ann@example.com", "password": "secret-pass-1"}),
    ("GET", USERS + "/records?fields=name,greeting", None),
    ("GET", LOG, None),
]
_KEEP_IDS = ("post00000000001", "post00000000002", "post00000000003", "note00000000001")


def _normal(value):
    return masked(value, _KEEP_IDS)


def _reset_token(data_dir: str) -> str:
    """A password-reset token for ann@example.com, signed with that data.db's keys (as its server would mail)."""
    from runtime.data.process import store_for
    from runtime.data.tokens import issue_record_token

    store = store_for(data_dir)
    users = store.find_collection_by_name_or_id("users")
    ann = store.find_first_record_by_filter("users", "email = 'ann@example.com'")
    return issue_record_token(users, ann, "passwordReset", email=ann.email())


def _run(host, port, data_dir):
    out = []
    for method, path, body in ROWS:
        if body is not None and body.get("token") == RESET:
            body = {**body, "token": _reset_token(data_dir)}
        answer = request(host, port, method, path, json.dumps(body) if body is not None else None,
                         {"Content-Type": "application/json"})
        text = answer.body.decode()
        out.append((answer.status, _normal(json.loads(text)) if text else text))
    return out


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("pb"))
    pb = PocketBase(folder, hooks=hook_sources(PROJECT), migrations=os.path.join(PROJECT, "pb_migrations"))
    try:
        theirs = _run("127.0.0.1", pb.port, os.path.join(folder, "pb_data"))
    finally:
        pb.stop()
    data = str(tmp_path_factory.mktemp("data"))
    server = start_server(PROJECT, "--workers", "1", "--timeout", "2", data_dir=data)
    try:
        ours = _run(server.host, server.port, data)
        yield theirs, ours, server
    finally:
        server.stop()


@pytest.mark.parametrize("index", range(len(ROWS)), ids=[f"{i}-{r[0]}-{r[1]}" for i, r in enumerate(ROWS)])
def test_same_answer_as_pocketbase(sides, index):
    theirs, ours, _ = sides
    assert ours[index] == theirs[index]


def test_the_hooks_ran_on_the_binary(sides):
    theirs, _, _ = sides
    assert theirs[0][1]["title"] == "hello!" and theirs[0][1]["n"] == 8 and theirs[0][1]["note"] == "after-next"
    assert theirs[2] == (400, {"data": {}, "message": "Create refused.", "status": 400})
    assert theirs[15][1]["record"]["greeting"] == "hi Ann+hook"
    log = [item["msg"] for item in theirs[-1][1]["items"]]
    assert "create failed throw: Error: create boom" in log and "updated users Ann+hook n=0" in log


def test_a_spinning_record_hook_is_stopped_and_nothing_is_written(sides):
    _, _, server = sides
    spun = server.request("POST", POSTS, json.dumps({"title": "spin"}), {"Content-Type": "application/json"},
                          timeout=20)
    assert spun.status >= 500
    listed = json.loads(server.get(POSTS + "?filter=" + "title~'spin'").body)
    assert listed["totalItems"] == 0
    again = server.request("POST", POSTS, json.dumps({"title": "after"}), {"Content-Type": "application/json"})
    assert again.status == 200 and json.loads(again.body)["title"] == "after!"


def test_a_collection_no_record_hook_concerns_answers_directly(sides):
    from runtime.http.api_routes import _concerned
    from runtime.api import ApiRequest

    _, _, server = sides
    made = server.request("POST", NOTES, json.dumps({"title": "plain"}), {"Content-Type": "application/json"})
    assert made.status == 200
    assert re.fullmatch(r"[a-z0-9]{15}", json.loads(made.body)["id"])
    assert not _concerned(None, ApiRequest("POST", NOTES), None)


def test_pb_in_a_page_fires_the_record_hooks(tmp_path):
    """pb() in a page is answered by the server's own API inside the page's evaluation: its saves and deletes
    run the same record hooks as HTTP calls (PocketPages' pb() reaches PocketBase over HTTP, where they fire)."""
    import shutil

    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    pages = project / "pb_hooks" / "pages"
    pages.mkdir()
    (pages / "index.ejs").write_text(
        "<% const made = pb().collection('posts').create({title: 'via pb', n: 1}) %>made:<%= made.title %>:<%= made.n %>\n"
        "<% try { pb().collection('posts').create({title: 'api-throw'}) } catch (e) { %>"
        "refused:<%= e.status %>:<%= e.response.message %><% } %>\n"
        "<% try { pb().collection('posts').delete('post00000000002') } catch (e) { %>kept:<%= e.status %><% } %>\n"
        "<% pb().collection('posts').update('post00000000001', {title: 'paged'}) %>"
        "<% pb().collection('posts').delete(made.id) %>"
        "log:<%= pb().collection('logs').getFullList({sort: 'seq'}).slice(2).map((r) => r.msg).join(';') %>")
    running = start_server(str(project), "--workers", "1", data_dir=str(tmp_path / "data"))
    try:
        page = running.get("/")
        assert page.status == 200, page.body
        assert "made:via pb!:8" in page.text and "refused:400:Create refused." in page.text
        assert "kept:400" in page.text
        assert ("log:created via pb! n=8 note=after-next;create failed api-throw: Create refused.;"
                "delete failed keep!: Error: keep me;updated posts paged n=107;deleted posts via pb!") in page.text
    finally:
        running.stop()


def test_which_calls_record_hooks_concern(tmp_path):
    """A call goes to a Job only when it may write a record a record hook of that write takes: by method,
    endpoint and collection (a filter naming the collection by id matches a URL naming it by name)."""
    from types import SimpleNamespace

    from runtime.api import ApiRequest
    from runtime.data.process import store_for
    from runtime.hooks.api_saves import ApiRecordWrites
    from runtime.http.api_routes import _concerned

    store = store_for(str(tmp_path))
    users_id = store.find_collection_by_name_or_id("users").id
    table = {"onRecordCreate": [["f", 0, ["posts"]]], "onRecordValidate": [["f", 1, [users_id]]],
             "onRecordAfterDeleteSuccess": [["f", 2, []]]}
    writes = ApiRecordWrites(SimpleNamespace(table=table), str(tmp_path))
    assert writes.concerns("POST", "records", "posts") and not writes.concerns("POST", "records", "notes")
    assert not writes.concerns("PATCH", "record", "posts")  # only a create hook for posts
    assert writes.concerns("PATCH", "record", "users") and writes.concerns("POST", "confirm-verification", "users")
    assert writes.concerns("POST", "records", users_id) and not writes.concerns("POST", "records", "nope")
    assert writes.concerns("DELETE", "record", "anything")  # an unfiltered hook
    assert not writes.concerns("GET", "record", "posts") and not writes.concerns("POST", "auth-with-password", "users")
    assert _concerned(None, ApiRequest("POST", "/api/collections/posts/records"), writes)
    assert not _concerned(None, ApiRequest("GET", "/api/collections/posts/records"), writes)
    assert _concerned(None, ApiRequest("POST", "/api/collections/users/confirm-password-reset"), writes)
