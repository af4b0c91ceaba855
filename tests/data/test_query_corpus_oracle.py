"""Issue 15's query corpus against the real PocketBase: every case of tests/data/query_corpus.py runs through one
JavaScript file (query_project/pb_hooks/pages/_private/query_case.js) in a `routerAdd` handler on the binary and in
the project's `query.ejs` page on `pagesvm serve`, both on the same data.db (migrated once by the binary, copied
for pagesvm before either serves it); each case's answers must be equal.

Every case must match (no expected failures); the binary's own answers are checked against what the seed
records say, so the corpus is known to mean something."""
import json
import os
import shutil
import subprocess

import pytest

from tests.data.query_corpus import CASES
from tests.helpers import SITES, PocketBase, pocketbase_binary, start_server

PROJECT = os.path.join(SITES, "query_project")
RUNNER = "pages/_private/query_case.js"
HOOK = """routerAdd("POST", "/oracle/query", (e) => {
  const { runCases } = require(`${__hooks}/%s`)
  return e.string(200, JSON.stringify(runCases(e.requestInfo().body.cases)))
})
""" % RUNNER
CHUNK = 40  # cases per request: a page stopped by the time limit loses one chunk, not the corpus
ALL_POSTS = ["postagain000002", "posthello000001", "postpercent0003", "postquote000006", "postslash000008",
             "postsnake000004", "postunicode0005", "postupper000007"]


