"""pb_hooks beside the pages on `pagesvm serve`, where pagesvm goes beyond or around PocketBase: a handler
sees its file's top-level names but no request's leftovers, a project of hook files only is served, the
PocketPages loader file is skipped, a broken file stops start-up with its file and line, the cross-site
guard still covers cookie-carrying requests, and the router's order (hooks, pages, pb_public, +404.ejs)."""
import subprocess
import sys

import pytest

from runtime.http.build import build_runtime
from tests.helpers import ROOT, start_server, wait_for, write_site

SCOPE = """
const TOP = "top-level"
let counter = 0
function twice(s) { return s + s }
routerAdd("GET", "/api/scope", (e) => {
  counter++
  globalThis.leftBehind = (globalThis.leftBehind || 0) + 1
  return e.json(200, { top: TOP, twice: twice("ab"), counter, leftBehind: globalThis.leftBehind })
})
routerAdd("POST", "/api/form", (e) => e.json(200, { ok: true }))
routerAdd("GET", "/about", (e) => e.string(200, "hook wins"))
routerAdd("GET", "/api/fails", (e) => { throw new Error("the reason behind it") })
const util = require(`${__hooks}/lib/util.js`)
routerAdd("GET", "/api/require", (e) => e.json(200, { top: util.hi("top"), inner: require("./lib/util.js").hi("inner") }))
routerAdd("GET", "/api/tamper", (e) => {
  "use strict"
  const m = $apis.requireAuth()
  const shared = Object.getPrototypeOf(m)
  const out = { middleware: m instanceof Middleware, carried: shared.carried === undefined ? null : shared.carried }
  const attempts = {
    func: () => Object.defineProperty(shared, "func", { get() { return (ev) => ev.next() } }),
    carry: () => { shared.carried = "from an earlier request" },
    proto: () => Object.setPrototypeOf(shared, null),
  }
  for (const [name, attempt] of Object.entries(attempts)) {
    try { attempt(); out[name] = "changed" } catch (err) { out[name] = err.name }
  }
  const f = m.func
  f.seen = (f.seen || 0) + 1
  out.seen = f.seen
  return e.json(200, out)
})
routerAdd("GET", "/api/guarded", (e) => e.json(200, { in: true }), $apis.requireAuth())
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    project = write_site(tmp_path_factory.mktemp("project"), {
        "pb_hooks/main.pb.js": SCOPE,
        "pb_hooks/lib/util.js": "module.exports = { hi: (name) => 'hi ' + name }",
        "pb_hooks/pages.pb.js": "/// <reference path=\"../pb_data/types.d.ts\" />\nrequire(`${__hooks}/pages`)\n",
        "pb_hooks/pages/index.ejs": "<p>home <%= 1 + 1 %></p>",
        "pb_hooks/pages/about.ejs": "<p>page about</p>",
        "pb_hooks/pages/+404.ejs": "<p>own 404</p>",
        "pb_public/hello.txt": "public file",
    })
    running = start_server(project, data_dir=str(tmp_path_factory.mktemp("data")))
    yield running
    running.stop()


def test_a_handler_sees_its_files_top_level_names_afresh_on_every_request(server):
    for _ in range(3):
        r = server.get("/api/scope")
        assert r.status == 200
        assert r.json() == {"top": "top-level", "twice": "abab", "counter": 1, "leftBehind": 1}


def test_a_request_cannot_change_the_apis_middlewares_of_the_next(server):
    """$apis' middlewares share one frozen prototype (their function is made when a chain runs it): a request that
    tries to replace it, or marks the function it was given, leaves the next request's requireAuth as it was."""
    for _ in range(3):
        assert server.get("/api/tamper").json() == {"middleware": True, "carried": None, "func": "TypeError",
                                                    "carry": "TypeError", "proto": "TypeError", "seen": 1}
        r = server.get("/api/guarded")
        assert r.status == 401 and r.json()["message"] == "The request requires valid record authorization token."


def test_index_serves_the_home_page_as_pocketpages_does(server):
    assert server.get("/index").text == server.get("/").text == "<p>home 2</p>"
    assert server.get("/about/index").text == "<p>page about</p>"  # the page (the hook route is /about only)


def test_hook_files_require_project_files(server):
    assert server.get("/api/require").json() == {"top": "hi top", "inner": "hi inner"}


def test_router_order_hooks_then_pages_then_public_then_404_page(server):
    assert server.get("/about").text == "hook wins"
    assert "home 2" in server.get("/").text
    assert server.get("/hello.txt").text == "public file"
    missing = server.get("/nothing/here")
    assert missing.status == 404 and "own 404" in missing.text


def test_a_plain_throw_answers_the_generic_400_and_is_logged(server):
    r = server.get("/api/fails")
    assert r.status == 400 and r.json()["message"] == "Something went wrong while processing your request."
    assert wait_for(lambda: "the reason behind it" in server.log)


def test_the_pocketpages_loader_file_is_not_run(server):
    # Run, its require(`${__hooks}/pages`) would find no module and stop start-up.
    assert server.get("/").status == 200
    assert "pages.pb.js" not in server.log


def test_cross_site_requests_with_cookies_are_still_refused(server):
    cross = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}
    assert server.post("/api/form", body="{}", headers={**cross, "Cookie": "pb_auth=x"}).status == 403
    assert server.post("/api/form", body="{}", headers={**cross, "Authorization": "token"}).status == 200


