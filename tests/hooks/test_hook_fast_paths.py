"""What the hook route's fast paths must not change (runtime/hooks/js/event.js, render.js `kept`,
bindings/template.py): a large `$template` render Python keeps comes back whole whichever string the
handler finally sends, the event's methods answer per request, and `require('pocketpages')` in a hook
still gives the context API, built only then."""
import pytest

from tests.helpers import start_server, write_site

BIG = "<p>{{.}}</p>" + "x" * 1500

HOOKS = """
const BIG = %r
const render = (v) => $template.loadString(BIG).render(v)
routerAdd("GET", "/t/plain", (e) => e.html(200, render("a")))
routerAdd("GET", "/t/changed", (e) => e.html(200, render("a") + "!"))
routerAdd("GET", "/t/first-of-two", (e) => { const first = render("one"); render("two"); return e.html(200, first) })
routerAdd("GET", "/t/then-small", (e) => { const big = render("b"); $template.loadString("{{.}}").render("s"); return e.string(200, big) })
routerAdd("GET", "/t/rendered-after", (e) => { e.html(200, render("sent")); render("later") })
routerAdd("GET", "/t/json", (e) => e.json(201, { html: render("j") }))
routerAdd("GET", "/ev/{id}", (e) => {
  e.set("k", e.request.pathValue("id"))
  const q = e.request.url.query()
  return e.json(200, { k: e.get("k"), q: q.get("q"), all: q.getAll("q"), url: e.request.url.string(),
    h: e.request.header.get("X-Thing"), m: e.request.method, auth: e.auth, tls: e.isTLS(), su: e.hasSuperuserAuth(),
    info: e.requestInfo().query })
})
routerAdd("GET", "/api/pp", (e) => {
  const api = require("pocketpages")
  return e.json(200, { params: typeof api.params, hasRequest: typeof api.request })
})
""" % BIG


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    project = write_site(tmp_path_factory.mktemp("project"), {
        "pb_hooks/main.pb.js": HOOKS,
        "pb_hooks/pages/index.ejs": "<%%- $template.loadString(%r).render('page') %%>" % BIG,
    })
    running = start_server(project, data_dir=str(tmp_path_factory.mktemp("data")))
    yield running
    running.stop()


def big(value):
    return BIG.replace("{{.}}", value)


@pytest.mark.parametrize("path, body", [
    ("/t/plain", big("a")), ("/t/changed", big("a") + "!"), ("/t/first-of-two", big("one")),
    ("/t/then-small", big("b")), ("/t/rendered-after", big("sent")),
])
def test_a_large_template_render_comes_back_as_the_string_sent(server, path, body):
    r = server.get(path)
    assert r.status == 200 and r.text == body


def test_a_render_inside_json_and_in_a_page_are_whole(server):
    r = server.get("/t/json")
    assert r.status == 201 and r.json() == {"html": big("j")}
    assert server.get("/").text == big("page")


def test_the_event_answers_for_its_own_request(server):
    for n in ("1", "2"):
        r = server.get(f"/ev/{n}?q=a{n}&q=b", headers={"X-Thing": "t" + n})
        assert r.json() == {"k": n, "q": "a" + n, "all": ["a" + n, "b"], "url": f"/ev/{n}?q=a{n}&q=b",
                            "h": "t" + n, "m": "GET", "auth": None, "tls": False, "su": False, "info": {"q": "a" + n}}


def test_require_pocketpages_in_a_hook_gives_the_context_api(server):
    assert server.get("/api/pp").json() == {"params": "object", "hasRequest": "object"}
