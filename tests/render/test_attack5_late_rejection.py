"""Attack on executor._late_rejection (144b9dc). dukpy turns the reason of a promise that page code rejected and
nobody handled into text (its toString: page code) as the batch's evaluation ends, after every page's result,
after the request's globals were swept and its state dropped, with the time limit paused. A job that toString
queues is still pending when the evaluation returns, and ``_late_rejection`` then calls ``engine.usable()``,
an evaluation that drains it: page code, run after ``limits.disarm()`` (no tick, no watchdog), with
``engine.ctx`` None and dukpy's collections as gc_gate left them. A job that loops (or re-queues itself)
wedges the worker for good; before 144b9dc the interpreter was replaced without being evaluated again."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from bindings import builtins
from runtime.render.router import Router
from runtime.render.site import Site
from tests.helpers import ROOT
from tests.render.test_executor import PAGES, Renderer, text

# toString queues a job that never ends: the job runs in executor._late_rejection's engine.usable()
JOB_SPIN = "<% Promise.reject({ toString() { Promise.resolve().then(() => { for (;;) {} }); return 'r'; } }) %>rejected"
# toString queues a job that sets a flag: it must not run outside the request (usable, or a later batch)
JOB_FLAG = ("<% Promise.reject({ toString() { Promise.resolve().then(() => { globalThis.late = 'ran'; }); return 'r'; } }) %>"
            "rejected")
# toString itself never ends (pre-existing: its time limit is paused after the last page; the watchdog ends the worker)
SPIN = "<% Promise.reject({ toString() { for (;;) {} } }) %>rejected"
EXTRA = {"oomreason.ejs": "", "jobspin.ejs": JOB_SPIN, "jobflag.ejs": JOB_FLAG, "spin2.ejs": SPIN, "late.ejs": "<%= typeof late %>"}


@pytest.fixture
def site(tmp_path):
    builtins.load()
    (tmp_path / "site").mkdir()
    EXTRA["oomreason.ejs"] = OOM_REASON
    for rel, body in {**PAGES, **EXTRA}.items():
        (tmp_path / "site" / rel).write_text(body)
    site = Site(str(tmp_path / "site"))
    return site, Router(site), str(tmp_path / "data")


def test_no_job_a_rejection_reason_queued_runs_after_the_batch(site):
    r = Renderer(site)
    results = r.run("/echo?n=1", "/jobflag")
    assert text(results["/jobflag"]) == "rejected"
    assert r.queue.engine.interp.eval_script("typeof late") == "undefined"  # never ran
    assert text(r.run("/late")["/late"]) == "undefined"


def _in_a_process(site, urls, seconds=20):
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {ROOT!r})
        from bindings import builtins
        from runtime.render.router import Router
        from runtime.render.site import Site
        from tests.render.test_executor import Renderer, text
        builtins.load()
        site = Site({site[0].root!r})
        r = Renderer((site, Router(site), {site[2]!r}), timeout=0.3)
        results = r.run(*{urls!r})
        print(text(results["/echo?n=1"]))
    """)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=seconds, cwd=ROOT)


def test_a_job_queued_by_a_rejection_reason_cannot_wedge_the_worker(site):
    try:
        done = _in_a_process(site, ["/echo?n=1", "/jobspin"])
    except subprocess.TimeoutExpired:
        pytest.fail("the batch never ended: the job ran in _late_rejection's usable(), with no time limit")
    assert "1 undefined undefined" in done.stdout, done.stderr



def test_a_rejection_reasons_tostring_is_on_the_clock(site):
    try:
        done = _in_a_process(site, ["/echo?n=1", "/spin2"], seconds=10)
    except subprocess.TimeoutExpired:
        pytest.fail("the reason's toString ran unbounded after the batch's last page")
    assert "1 undefined undefined" in done.stdout, done.stderr


CHURN = "let n = 0; for (let i = 0; i < 1500000; i++) { const a = { x: [1, 2, 3] }; a.self = a; n++; }"
# ~200 MB of cycles made by the reason's toString, as the batch's evaluation ends (dukpy's collections skipped)
OOM_REASON = "<% Promise.reject({ toString() { " + CHURN + " return 'churned ' + n; } }) %>rejected"


def test_a_rejection_reason_that_exhausts_memory_does_not_fail_the_next_batch(site):
    r = Renderer(site)
    results = r.run("/echo?n=1", "/oomreason")
    assert text(results["/echo?n=1"]) == "1 undefined undefined"
    assert text(results["/oomreason"]) == "rejected"
    engine = r.queue.engine
    assert text(r.run("/echo?n=2")["/echo?n=2"]) == "2 undefined undefined"
    assert r.queue.engine is engine, "the batch after it failed on the interpreter it left, and ran again on a new one"
