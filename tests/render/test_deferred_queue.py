"""A page queuing deferred calls (logging) faster than Python runs them: the queue goes to Python in slices while
the page runs, on its clock, so no crossing or record carries a long one. A long queue was made JSON twice in C,
where no time limit reaches, and kept a worker there past the CPU watchdog (test_attack_deferred.py is the same
flood on a served worker)."""
from __future__ import annotations

import logging

from bindings import builtins
from runtime.render.engine import Engine
from runtime.render.router import Router
from runtime.render.site import Site
from tests.helpers import page_payload, write_site

PAGES = {
    "flood.ejs": "<% for (let i = 0; i < Number(params.n); i++) info('line', i); %>queued",
    "mixed.ejs": "<% info('line', 0); for (let i = 1; i < 1200; i++) { if (i === 700) info('line', env('NO_SUCH_VAR') === '' ? i : -1); else info('line', i); } %>mixed",
}


def _render(engine, path, params):
    payload = page_payload(engine, Router(engine.site), path, params)
    results = {}
    engine.render_batch([payload], results.__setitem__)
    return results[0]


def _lines(caplog):
    return [record.getMessage() for record in caplog.records if record.getMessage().startswith("line ")]


def test_a_long_queue_of_deferred_calls_never_crosses_whole(tmp_path, caplog):
    builtins.load()
    engine = Engine(Site(write_site(tmp_path, PAGES)))
    caplog.set_level(logging.INFO)
    result = _render(engine, "/flood", {"n": "5000"})
    assert result["error"] is None and result["body"] == "queued"
    assert len(result["deferred"]) < 1000  # what is left for the record; the rest ran while the page did
    ran_during = len(_lines(caplog))
    assert ran_during + len(result["deferred"]) == 5000 and ran_during >= 4000
    engine.run_deferred(result["deferred"])  # as the executor does once the page is done
    assert _lines(caplog) == [f"line {i}" for i in range(5000)]


def test_deferred_calls_keep_their_order_around_a_call_of_the_page(tmp_path, caplog):
    builtins.load()
    engine = Engine(Site(write_site(tmp_path, PAGES)))
    caplog.set_level(logging.INFO)
    result = _render(engine, "/mixed", {})
    assert result["error"] is None and result["body"] == "mixed"
    engine.run_deferred(result["deferred"])
    assert _lines(caplog) == [f"line {i}" for i in range(1200)]
