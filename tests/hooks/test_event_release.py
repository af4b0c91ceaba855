"""A hook request's events are freed as the request ends (js/event.js `R.setNext`, render.js `R.releases`): e.next
is a closure holding its event, a cycle that only QuickJS's collector would free. Left so, a request through a
route and its middlewares left 10-50 KB behind, and every few dozen requests QuickJS walked the whole runtime
(and gc_gate walked it again to measure what is live). Counted here: the collections a run of such requests
sets off, which must be none; and e.next still runs the chain when a promise job calls it later in the request."""
from tests.helpers import write_site
from tests.inprocess import collections_during, get, migrated_runtime, text

HOOKS = """
routerUse((e) => { e.set("seen", 1); return e.next(); });
routerAdd("GET", "/api/items", (e) => {
  const items = [];
  for (let i = 0; i < 20; i++) items.push({ id: i, name: "item " + i });
  return e.json(200, { items, seen: e.get("seen") });
}, (e) => e.next(), $apis.bodyLimit(1024));
routerAdd("GET", "/api/later", (e) => e.string(200, "later"), (e) => { Promise.resolve().then(() => e.next()); });
"""


def test_a_run_of_hook_requests_sets_off_no_collection(tmp_path, monkeypatch):
    project = tmp_path / "project"
    write_site(project / "pb_hooks", {"routes.pb.js": HOOKS})
    runtime = migrated_runtime(str(project), str(tmp_path / "data"))
    answer = get(runtime, "/api/items")
    assert answer.status == 200 and '"seen":1' in text(answer), text(answer)
    assert collections_during(runtime, "/api/items", 150, monkeypatch) == (0, 0)
    late = get(runtime, "/api/later")  # the middleware's e.next() runs in a promise job, after the chain returned
    assert (late.status, text(late)) == (200, "later")
