"""Record hooks for the records a delete cascades to or clears, against the real PocketBase 0.40.6:
tests/sites/cascade_project served by the binary and by `pagesvm serve`. Each row seeds a small tree (parents ←
kids with cascadeDelete ← grandkids with cascadeDelete; tags with optional single and multiple relations to
parents), deletes one parent (from a hook route, or inside a transaction), and compares the log the record hooks
wrote in `$app.store()` and the records left."""
import json
import os
import re

import pytest

from tests.helpers import SITES, project_on_both, request
from tests.hooks.test_record_hooks_oracle import _first_lines

PROJECT = os.path.join(SITES, "cascade_project")
ROWS = [
    ("one level", [["parents", "p1"], ["kids", "k1", "parent", "p1"], ["kids", "k2", "parent", "p1"]],
     "delete", "p1"),
    ("two levels", [["parents", "p2"], ["kids", "k3", "parent", "p2"], ["grandkids", "g1", "kid", "k3"],
                    ["grandkids", "g2", "kid", "k3"], ["kids", "k4", "parent", "p2"]], "delete", "p2"),
    ("cleared", [["parents", "p3"], ["parents", "p4"], ["tags", "t1", "parent", "p3"],
                 ["tags", "t2", "parents", ["p3", "p4"]]], "delete", "p3"),
    ("refused", [["parents", "p5"], ["kids", "k5", "parent", "p5"], ["kids", "refuse", "parent", "p5"]],
     "delete", "p5"),
    ("skipped", [["parents", "p6"], ["kids", "skip", "parent", "p6"]], "delete", "p6"),
    ("update refused", [["parents", "p7"], ["tags", "refuse-update", "parent", "p7"]], "delete", "p7"),
    ("in a transaction", [["parents", "p8"], ["kids", "k8", "parent", "p8"], ["tags", "t8", "parent", "p8"]],
     "txdelete", "p8"),
]


def _post(host, port, path, body):
    return request(host, port, "POST", path, json.dumps(body), {"Content-Type": "application/json"}).body.decode()


def run_rows(host, port):
    request(host, port, "GET", "/t/log")
    out = []
    for name, tree, op, title in ROWS:
        seeded = _post(host, port, "/t/seed", {"tree": tree})
        answer = _post(host, port, "/t/" + op, {"title": title})
        log = _first_lines(request(host, port, "GET", "/t/log").body.decode())
        left = request(host, port, "GET", "/t/left").body.decode()
        out.append((name, seeded, answer, log, left))
    return out


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    return project_on_both(PROJECT, run_rows, tmp_path_factory)


@pytest.mark.parametrize("index", range(len(ROWS)), ids=[r[0].replace(" ", "-") for r in ROWS])
def test_cascade_hooks_as_on_pocketbase(logs, index):
    theirs, ours = logs
    # ids aside (each server makes its own): the hooks' log and the records left
    assert [_ids_masked(part) for part in ours[index]] == [_ids_masked(part) for part in theirs[index]]


def _ids_masked(text: str) -> str:
    return re.sub(r"[a-z0-9]{15}", "ID", text)
