"""Record hooks against the real PocketBase 0.40.6: tests/sites/rechooks_project served by the binary and by
`pagesvm serve`, a table of saves, updates, deletes, validation failures, throwing and stopping hooks, a hook
changing the record, collection filters and transactions (committed and rolled back) sent to both. Every hook
appends to a log in `$app.store()` (the binary runs each handler in its own VM, so no shared JS variable), the
route appends its outcome, and `GET /t/log` answers the log: the two logs must be the same, line by line. The
first is start-up's: the hooks the migrations' saves fired (pb_migrations/1700000001_hooked.js)."""
import json
import os
import re

import pytest

from tests.helpers import SITES, project_on_both, request

PROJECT = os.path.join(SITES, "rechooks_project")
ROWS = [
    ("create", {"title": "a"}),
    ("create", {"title": ""}),  # validation failure: onRecordAfterCreateError with the Go text
    ("create", {"title": "upper"}),  # a hook changing the record before e.next(): what is validated and stored
    ("create", {"title": "throw"}),  # a hook that throws: the save throws its error
    ("create", {"title": "stop"}),  # a hook without e.next(): nothing written, the save succeeds
    ("count", {"title": "stop"}),
    ("count", {"title": "UPPER"}),
    ("create", {"title": "n1", "c": "notes"}),  # filters: posts-only hooks stay out
    ("update", {"title": "a", "to": "b"}),
    ("update", {"title": "b", "to": ""}),
    ("delete", {"title": "b"}),
    ("tx", {"title": "t1"}),  # Success hooks after the outermost commit
    ("tx", {"title": ""}),
    ("txfail", {"title": "t2"}),  # a rolled-back transaction
    ("count", {"title": "t2"}),
    ("delete", {"title": "n1", "c": "notes"}),
    ("delete", {"title": "t1"}),
]


def _first_lines(text: str) -> str:
    """A thrown error's text without goja's stack lines (`at file:line(col)`), which pagesvm does not print."""
    return re.sub(r"\n\tat [^\n]*|\n(?=\) )", "", text)


# The binary's own entries at start-up: the auth-origin record its superuser sign-in (tests/helpers.py) makes.
_SIGN_IN = re.compile(r"validate\(null\) afterCreate\(_authOrigins:null\) ")


def run_rows(host, port, headers=None):
    # Start-up's log first: the hooks the migrations' saves fired (hooks are registered before migrations run).
    out = [("start-up", {}, 200, "", _SIGN_IN.sub("", request(host, port, "GET", "/t/log").body.decode()))]
    for op, body in ROWS:
        answer = request(host, port, "POST", "/t/" + op, json.dumps(body), {"Content-Type": "application/json"})
        log = request(host, port, "GET", "/t/log")
        out.append((op, body, answer.status, answer.body.decode(), _first_lines(log.body.decode())))
    return out


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    return project_on_both(PROJECT, run_rows, tmp_path_factory)


def test_migration_saves_fire_the_same_hooks_as_on_pocketbase(logs):
    theirs, ours = logs
    assert "create-done(UPPER)" in theirs[0][4] and "afterDelete(m2b)" in theirs[0][4]  # the run's hooks
    assert ours[0] == theirs[0]


@pytest.mark.parametrize("index", range(len(ROWS)), ids=[f"{i}-{r[0]}-{r[1].get('title')}" for i, r in enumerate(ROWS)])
def test_same_hook_order_as_pocketbase(logs, index):
    theirs, ours = logs
    assert ours[index + 1] == theirs[index + 1]
