"""`routerUse` middlewares wrap the pages, the files of the pages folder, `pb_public` and the 404s, as on
PocketBase with PocketPages (whose page handler is itself a `routerUse` middleware of priority 0, registered
where its loader file sorts): a guard redirects or refuses before the page runs, a header set before
`e.next()` stays on the page's answer, a record put in `e.auth` is the page's signed-in user, and a
middleware registered after PocketPages' loader at priority 0 never runs for a page (it does for the rest).
What the binary answered for the same shapes (PocketBase 0.40, a stand-in routerUse playing PocketPages):
order `neg,zneg,a,pp` for a page and `neg,zneg,a,z` for a pb_public file or a 404."""
import subprocess
import sys

import pytest

from tests.helpers import ROOT, start_server, write_site

TRACE = "e.response.header().set('X-Order', (e.response.header().get('X-Order') || '') + '{0},')"
GUARD = """
routerUse((e) => {
  const path = e.request.url.path
  e.response.header().set('X-Guard', 'on')
  if (path.startsWith('/members') && !e.request.header.get('X-Key')) return e.redirect(302, '/login')
  if (path === '/vault' && !e.request.header.get('X-Key')) throw new UnauthorizedError('sign in first')
  if (path === '/jsonpage') return e.json(418, { guard: true })
  if (path === '/forbidden') throw new ApiError(403, 'no way', {})
  if (path === '/whoami' && e.request.header.get('X-As')) e.auth = $app.findAuthRecordByEmail('users', e.request.header.get('X-As'))
  if (path === '/whoami' && e.request.header.get('X-Fake')) e.auth = { id: 'x' }
  return e.next()
})
routerUse(new Middleware((e) => { %s; return e.next() }, -5, 'neg'))
routerUse((e) => { %s; return e.next() })
""" % (TRACE.format("neg"), TRACE.format("a"))
LATE = """
routerUse((e) => { e.response.header().set('X-Late', 'late'); %s; return e.next() })
routerUse(new Middleware((e) => { %s; return e.next() }, -1, 'zneg'))
routerAdd('GET', '/api/order', (e) => e.json(200, { order: e.response.header().get('X-Order') }))
""" % (TRACE.format("z"), TRACE.format("zneg"))
LOOP = """<% const base = 'http://' + request.header('host')
const anon = $http.send({ url: base + '/vault' })
const key = $http.send({ url: base + '/vault', headers: { 'X-Key': '1' } }) %>
anon=<%= anon.statusCode %>:<%= anon.json.message %> key=<%= key.statusCode %>:<%= key.raw.trim() %>"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = str(tmp_path_factory.mktemp("data"))
    project = write_site(tmp_path_factory.mktemp("project"), {
        "pb_hooks/a_guard.pb.js": GUARD,
        "pb_hooks/pocketpages.pb.js": "require('pocketpages')\n",
        "pb_hooks/z_late.pb.js": LATE,
        "pb_hooks/pages/index.ejs": "<p>home</p>",
        "pb_hooks/pages/members/index.ejs": "<p>members area</p>",
        "pb_hooks/pages/vault.ejs": "vault content",
        "pb_hooks/pages/jsonpage.ejs": "<p>page ran</p>",
        "pb_hooks/pages/forbidden.ejs": "<p>page ran</p>",
        "pb_hooks/pages/whoami.ejs": "<%= auth ? auth.collection().name + ':' + auth.get('email') : 'none' %>",
        "pb_hooks/pages/boom.ejs": "<% throw new Error('page broke') %>",
        "pb_hooks/pages/loop.ejs": LOOP,
        "pb_hooks/pages/style.css": "p { color: red }",
        "pb_public/hello.txt": "public file",
    })
    subprocess.run([sys.executable, "-m", "runtime.serve.cli", "users", "create", "mw@example.com", "--data", data,
                    "--password-stdin"], input="password123\n", text=True, cwd=ROOT, check=True, capture_output=True)
    running = start_server(project, "--workers", "1", data_dir=data)
    yield running
    running.stop()


def test_a_guard_redirects_an_anonymous_visitor_before_the_page_runs(server):
    away = server.get("/members")
    assert (away.status, away.header("Location"), away.body) == (302, "/login", b"")
    assert away.header("Content-Type") is None
    inside = server.get("/members", headers={"X-Key": "1"})
    assert inside.status == 200 and "members area" in inside.text


def test_a_header_set_before_next_stays_on_every_page(server):
    for path in ("/", "/members?x=1", "/whoami"):
        answer = server.get(path, headers={"X-Key": "1"})
        assert answer.status == 200 and answer.header("X-Guard") == "on", path
        assert answer.header("Content-Type").startswith("text/html")


def test_a_middleware_answering_json_replaces_the_page(server):
    answer = server.get("/jsonpage")
    assert (answer.status, answer.json()) == (418, {"guard": True})
    assert answer.header("Content-Type") == "application/json" and answer.header("X-Guard") == "on"


def test_a_thrown_api_error_is_pocketbases_json_error(server):
    answer = server.get("/forbidden")
    assert (answer.status, answer.json()) == (403, {"data": {}, "message": "No way.", "status": 403})
    vault = server.get("/vault")
    assert (vault.status, vault.json()["message"]) == (401, "Sign in first.")
    assert server.get("/vault", headers={"X-Key": "1"}).text.strip() == "vault content"


def test_a_page_error_inside_the_chain_is_still_the_page_error(server):
    answer = server.get("/boom")
    assert answer.status == 500 and "text/html" in answer.header("Content-Type")


def test_priorities_and_the_loader_files_place_order_the_chain(server):
    # Page: a priority-0 middleware of a file after PocketPages' loader never runs (PocketPages answers).
    page = server.get("/", headers={"X-Key": "1"})
    assert page.header("X-Order") == "neg,zneg,a," and page.header("X-Late") is None
    for path in ("/hello.txt", "/nothing-here", "/api/nothing"):  # past PocketPages: the whole chain runs
        answer = server.get(path)
        assert answer.header("X-Order") == "neg,zneg,a,z," and answer.header("X-Late") == "late", path
    assert server.get("/api/order").json() == {"order": "neg,zneg,a,z,"}


def test_pb_public_and_pages_folder_files_pass_through_the_middlewares(server):
    public = server.get("/hello.txt")
    assert (public.status, public.body, public.header("X-Guard")) == (200, b"public file", "on")
    assert public.header("Content-Type").startswith("text/plain")
    style = server.get("/style.css")
    assert (style.status, style.header("X-Guard"), style.header("X-Late")) == (200, "on", None)
    assert style.header("Content-Type").startswith("text/css") and b"color: red" in style.body
    missing = server.get("/nothing-here")
    assert missing.status == 404 and missing.header("X-Guard") == "on"


def test_a_record_a_middleware_puts_in_e_auth_is_the_pages_user(server):
    assert server.get("/whoami").text.strip() == "none"
    assert server.get("/whoami", headers={"X-As": "mw@example.com"}).text.strip() == "users:mw@example.com"
    assert server.get("/whoami", headers={"X-Fake": "1"}).text.strip() == "none"  # not a Record: ignored


def test_a_page_behind_a_guard_through_http_send_loopback(server):
    answer = server.get("/loop")
    assert answer.status == 200
    assert "anon=401:Sign in first. key=200:vault content" in answer.text
