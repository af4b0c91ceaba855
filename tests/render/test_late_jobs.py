"""A promise reaction queued before a request's last drain, and released while its record is made (a toJSON
calling a promise's `resolve`), runs within that request: never in the drain of the next request, where it
acted on that request's response (found by an attack on the batch's collections, gc_gate.py), and never
after a batch's last page, where no collection runs."""
from __future__ import annotations

from bindings import builtins
from runtime.render.engine import Engine
from runtime.render.router import Router
from runtime.render.site import Site
from tests.helpers import page_payload, write_site

LATE = ("<% let resolve; const p = new Promise((r) => { resolve = r; });\n"
        "p.then(() => { REACTION });\n"
        "console.log({ toJSON() { resolve(); return 'x'; } }); %>late")
PAGES = {
    "late.ejs": LATE.replace("REACTION", "response.status(418); response.header('X-From', 'the late page');"),
    # ~200 MB of cycles: past the heap's 128 MiB cap unless collections run while it does
    "churn.ejs": LATE.replace("REACTION", "for (let i = 0; i < 1500000; i++) { const a = { x: [1, 2, 3] }; a.self = a; }"),
    "victim.ejs": "<% Promise.resolve(1); %>victim",  # drains its own jobs
    "plain.ejs": "plain",
}


def _batch(engine, paths):
    router = Router(engine.site)
    payloads = [page_payload(engine, router, path, {}) for path in paths]
    results = {}
    engine.render_batch(payloads, results.__setitem__)
    return [results[i] for i in range(len(paths))]


def test_a_late_reaction_never_reaches_the_next_request(tmp_path):
    builtins.load()
    engine = Engine(Site(write_site(tmp_path, PAGES)))
    late, victim = _batch(engine, ["/late", "/victim"])
    assert (late["status"], late["body"]) == (200, "late")
    assert (victim["status"], victim["headers"], victim["body"]) == (200, [], "victim")


def test_a_late_reaction_after_the_last_page_still_collects(tmp_path):
    builtins.load()
    engine = Engine(Site(write_site(tmp_path, PAGES)))
    for paths in (["/churn"], ["/plain", "/churn"]):
        results = _batch(engine, paths)
        assert results[-1]["error"] is None and results[-1]["body"] == "late"
    assert _batch(engine, ["/plain"])[0]["body"] == "plain"  # the interpreter was not exhausted
