"""The render queue (runtime/render/executor.py) as a plain object, without sockets: a real
Engine on a small site, jobs submitted in one turn of an event loop, results collected by the
one callback the queue is given.
"""
from __future__ import annotations

import asyncio

import pytest

from bindings import builtins
from bindings.context import Context, RequestInfo, ResponseEffects
from runtime.render.engine import Engine, page_payload
from runtime.render.executor import Job, RenderQueue, process_counters
from runtime.render.limits import RequestLimits
from runtime.render.router import Router
from runtime.render.site import Site

PAGES = {
    "echo.ejs": "<%= params.n %> <%= typeof leftover %> <%= typeof sticky %>",
    "pollute.ejs": "<% globalThis.leftover = 1 %>polluted",
    "throws.ejs": "<% throw new Error('boom') %>",
    "broken.ejs": "<% if ( %>",
    "spin.ejs": "<% while (true) {} %>never",
    "leak.ejs": "<% Object.defineProperty(globalThis, 'sticky', { value: 1, configurable: false }) %>leaked",
    "hog.ejs": "<% const hog = []; while (true) hog.push(new Array(100000).fill(7)); %>",
    "null.ejs": "<% throw null %>",
    # rejected while the page's code runs, not in a job: dukpy raises it as the whole evaluation ends
    "reject.ejs": "<% Promise.reject(new Error('nobody handles this')); (async () => { throw new Error('nor this'); })() %>rejected",
}


@pytest.fixture
def site(tmp_path):
    builtins.load()
    for rel, text in PAGES.items():
        (tmp_path / "site" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "site" / rel).write_text(text)
    site = Site(str(tmp_path / "site"))
    return site, Router(site), str(tmp_path / "data")


class Renderer:
    """A queue over a fresh Engine whose callback records (label, result) in answer order."""

    def __init__(self, site, timeout: float = 10.0, on_result=None):
        self.site, self.router, self.data_dir = site
        self.answers: list[tuple[str, dict]] = []
        self.queue = RenderQueue(Engine(self.site, router=self.router), RequestLimits(timeout, watchdog=False),
                                 on_result or self.collect)
        self.first_engine = self.queue.engine

    def collect(self, job: Job) -> None:
        self.answers.append((job.handler, job.result))

    def job(self, url: str) -> Job:
        path, _, query = url.partition("?")
        params = dict(pair.split("=") for pair in query.split("&")) if query else {}
        match = self.router.match(path, "GET")
        info = RequestInfo(method="GET", path=path, url=url, headers={}, cookies={}, query=params, body=None)
        ctx = Context(request=info, response=ResponseEffects("/"), data_dir=self.data_dir, site=self.site.root)
        request = {"method": "GET", "url": url, "host": "", "headers": {}, "cookies": {}, "body": None}
        payload = page_payload(match.file, match.route.kind, match.middlewares, match.loaders, match.layouts,
                               {**params, **match.params}, request)
        return Job(url, ctx, payload)  # the handler is the callback's own: here, a label

    def run(self, *urls: str) -> dict[str, dict]:
        """Submit every URL in one turn of the loop; wait for all answers; results by URL."""

        async def submit_all():
            jobs = [self.queue.submit(self.job(url)) for url in urls]
            await asyncio.wait_for(asyncio.gather(*(job.waiter() for job in jobs)), 60)

        self.answers = []
        asyncio.run(submit_all())
        assert sorted(label for label, _ in self.answers) == sorted(urls)  # each answered exactly once
        return dict(self.answers)


def text(result: dict) -> str:
    assert not result.get("error") and not result.get("timeout"), result
    return result["body"].strip()


def test_jobs_submitted_in_one_turn_share_one_evaluation_and_are_answered_in_order(site):
    r = Renderer(site)
    before = process_counters()
    urls = [f"/echo?n={i}" for i in range(5)]
    results = r.run(*urls)
    assert [label for label, _ in r.answers] == urls
    assert [text(results[url]) for url in urls] == [f"{i} undefined undefined" for i in range(5)]
    assert (r.queue.batches, r.queue.rendered) == (1, 5)
    after = process_counters()
    assert (after["batches"] - before["batches"], after["rendered"] - before["rendered"]) == (1, 5)
    assert r.queue.engine is r.first_engine


def test_a_global_left_by_one_job_is_gone_for_the_next(site):
    results = Renderer(site).run("/pollute", "/echo?n=1")
    assert text(results["/pollute"]) == "polluted"
    assert text(results["/echo?n=1"]) == "1 undefined undefined"


def test_one_failing_job_does_not_fail_the_others(site):
    r = Renderer(site)
    results = r.run("/echo?n=1", "/throws", "/broken", "/echo?n=2")
    assert results["/throws"]["error"]["message"] == "boom"
    assert results["/broken"]["error"]  # does not compile: fails before the evaluation
    assert r.queue.engine.locate_error(results["/throws"]["error"]).path == "throws.ejs"
    assert text(results["/echo?n=1"]) == "1 undefined undefined"
    assert text(results["/echo?n=2"]) == "2 undefined undefined"
    assert r.queue.engine is r.first_engine  # a page's own error leaves the interpreter usable