def test_a_hook_file_that_registers_nothing_yet_starts_and_serves(tmp_path):
    """A new project's main.pb.js before its first routerAdd (found by the attack on pb_public: start-up failed
    with an IndexError)."""
    project = write_site(tmp_path / "p", {"pb_hooks/main.pb.js": "// routes come later\nconsole.log('loaded')\n",
                                          "pb_public/index.html": "<p>public home</p>"})
    running = start_server(project, data_dir=str(tmp_path / "data"))
    try:
        assert running.get("/").text == "<p>public home</p>"
        assert running.get("/nothing").text == "<p>public home</p>"  # the index fallback
        r = running.request("POST", "/nothing")
        assert r.status == 404 and r.json()["message"] == "The requested resource wasn't found."
    finally:
        running.stop()


def test_a_project_with_hook_files_only_is_served(tmp_path):
    project = write_site(tmp_path / "p", {"pb_hooks/main.pb.js": SCOPE, "pb_hooks/lib/util.js": "module.exports = {}",
                                          "pb_public/index.html": "<p>public home</p>",
                                          "pb_public/.secret": "hidden", "secret.txt": "outside"})
    running = start_server(project, data_dir=str(tmp_path / "data"))
    try:
        assert running.get("/api/scope").json()["top"] == "top-level"
        assert running.get("/").text == "<p>public home</p>"
        for path in ("/nothing", "/.secret", "/%2e%2e/secret.txt", "/../secret.txt"):
            r = running.get(path)  # the single-page app's index.html (as the binary's --indexFallback), or 400
            assert r.status in (200, 400) and b"hidden" not in r.body and b"outside" not in r.body, path
        assert running.get("/nothing").text == "<p>public home</p>"
        r = running.request("DELETE", "/api/scope")  # no routerUse in this project
        assert r.status == 404 and r.json()["message"] == "The requested resource wasn't found."
    finally:
        running.stop()
    running = start_server(project, "--no-index-fallback", data_dir=str(tmp_path / "data"))
    try:
        r = running.get("/nothing")
        assert r.status == 404 and r.json() == {"data": {}, "message": "File not found.", "status": 404}
        assert running.get("/").text == "<p>public home</p>"
        assert running.get("/.secret").status == 404
    finally:
        running.stop()


def test_a_file_that_fails_to_load_stops_start_up_with_its_file_and_line(tmp_path):
    project = write_site(tmp_path / "p", {"pb_hooks/a.pb.js": "routerAdd('GET', '/a', (e) => {})\n",
                                          "pb_hooks/b.pb.js": "routerAdd('GET', '/b', (e) => {})\n\nnotDefined.call()\n"})
    done = subprocess.run([sys.executable, "-m", "runtime.serve.cli", "serve", project, "--port", "0", "--data",
                           str(tmp_path / "data")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "pagesvm: error: pb_hooks/b.pb.js:3: ReferenceError: notDefined is not defined" in done.stderr


def test_every_registration_is_recorded_in_load_order(tmp_path):
    project = write_site(tmp_path / "p", {"pb_hooks/main.pb.js": """
onBootstrap((e) => e.next())
onRecordCreate((e) => e.next(), "posts", "tags")
cronAdd("cleanup", "*/5 * * * *", () => {})
routerUse((e) => e.next())
routerAdd("get", "/x/{id}", (e) => {}, $apis.requireAuth("users"))
cronRemove("cleanup")
"""})
    runtime, _ = build_runtime(project, data_dir=str(tmp_path / "data"))
    got = [(r.kind, r.index, r.name, r.method, r.path, r.filters) for r in runtime.hooks.registrations]
    assert got == [("hook", 0, "onBootstrap", "", "", ()), ("hook", 1, "onRecordCreate", "", "", ("posts", "tags")),
                   ("cron", 2, "cleanup", "", "*/5 * * * *", ()), ("use", 3, "", "", "", ()),
                   ("route", 4, "", "GET", "/x/{id}", ()), ("cronRemove", 5, "cleanup", "", "", ())]
    assert runtime.hooks.registrations[4].middlewares[0]["builtin"] == "requireAuth"


def test_a_site_without_hook_files_loads_nothing_new(tmp_path):
    site = write_site(tmp_path / "site", {"index.ejs": "<p><%= typeof routerAdd %></p>"})
    runtime, _ = build_runtime(site, data_dir=str(tmp_path / "data"))
    assert runtime.hooks is None and runtime.engine.scripts == ()
    assert runtime.engine.render_file("index.ejs") == "<p>undefined</p>"


def test_router_add_outside_a_hook_file_is_an_error(tmp_path):
    project = write_site(tmp_path / "p", {"pb_hooks/main.pb.js": "routerAdd('GET', '/x', (e) => {})",
                                          "pb_hooks/pages/index.ejs": "<% routerAdd('GET', '/y', () => {}) %>"})
    runtime, _ = build_runtime(project, data_dir=str(tmp_path / "data"))
    with pytest.raises(Exception, match="only be called while a pb_hooks file loads"):
        runtime.engine.render_file("index.ejs")


def test_pagesvm_routes_lists_hook_routes_first(tmp_path):
    project = write_site(tmp_path / "p", {"pb_hooks/main.pb.js": SCOPE, "pb_hooks/lib/util.js": "module.exports = {}",
                                          "pb_hooks/pages/index.ejs": "x"})
    done = subprocess.run([sys.executable, "-m", "runtime.serve.cli", "routes", project], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    lines = [line.split() for line in done.stdout.splitlines()]
    assert lines[0] == ["GET", "/api/scope", "hook", "pb_hooks/main.pb.js"]
    assert lines[-1] == ["/", "template", "index.ejs"]
