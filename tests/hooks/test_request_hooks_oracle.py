"""The request hooks around PocketBase's REST API against the real PocketBase 0.40.6: tests/sites/reqhooks_project
(pb_hooks/requests.pb.js: onRecordCreate/Update/Delete/ViewRequest, onRecordsListRequest, onRecordEnrich,
onRecordAuthRequest, onRecordAuthWithPasswordRequest) served by the binary and by `pagesvm serve` on the same
migrations; the same requests sent to both, statuses, bodies (ids, tokens and times normalised) and the
Set-Cookie a hook sets compared. What hooks leave in `$app.store()` is read back through a route."""
import json
import os

import pytest

from tests.helpers import SITES, masked, project_on_both, request

PROJECT = os.path.join(SITES, "reqhooks_project")
POSTS, NOTES, USERS = "/api/collections/posts/records", "/api/collections/notes/records", "/api/collections/users"
ROWS = [
    ("POST", POSTS, {"title": "hello", "secret": "s"}),  # a hook changing the record before e.next(); enrich
    ("GET", "/t/store/create", None),  # what the hook saw before and after e.next()
    ("POST", POSTS, {"title": "refuse"}),  # BadRequestError thrown by the hook
    ("POST", POSTS, {"title": "answer"}),  # e.json() instead of the action
    ("POST", POSTS, {"title": "plain-throw"}),  # a plain Error: the generic 400
    ("POST", NOTES, {"title": "n2"}),  # a collection the posts hooks filter out
    ("PATCH", POSTS + "/post00000000001", {"title": "second"}),
    ("GET", "/t/store/update", None),
    ("PATCH", POSTS + "/post00000000001", {"title": "locked"}),  # ForbiddenError
    ("GET", POSTS + "/post00000000001", None),  # enrich hides `secret`, adds `extra`
    ("GET", NOTES + "/note00000000001", None),  # a view hook changing the answer, not the row
    ("GET", NOTES + "/note00000000001?custom=1", None),
    ("GET", NOTES + "/note00000000001?expand=post", None),  # enrich on the expanded record
    ("GET", NOTES + "?expand=post&sort=title", None),  # list hook changing each record
    ("GET", "/t/store/list", None),
    ("GET", NOTES + "?deny=1", None),
    ("GET", POSTS + "?sort=title&fields=title,extra", None),
    ("POST", POSTS, {"title": "keep"}),
    ("GET", POSTS + "/nope", None),
    ("POST", USERS + "/auth-with-password", {"identity": "ann@example.com", "password": "secret-pass-1"}),
    ("GET", "/t/store/authpw", None),
    ("POST", USERS + "/auth-with-password", {"identity": "blocked@example.com", "password": "x"}),
    ("POST", USERS + "/auth-with-password", {"identity": "nobody@example.com", "password": "xxxxxxxxx"}),
    ("GET", "/t/store/authpw", None),
    ("GET", NOTES + "/note00000000001", None),  # nothing of an earlier request is left
]
_KEEP_IDS = ("post00000000001", "note00000000001")


def _normal(value):
    return masked(value, _KEEP_IDS)


def _run(host, port):
    out = []
    for method, path, body in ROWS:
        answer = request(host, port, method, path, json.dumps(body) if body is not None else None,
                         {"Content-Type": "application/json"})
        text = answer.body.decode()
        out.append((answer.status, _normal(json.loads(text)) if text else text, answer.header("Set-Cookie")))
    return out


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    return project_on_both(PROJECT, _run, tmp_path_factory)


@pytest.mark.parametrize("index", range(len(ROWS)), ids=[f"{i}-{r[0]}-{r[1]}" for i, r in enumerate(ROWS)])
def test_same_answer_as_pocketbase(answers, index):
    theirs, ours = answers
    assert ours[index] == theirs[index]


def test_the_hooks_ran(answers):
    theirs, _ = answers
    assert theirs[0][1]["title"] == "HELLO" and theirs[0][1]["extra"] == "x-HELLO" and "secret" not in theirs[0][1]
    assert theirs[19][2] == "pb_auth=tok-ann@example.com; Path=/; HttpOnly" and theirs[19][1]["meta"]["hello"] == "world"