def test_a_callback_that_raises_for_one_job_does_not_stop_the_others(site):
    seen = []

    def on_result(job):
        if job.handler == "/echo?n=2":
            raise RuntimeError("the response could not be made")
        seen.append((job.handler, text(job.result)))

    r = Renderer(site, on_result=on_result)

    async def submit():
        jobs = [r.queue.submit(r.job(f"/echo?n={i}")) for i in (1, 2, 3)]
        await asyncio.wait_for(asyncio.gather(*(job.waiter() for job in jobs)), 60)
        return jobs

    jobs = asyncio.run(submit())
    assert all(job.answered for job in jobs)
    assert seen == [("/echo?n=1", "1 undefined undefined"), ("/echo?n=3", "3 undefined undefined")]


def test_a_timeout_fails_that_job_replaces_the_interpreter_and_reruns_the_unstarted(site, caplog):
    r = Renderer(site, timeout=0.5)
    results = r.run("/echo?n=1", "/spin", "/echo?n=2", "/echo?n=3")
    assert results["/spin"] == {"timeout": True}
    assert "GET /spin stopped: request exceeded --timeout" in caplog.text
    assert [text(results[f"/echo?n={i}"]) for i in (1, 2, 3)] == [f"{i} undefined undefined" for i in (1, 2, 3)]
    assert r.queue.engine is not r.first_engine
    assert r.queue.batches >= 2  # the two after the spinner ran again, on the new interpreter
    assert text(r.run("/echo?n=4")["/echo?n=4"]) == "4 undefined undefined"


def test_fast_pages_of_a_batch_share_timers_and_a_slow_one_after_them_still_stops_at_its_deadline(site, monkeypatch):
    """RequestLimits.arm leaves timers set moments ago running for the next page of a batch; the page that spins
    after twenty fast ones is still stopped at its own deadline (within one TICK), not before it."""
    import signal
    import time

    from runtime.render import limits

    real = signal.setitimer
    calls = []
    monkeypatch.setattr(limits.signal, "setitimer", lambda which, *args: (calls.append(which), real(which, *args))[1])
    r = Renderer(site, timeout=0.5)
    urls = [f"/echo?n={i}" for i in range(20)]
    began = time.monotonic()
    results = r.run(*urls, "/spin")
    assert results["/spin"] == {"timeout": True}
    assert 0.5 <= time.monotonic() - began < 0.5 + 1.5  # stopped at its deadline, not before (a slow machine: margin)
    assert [text(results[url]) for url in urls] == [f"{i} undefined undefined" for i in range(20)]
    armed = calls.count(signal.ITIMER_REAL)
    assert armed < 10, calls  # 21 pages: a page each was 21 settings (and a disarm); fast pages share theirs


def test_an_undeletable_global_replaces_the_interpreter_for_the_rest(site, caplog):
    r = Renderer(site)
    results = r.run("/leak", "/echo?n=1", "/echo?n=2")
    assert text(results["/leak"]) == "leaked"
    assert text(results["/echo?n=1"]) == "1 undefined undefined"  # not "1": the global is gone
    assert text(results["/echo?n=2"]) == "2 undefined undefined"
    assert r.queue.engine is not r.first_engine
    assert "replacing the interpreter" in caplog.text


def test_an_interpreter_out_of_memory_is_replaced_and_the_rest_are_served(site, caplog):
    r = Renderer(site)
    results = r.run("/hog", "/echo?n=1")
    assert results["/hog"].get("exhausted") and results["/hog"]["error"]
    assert text(results["/echo?n=1"]) == "1 undefined undefined"
    assert r.queue.engine is not r.first_engine
    assert "out of memory (or threw null); replacing the interpreter" in caplog.text


def test_a_thrown_null_is_taken_for_an_exhausted_interpreter(site, caplog):
    # QuickJS throws null when it has too little memory left to build its InternalError, so a null
    # cannot be told from an out-of-memory: the interpreter is replaced, which costs a millisecond.
    r = Renderer(site)
    results = r.run("/null", "/echo?n=1")
    assert results["/null"].get("exhausted") and results["/null"]["error"]["message"] == "uncaught null"
    assert text(results["/echo?n=1"]) == "1 undefined undefined"
    assert r.queue.engine is not r.first_engine
    assert "null.ejs ran the interpreter out of memory (or threw null)" in caplog.text


def test_a_rejection_raised_as_the_evaluation_ends_keeps_the_interpreter(site, caplog):
    # Every page already had its result; the interpreter is sound. Replacing it cost each such batch ~40 ms
    # (a page rejecting a promise at once served 14x fewer requests a second than its neighbours).
    r = Renderer(site)
    results = r.run("/echo?n=1", "/reject", "/echo?n=2")
    assert (text(results["/echo?n=1"]), text(results["/echo?n=2"])) == ("1 undefined undefined", "2 undefined undefined")
    assert text(results["/reject"]) == "rejected"
    assert r.queue.engine is r.first_engine
    assert "unhandled promise rejection" in caplog.text  # dukpy raises one of them (the latest)
    assert "nobody handles this" in caplog.text or "nor this" in caplog.text
    assert "reject.ejs" in caplog.text
    assert text(r.run("/echo?n=3")["/echo?n=3"]) == "3 undefined undefined"
