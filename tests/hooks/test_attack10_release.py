"""Hostile hook code against the release of a request's events (js/event.js R.setNext, render.js R.releases): the
release runs after the request's globals were swept, so it must run no page code (a getter or setter page code put
on `e.next` would otherwise leave a global for the next request), must not fail on an event page code froze, and
leaves an `e.next` page code replaced as it is."""
from tests.helpers import write_site
from tests.inprocess import get, get_together, migrated_runtime, text

HOOKS = r"""
routerAdd("GET", "/accessor", (e) => {
  Object.defineProperty(e, "next", {
    configurable: true,
    get() { globalThis.leakedByGetter = "yes"; return () => undefined; },
    set(v) { globalThis.leakedBySetter = "yes"; },
  });
  return e.string(200, "accessor");
});
routerAdd("GET", "/frozen", (e) => { e.string(200, "frozen"); Object.freeze(e); });
routerAdd("GET", "/replaced", (e) => {
  const mine = () => "mine";
  e.next = mine;
  return e.string(200, "replaced");
});
routerAdd("GET", "/probe", (e) => e.json(200, {
  getter: typeof leakedByGetter === "undefined" ? null : leakedByGetter,
  setter: typeof leakedBySetter === "undefined" ? null : leakedBySetter,
}));
"""


def test_the_release_runs_no_page_code_and_survives_hostile_events(tmp_path):
    project = tmp_path / "project"
    write_site(project / "pb_hooks", {"routes.pb.js": HOOKS})
    runtime = migrated_runtime(str(project), str(tmp_path / "data"))
    for path, body in (("/accessor", "accessor"), ("/frozen", "frozen"), ("/replaced", "replaced")):
        # the next request of the same evaluation: an evaluation's first sweep of globals has run already
        answer, probe = get_together(runtime, path, "/probe")
        assert (answer.status, text(answer)) == (200, body)
        assert (probe.status, text(probe)) == (200, '{"getter":null,"setter":null}'), path
    again = get(runtime, "/frozen")  # the interpreter still serves after a frozen event was released
    assert (again.status, text(again)) == (200, "frozen")
