"""dukpy's two collections around a batch of pages are skipped; QuickJS's own, as its heap grows, are kept
(runtime/render/gc_gate.py). What must hold: page code still collects while it runs (a page making far more
cyclic garbage than the heap's cap completes), the garbage a batch leaves is collected once QuickJS's threshold
is crossed (the heap stays bounded), the slot points at JS_RunGC again after every batch however it ended, and
nothing changes where the gate must not act (another thread, PAGESVM_JS_GC=dukpy, a freed interpreter)."""
from __future__ import annotations

import ctypes
import gc
import os
import subprocess
import sys
import threading

import pytest

from bindings import builtins
from runtime.render import gc_gate
from runtime.render.engine import Engine
from runtime.render.limits import RequestLimits, RequestTimeout
from runtime.render.router import Router
from runtime.render.site import Site
from tests.helpers import ROOT, page_payload, write_site

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the gate acts on Linux only")
builtins.load()

PAGES = {
    "plain.ejs": "<p><%= params.n %></p>",
    # ~320 KB held by an object that refers to itself: reference counting cannot free it, a collection can
    "cycle.ejs": "<% const a = { data: new Array(20000).fill(7) }; a.self = a; %>cycle",
    # ~1.5 million self-referencing objects, ~200 MB in all: past the 128 MiB cap unless collected as it runs
    "churn.ejs": "<% let n = 0; for (let i = 0; i < 1500000; i++) { const a = { x: [1, 2, 3] }; a.self = a; n++; } %><%= n %>",
    "throws.ejs": "<% throw new Error('no') %>",
    # ~70 MB live while it runs, none of it garbage: QuickJS's threshold after collecting during it is 1.5x that
    "hold.ejs": "<% const keep = []; for (let i = 0; i < 300000; i++) keep.push({ a: i, b: [i] }); %><%= keep.length %>",
    "spin.ejs": "<% for (;;) {} %>",
    # the same, in a promise job: run by a nested evaluation (engine.py _drain) inside the batch's
    "asynccycle.ejs": "<% Promise.resolve().then(() => { const a = { data: new Array(20000).fill(7) }; a.self = a; }) %>async",
    "asyncchurn.ejs": "<% let n = 0; Promise.resolve().then(() => { for (let i = 0; i < 1500000; i++) { const a = { x: [1, 2, 3] }; a.self = a; n++; } }) %>churned",
    "asyncthrows.ejs": "<% Promise.resolve().then(() => { throw new Error('late'); }) %>x",
    "asyncspin.ejs": "<% Promise.resolve().then(() => { for (;;) {} }) %>x",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = Engine(Site(write_site(tmp_path_factory.mktemp("gcsite"), PAGES)))
    assert engine.interp.collections.active, "the gate did not install on this Linux machine"
    return engine


def _payloads(engine, path: str, count: int = 1) -> list[dict]:
    router = Router(engine.site)
    return [page_payload(engine, router, path, {"n": str(n)}) for n in range(count)]


def _batch(engine, path: str, count: int = 1) -> dict:
    results = {}
    engine.render_batch(_payloads(engine, path, count), results.__setitem__)
    return results


def _heap(engine) -> int:
    usage = (ctypes.c_int64 * 64)()
    gc_gate._lib.JS_ComputeMemoryUsage(engine.interp.collections.rt, usage)
    return usage[0]


def _times_out(engine, path: str) -> None:
    limits = RequestLimits(0.05, watchdog=False)
    limits.arm()
    try:
        with pytest.raises(RequestTimeout):
            engine.render_batch(_payloads(engine, path), lambda index, result: None)
    finally:
        limits.release()


def _slot_is_js_rungc() -> bool:
    return gc_gate._slot.read() == gc_gate._slot.target == ctypes.cast(gc_gate._lib.JS_RunGC, ctypes.c_void_p).value


def test_the_slot_found_is_the_one_dukpy_calls_js_rungc_through(engine):
    assert _slot_is_js_rungc()
    before = gc_gate.counts["skipped windows"]
    results = _batch(engine, "/plain", 3)
    assert [results[i]["body"] for i in range(3)] == ["<p>0</p>", "<p>1</p>", "<p>2</p>"]
    assert gc_gate.counts["skipped windows"] == before + 2  # as the evaluation starts, and after its last page
    assert _slot_is_js_rungc()


def test_a_batch_leaves_its_cycles_to_quickjs_and_dukpy_would_not(engine):
    _batch(engine, "/plain")
    engine.interp.collections.settle()
    base = _heap(engine)
    assert _batch(engine, "/cycle")[0]["body"] == "cycle"
    assert _heap(engine) - base > 200_000  # no collection as the evaluation ended: the cycle is still there
    engine.interp.collections.settle()
    assert _heap(engine) - base < 50_000  # and a collection finds it (a batch in another thread: below)


def test_the_cycles_of_many_batches_are_collected_as_the_heap_grows(engine):
    engine.interp.collections.settle()
    threshold = engine.interp.collections.threshold
    peak = 0
    for _ in range(60):  # ~19 MB of cycles in all, many times the threshold
        assert _batch(engine, "/cycle")[0]["body"] == "cycle"
        peak = max(peak, _heap(engine))
        assert gc_gate._lib.JS_GetGCThreshold(engine.interp.collections.rt) < 4 * 1024 * 1024  # not dukpy's 8 MiB
    assert peak < threshold + 1_000_000


def test_a_page_holding_much_leaves_no_threshold_behind(engine):
    assert _batch(engine, "/hold")[0]["body"] == "300000"
    threshold = gc_gate._lib.JS_GetGCThreshold(engine.interp.collections.rt)
    assert threshold < 16 * 1024 * 1024  # measured again after the batch, not what the page held (~100 MiB)
    peak = 0
    for _ in range(100):
        assert _batch(engine, "/cycle")[0]["body"] == "cycle"
        peak = max(peak, _heap(engine))
    assert peak < threshold + 1_000_000


@pytest.mark.parametrize("path, body", [("/churn", "1500000"), ("/asyncchurn", "churned")])  # the page, its promise jobs
def test_page_code_still_collects_while_it_runs(engine, path, body):
    result = _batch(engine, path)[0]
    assert result["error"] is None, result["error"]
    assert result["body"] == body
    assert _slot_is_js_rungc()


def test_the_slot_is_js_rungc_again_after_a_page_throws_or_runs_out_of_time(tmp_path):
    engine = Engine(Site(write_site(tmp_path, PAGES)))  # a timed-out interpreter is replaced, not used again
    assert _batch(engine, "/throws")[0]["error"]["message"] == "no"
    assert _slot_is_js_rungc()
    _times_out(engine, "/spin")
    assert _slot_is_js_rungc()


def test_a_pages_promise_jobs_skip_dukpys_collections_too(engine):
    _batch(engine, "/plain")
    engine.interp.collections.settle()
    base = _heap(engine)
    before = gc_gate.counts["skipped windows"]
    assert _batch(engine, "/asynccycle")[0]["body"] == "async"
    # the batch's two windows, and the nested evaluation's two: as it began, and once its answer was made
    assert gc_gate.counts["skipped windows"] == before + 4
    assert _heap(engine) - base > 200_000  # the job's cycle: no collection as the drain ended either
    assert gc_gate._lib.JS_GetGCThreshold(engine.interp.collections.rt) < 4 * 1024 * 1024  # not dukpy's 8 MiB
    assert _slot_is_js_rungc()
    engine.interp.collections.settle()
    assert _heap(engine) - base < 50_000


def test_a_drain_that_fails_or_runs_out_of_time_leaves_the_slot_as_it_was(tmp_path):
    engine = Engine(Site(write_site(tmp_path, PAGES)))
    result = _batch(engine, "/asyncthrows")[0]
    assert "unhandled promise rejection" in result["error"]["message"] and "late" in result["error"]["message"]
    assert _slot_is_js_rungc()
    assert gc_gate._lib.JS_GetGCThreshold(engine.interp.collections.rt) < 4 * 1024 * 1024
    assert _batch(engine, "/plain")[0]["body"] == "<p>0</p>"
    _times_out(engine, "/asyncspin")
    assert _slot_is_js_rungc()


def test_jobs_an_answer_queues_as_it_is_made_still_collect(tmp_path):
    # A nested evaluation's answer is made JSON before dukpy's last drain: a page object's toJSON in it may queue
    # jobs, which run as page code after the answer, so collections stay on (gc_gate.pause).
    script = tmp_path / "late_answer.js"
    script.write_text("__pv.nested.lateAnswer = function () {\n"
                      "  return { toJSON() { Promise.resolve().then(() => { for (let i = 0; i < 1500000; i++) {"
                      " const a = { x: [1, 2, 3] }; a.self = a; } }); return 'answered'; } };\n};\n")
    registry = builtins.registry()
    engines = []
    registry.add("askNested", lambda ctx: engines[0].nested("lateAnswer", None))
    engine = Engine(Site(write_site(tmp_path / "site", {"ask.ejs": "<%= askNested() %>"})), registry=registry,
                    scripts=(str(script),))
    engines.append(engine)
    result = _batch(engine, "/ask")[0]
    assert result["error"] is None, result["error"]
    assert result["body"] == "answered"
    assert _slot_is_js_rungc()


def test_a_batch_in_another_thread_keeps_dukpys_collections(engine):
    _batch(engine, "/plain")
    engine.interp.collections.settle()
    base = _heap(engine)
    before = dict(gc_gate.counts)
    seen = []
    worker = threading.Thread(target=lambda: seen.append(_batch(engine, "/cycle")[0]["body"]))
    worker.start()
    worker.join(30)
    assert seen == ["cycle"]
    assert gc_gate.counts == before
    assert _heap(engine) - base < 50_000


def test_freed_interpreters_and_the_environment_switch(tmp_path):
    script = (
        "from bindings import builtins\n"
        "from runtime.render.engine import Engine\n"
        "from runtime.render.site import Site\n"
        "import gc, sys\n"
        "builtins.load()\n"
        f"e = Engine(Site({str(write_site(tmp_path, PAGES))!r}))\n"
        "print(e.interp.collections.active)\n"
        "calls = []\n"  # R.collect calls into Python only where there are collections to resume
        "resume = e.interp._funcs[b'pv.gc']\n"
        "e.interp._funcs[b'pv.gc'] = lambda: calls.append(1) or resume()\n"
        "from runtime.render.router import Router\n"
        "from tests.helpers import page_payload\n"
        "e.render_batch([page_payload(e, Router(e.site), '/plain', {'n': '1'})], lambda i, r: None)\n"
        "print(len(calls))\n"
        "e.interp.eval_script('(function () { const a = {}; a.self = a; return 0; })()')\n"
        "del e; gc.collect()\n"  # the runtime freed: JS_FreeRuntime collects through the slot
        "print('freed')\n"
    )
    for env, active, crossings in (({}, "True", "1"), ({"PAGESVM_JS_GC": "dukpy"}, "False", "0")):
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                              env={**os.environ, **env})
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == [active, crossings, "freed"]
    gc.collect()
