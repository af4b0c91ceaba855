"""Attack: `$dbx` expressions crossed to Python as plain data and runtime/data/dbx.py took any dict with a
`__dbx` key for one, so request data shaped like an expression became SQL. A page doing the ordinary
`$app.findFirstRecordByData('authors', 'email', body().email)` answered `{"email": {"__dbx": "exp", "sql":
"1=1"}}` with the first author, and any subquery (`(SELECT ... FROM _superusers) IS NULL`) worked as a boolean
oracle; the same through `$dbx.hashExp({email: value})` and `$dbx.in('id', ...values)`. Only expressions `$dbx`
made may be SQL: any other object in a value's place is a value (its JSON text), and a plain object given where an
expression belongs is refused."""
import json
import os
import shutil

import pytest

from tests.helpers import SITES, write_site

FIND = """<%# pagesvm:allow-cross-site %><%
const b = body()
let out
try {
  if (b.how === 'data') out = $app.findFirstRecordByData('authors', 'email', b.email).get('name')
  else if (b.how === 'hash') out = $app.countRecords('authors', $dbx.hashExp({email: b.email}))
  else if (b.how === 'in') out = $app.countRecords('authors', $dbx.in('email', ...b.emails))
  else if (b.how === 'plain') out = $app.findAllRecords('authors', b.email).length
  else if (b.how === 'real') out = $app.countRecords('authors', $dbx.hashExp({email: $dbx.exp('email = {:e}', {e: b.email})}))
} catch (e) { out = 'THROWN ' + e.message }
%><%= out %>"""

FORGED = {"__dbx": "exp", "sql": "1=1"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.helpers import start_server

    folder = tmp_path_factory.mktemp("forged")
    project = write_site(folder / "project", {"pb_hooks/pages/find.ejs": FIND})
    shutil.copytree(os.path.join(SITES, "query_project", "pb_migrations"), os.path.join(project, "pb_migrations"))
    running = start_server(project, "--workers", "1", data_dir=str(folder / "project" / "pb_data"))
    yield running
    running.stop()


def _ask(server, **body):
    answer = server.request("POST", "/find", json.dumps(body), {"Content-Type": "application/json"})
    assert answer.status == 200, answer.text
    return answer.text.strip()


def test_a_real_value_still_finds_its_record(server):
    assert _ask(server, how="data", email="bob@example.org") == "bob"
    assert _ask(server, how="hash", email="bob@example.org") == "1"
    assert _ask(server, how="in", emails=["bob@example.org", "alice@example.com"]) == "2"
    assert _ask(server, how="real", email="bob@example.org") == "1"  # an expression $dbx made stays SQL


def test_request_data_shaped_like_an_expression_is_a_value_never_sql(server):
    assert _ask(server, how="data", email=FORGED) == "THROWN sql: no rows in result set"
    assert _ask(server, how="data", email=[FORGED, "x"]) == "THROWN sql: no rows in result set"
    oracle = {"__dbx": "exp", "sql": "(SELECT count(*) FROM _superusers) >= 0"}
    assert _ask(server, how="data", email=oracle) == "THROWN sql: no rows in result set"
    assert _ask(server, how="hash", email=FORGED) == "0"
    assert _ask(server, how="hash", email=[FORGED]) == "0"
    assert _ask(server, how="in", emails=[FORGED, {"__dbx": "exp", "sql": "email"}]) == "0"


def test_a_plain_object_where_an_expression_belongs_is_refused(server):
    assert _ask(server, how="plain", email=FORGED).startswith("THROWN ")
