"""The request hooks around the REST API without the binary: which calls they concern (and so run in a Job),
their filters, --timeout inside a hook, no state left from one request to the next, and a site without
request hooks keeping the direct path."""
import json
import os
from types import SimpleNamespace

from runtime.api import ApiRequest
from runtime.hooks.api_hooks import ApiHooks, request_hook_table
from runtime.hooks.table import Registration
from runtime.http.api_routes import _concerned
from tests.helpers import SITES, served

PROJECT = os.path.join(SITES, "reqhooks_project")
server = served(PROJECT, "--workers", "1", "--timeout", "1")


def _reg(name, index, *filters):
    return Registration(file="u", index=index, kind="hook", name=name, method="", path="", filters=filters, middlewares=())


def test_table_and_filters():
    table = request_hook_table([_reg("onRecordCreateRequest", 0, "posts"), _reg("onRecordCreate", 1),
                                _reg("onRecordViewRequest", 2)])
    assert set(table) == {"onRecordCreateRequest", "onRecordViewRequest"}
    hooks = ApiHooks(lambda: None, table)
    assert hooks.refs("onRecordCreateRequest", "posts") == [["u", 0]]
    assert hooks.refs("onRecordCreateRequest", "notes", "pbc_1") == []
    assert hooks.wants("onRecordViewRequest", SimpleNamespace(name="any", id="x"))
    assert hooks.concerns("POST", "records", "posts") and not hooks.concerns("POST", "records", "notes")
    assert hooks.concerns("GET", "record", "notes") and not hooks.concerns("GET", "records", "notes")
    assert not hooks.concerns("DELETE", "record", "posts")


def test_which_paths_are_concerned():
    hooks = ApiHooks(lambda: None, request_hook_table([_reg("onRecordsListRequest", 0), _reg("onRecordAuthRequest", 1)]))
    assert _concerned(hooks, ApiRequest("GET", "/api/collections/posts/records"))
    assert not _concerned(hooks, ApiRequest("GET", "/api/collections/posts/records/abc"))
    assert _concerned(hooks, ApiRequest("POST", "/api/collections/users/auth-with-password"))
    assert not _concerned(hooks, ApiRequest("GET", "/api/health"))
    assert not _concerned(hooks, ApiRequest("GET", "/api/files/a/b/c"))


def test_a_spinning_hook_is_stopped_and_the_worker_serves_on(server):
    spun = server.request("POST", "/api/collections/posts/records", json.dumps({"title": "spin"}),
                          {"Content-Type": "application/json"}, timeout=20)
    assert spun.status >= 500
    again = server.request("POST", "/api/collections/posts/records", json.dumps({"title": "fine"}),
                           {"Content-Type": "application/json"})
    assert again.status == 200 and json.loads(again.body)["title"] == "FINE"


def test_nothing_leaks_from_one_request_to_the_next(server):
    made = server.request("POST", "/api/collections/posts/records", json.dumps({"title": "leak"}),
                          {"Content-Type": "application/json"})
    assert made.status == 200
    view = server.get("/api/collections/notes/records/note00000000001")
    assert json.loads(view.body)["title"] == "note one (viewed)"


def test_a_collection_without_hooks_answers_directly(server):
    made = server.request("POST", "/api/collections/notes/records", json.dumps({"title": "plain"}),
                          {"Content-Type": "application/json", "Origin": "http://x"})
    assert made.status == 200 and made.header("Access-Control-Allow-Origin") == "*"


def test_pb_in_a_page_passes_the_request_hooks(tmp_path):
    """pb() is served in-process by the server's own API, so its calls pass the same request hooks as HTTP ones
    (PocketPages' pb() goes over HTTP to PocketBase, where they fire)."""
    import shutil

    from tests.helpers import start_server

    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    pages = project / "pb_hooks" / "pages"
    pages.mkdir()
    (pages / "index.ejs").write_text(
        "<% const made = pb().collection('posts').create({title: 'via pb'}) %>made:<%= made.title %>\n"
        "<% try { pb().collection('posts').create({title: 'refuse'}) } catch (e) { %>"
        "refused:<%= e.status %>:<%= e.response.message %><% } %>")
    running = start_server(str(project), "--workers", "1", data_dir=str(tmp_path / "data"))
    try:
        page = running.get("/")
        assert page.status == 200, page.body
        assert "made:VIA PB" in page.text and "refused:400:Refused by hook." in page.text
    finally:
        running.stop()