def _chunks():
    return [CASES[i:i + CHUNK] for i in range(0, len(CASES), CHUNK)]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the project with its data.db migrated by the binary, and pagesvm's copy of that same file."""
    binary = pocketbase_binary()
    base = tmp_path_factory.mktemp("query")
    folder = str(base / "query_project")
    shutil.copytree(PROJECT, folder, ignore=shutil.ignore_patterns("pb_data"))
    done = subprocess.run([binary, "migrate", "up", "--dir", os.path.join(folder, "pb_data"),
                           "--migrationsDir", os.path.join(folder, "pb_migrations")],
                          cwd=folder, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    pagesvm_data = str(base / "pagesvm_data")
    shutil.copytree(os.path.join(folder, "pb_data"), pagesvm_data)
    return folder, pagesvm_data


@pytest.fixture(scope="module")
def binary(project):
    """{case name: answer} from the real PocketBase (one process for the module)."""
    folder, _ = project
    pb = PocketBase(folder, hooks={"query_oracle.pb.js": HOOK}, migrations=os.path.join(folder, "pb_migrations"))
    answers = {}
    try:
        for chunk in _chunks():
            status, got = pb.call("POST", "/oracle/query", {"cases": chunk})
            assert status == 200, got
            answers.update((one["name"], one["result"]) for one in got)
    finally:
        pb.stop()
    return answers


@pytest.fixture(scope="module")
def pagesvm(project):
    """{case name: answer} from the project's query page on `pagesvm serve` over the copied data.db."""
    folder, data = project
    server = start_server(folder, "--workers", "1", data_dir=data)
    answers = {}
    try:
        for chunk in _chunks():
            page = server.post("/query", body=json.dumps({"cases": chunk}),
                               headers={"Content-Type": "application/json"})
            if page.status == 200:
                answers.update((one["name"], one["result"]) for one in page.json())
            else:
                answers.update((case["name"], {"error": f"HTTP {page.status}: {page.text[:300]}"}) for case in chunk)
    finally:
        server.stop()
    return answers


def _shown(case, binary_answer, pagesvm_answer) -> str:
    return (f"case {json.dumps(case, ensure_ascii=False)}\n  pocketbase: {json.dumps(binary_answer, ensure_ascii=False)}"
            f"\n  pagesvm:    {json.dumps(pagesvm_answer, ensure_ascii=False)}")


@pytest.mark.parametrize("case", [pytest.param(case, id=case["name"]) for case in CASES])
def test_pagesvm_answers_as_the_binary(binary, pagesvm, case):
    assert pagesvm.get(case["name"]) == binary[case["name"]], _shown(case, binary[case["name"]],
                                                                     pagesvm.get(case["name"]))


def test_every_mismatch_listed(binary, pagesvm):
    """All differences in one report, each with its case, to read the state of the port at a glance."""
    wrong = [_shown(case, binary[case["name"]], pagesvm.get(case["name"])) for case in CASES
             if pagesvm.get(case["name"]) != binary[case["name"]]]
    assert not wrong, f"{len(wrong)} of {len(CASES)} cases differ:\n" + "\n".join(wrong)


# What the seed records (query_project/pb_migrations/1700000100_query_seed.js) say the binary must answer.
KNOWN = {
    "compare:text-eq": ["posthello000001"],
    "compare:text-eq-case": [],
    "compare:number-gte": ["posthello000001", "postpercent0003", "postunicode0005", "postupper000007"],
    "compare:date-gt": ["postpercent0003", "postslash000008", "postsnake000004"],
    "select-multi:eq": [],
    "select-multi:eq-json": ["postupper000007"],
    "modifiers:each-select": ["posthello000001", "postsnake000004", "postupper000007"],
    "modifiers:lower": ["posthello000001", "postupper000007"],
    "modifiers:length-select": ["postsnake000004"],
    "like:contains-case": ["postagain000002", "posthello000001", "postupper000007"],
    "like:percent-literal-wildcard": ["postpercent0003"],
    "like:underscore-single": [],
    "like:param-underscore": ["postsnake000004"],
    "logic:parens": ["postpercent0003", "postslash000008"],
    "literals:comment-line": ["posthello000001", "postpercent0003", "postquote000006"],
    "literals:escaped-single": ["postquote000006"],
    "params:missing": {"error": "invalid filter expression: unexpected character '{'"},
    "params:relation-path": ["posthello000001", "postpercent0003"],
    "injection:pasted-0": ALL_POSTS,
    "injection:param-0": [],
    "injection:param-like-0": [],
    "injection:still-there": ALL_POSTS,
    "macros:now-future": ["postpercent0003", "postslash000008", "postsnake000004"],
    "relations:single-path": ["posthello000001", "postpercent0003"],
    "relations:two-hops": ["commentagain006", "commentmeh00002", "commentnice0001", "commentpct00003"],
    "anyof:back-any-gt": ["posthello000001", "postpercent0003"],
    "anyof:path-eq": ["postpercent0003", "postsnake000004"],
    "sort:by -views,title": ["postpercent0003", "postunicode0005", "postupper000007", "posthello000001",
                             "postquote000006", "postsnake000004", "postslash000008", "postagain000002"],
    "sort:offset": ["posthello000001", "postupper000007", "postquote000006"],
    "sort:random-limited": {"count": 3},
    "methods:count-hash": 5,
    "methods:first-none": {"error": "sql: no rows in result set"},
    "methods:by-data": "postagain000002",
    "methods:auth-email": "userann00000001",
    "expand:record-empty-relation": {"failed": [], "expand": {"author": []}},
    "errors:unknown-field": {"error": "invalid filter expression: invalid left operand \"nope\" - unknown field \"nope\""},
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_the_binary_answers_what_the_seed_says(binary, name):
    assert binary[name] == KNOWN[name]


def test_the_binary_answers_every_case_meaningfully(binary):
    """Every case reached `$app` (no runner or binding mistake), errors only where errors are meant, and every
    other category has cases that find records."""
    assert set(binary) == {case["name"] for case in CASES}
    runner_faults = {name: answer for name, answer in binary.items() if isinstance(answer, dict) and any(
        word in answer.get("error", "") for word in ("unknown corpus method", "is not a function", "ReferenceError",
                                                     "could not convert function call"))}
    assert not runner_faults
    for case in CASES:
        if case["category"] == "errors" and case["name"] != "errors:placeholder-bad-name":
            assert "error" in binary[case["name"]], case
    for category in {case["category"] for case in CASES} - {"errors"}:
        found = [case["name"] for case in CASES if case["category"] == category
                 and binary[case["name"]] not in ([], None) and not (isinstance(binary[case["name"]], dict)
                                                                      and "error" in binary[case["name"]])]
        assert len(found) >= 3, category
