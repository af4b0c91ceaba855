"""Pages waiting for the interpreter, rendered several per evaluation.

dukpy collects garbage twice around every ``evaljs`` (~185 µs with pagesvm's runtime
loaded), whatever the evaluation does. Under load many requests are parsed in the
same turn of the event loop, so they are queued and rendered together at the next
turn: one evaluation, one collection, for all of them. With a single request
waiting, this is one render per request, as before.

Each request still gets its own limits and state: JavaScript reports every result
as soon as it is made (``pv.page``/``pv.body``), and Python then re-arms the time limit and
switches the binding context for the next request. Answers are held until the
evaluation ends: clients' next requests then arrive together and share the next
evaluation (about 10% more small pages a second than writing each at once). A request
that runs past ``limits.HOLD`` sends the answers held before it from the time
limit's alarm, so a quick page never waits for a slow one rendered after it. If a
request runs past ``--timeout`` or breaks the interpreter, the requests already
answered keep their results, that one fails, and the ones that never started run
again on a fresh interpreter.

The queue owns rendering end to end: the engine, its time limits and replacing the
interpreter when one is interrupted or broken. The layer above gives it one callback,
``on_result(job)``, called once per job when its result is ready (``job.result``); what an
answer looks like on the wire is the callback's business, never the queue's.
"""
from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field

from tornado.ioloop import IOLoop

from .ejs_compiler import TemplateSyntaxError
from .engine import Engine, PageError
from .quickjs import JSRuntimeError
from .limits import RequestLimits, RequestTimeout

log = logging.getLogger("pagesvm")
MAX_BATCH = 64  # requests per evaluation; more wait for the next turn
_QUEUES: "weakref.WeakSet[RenderQueue]" = weakref.WeakSet()  # read by process_counters()


def process_counters() -> dict:
    """Evaluations run and requests rendered by every render queue of this process, for
    tests and tools that watch batching from inside a worker (no queue is handed out)."""
    queues = list(_QUEUES)
    return {"batches": sum(q.batches for q in queues), "rendered": sum(q.rendered for q in queues)}


def _end(job) -> None:
    """Run what the job's request registered for its end (``Context.at_end``), if anything: most
    register nothing and pay one attribute read."""
    if getattr(job.ctx, "ends", None) is not None:
        job.ctx.end()


def failure(e: BaseException) -> tuple[dict, PageError | None]:
    """The result of a request that failed in Python (compiling) or broke the interpreter."""
    if isinstance(e, TemplateSyntaxError):
        return {"error": {"name": e.name, "message": e.message}}, PageError(e.name, e.message, e.path, e.line, 500)
    error = {"name": type(e).__name__, "message": str(e).splitlines()[0] if str(e) else "", "stack": str(e)}
    return {"error": error}, None


@dataclass(eq=False)
class Job:
    """One page request between routing and the response; ``handler`` and ``status`` are the
    callback's own (the queue never reads them). ``result`` is render.js's record, or
    ``{"timeout": True}`` for a request stopped at its time limit."""

    handler: object
    ctx: object
    payload: dict
    status: int | None = None  # 404 for the site's +404 page
    result: dict | None = None
    host_error: object = None
    answered: bool = False
    _waiter: object = field(default=None, repr=False)

    def waiter(self):
        """A future done once the response is sent (for a RequestHandler, which must await it)."""
        if self._waiter is None:
            self._waiter = IOLoop.current().asyncio_loop.create_future()
            if self.answered:
                self._waiter.set_result(None)
        return self._waiter


class RenderQueue:
    """Collects page jobs during one turn of the event loop and renders them at the next.

    ``on_result(job)`` is called once per job, in order, when its result is ready; it should
    not raise (if it does, the error is logged and the other jobs go on). ``before_pages()``, if given, is called
    before each evaluation and after answers sent from the alarm: answers may leave output buffered until the turn
    ends (the access log), and page code can keep the turn from ending, or have the watchdog end the worker.
    """

    def __init__(self, engine: Engine, limits: RequestLimits, on_result, *, immediate: bool = False,
                 before_pages=None):
        self.engine = engine
        self.before_pages = before_pages
        self.limits = limits
        # Render each job as it is submitted, not on the next turn of the event loop: a page's call to its own
        # server (runtime/http/loopback.py) is answered while the calling page waits.
        self.immediate = immediate
        engine.interp.overdue = limits.overdue
        self._on_result = on_result
        self._waiting: list[Job] = []
        self._scheduled = False
        self.batches = 0  # evaluations run (tests and the benchmark read these)
        self.rendered = 0
        _QUEUES.add(self)

    def submit(self, job: Job) -> Job:
        """Queue ``job`` for the next turn of the event loop (render it now when ``immediate``)."""
        self._waiting.append(job)
        if self.immediate:
            self._flush()
        elif not self._scheduled:
            self._scheduled = True
            IOLoop.current().add_callback(self._flush)
        return job

    def _flush(self) -> None:
        self._scheduled = False
        jobs, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
        if self._waiting:
            self._scheduled = True
            IOLoop.current().add_callback(self._flush)
        while jobs:
            try:
                with self.engine.units.one_check_per_file():
                    jobs = self._render(jobs)
            except (Exception, RequestTimeout) as e:  # noqa: BLE001 - never leave a job unanswered
                self._abandon(jobs, e)
                jobs = []

    def _abandon(self, jobs: list[Job], error: BaseException) -> None:
        """Something outside any page's own failure stopped a batch (its time limit could not be
        armed, a replacement interpreter could not be built…): every job not yet answered gets
        its result now (those that never got one, this error), so no client waits forever."""
        log.error("rendering a batch of %d failed: %s: %s", len(jobs), type(error).__name__, error,
                  exc_info=error)
        self.limits.on_hold = None
        self.engine.ctx = None
        try:
            self.limits.disarm()
            self.replace_engine()  # its state is unknown
        except Exception:  # noqa: BLE001 - the next batch tries again
            log.exception("replacing the interpreter failed")
        for job in jobs:
            if not job.answered:
                if job.result is None:
                    job.result, job.host_error = failure(error)
                self._answer(job)

    def _render(self, jobs: list[Job]) -> list[Job]:
        """Render ``jobs`` in one evaluation and answer them; returns the ones to run again."""
        if self.before_pages is not None:
            self.before_pages()
        engine = self.engine
        ready: list[Job] = []
        for job in jobs:
            try:
                job.payload["units"] = engine.route_units(job.payload["route"])
                ready.append(job)
            except Exception as e:  # noqa: BLE001 - a page that does not compile fails alone
                job.result, job.host_error = failure(e)
                self._answer(job)
        retry: list[Job] = []
        if ready:
            retry = self._evaluate(ready)
        self.batches += 1
        again = set(map(id, retry))
        for job in jobs:  # in order; some were sent from the alarm (send_held)
            if id(job) not in again and not job.answered:
                self._answer(job)
        return retry

    def _evaluate(self, jobs: list[Job]) -> list[Job]:
        engine, limits = self.engine, self.limits

        held: list[Job] = []

        def done(index: int, result: dict) -> None:
            job = jobs[index]
            # Still on the request's clock: a page can queue many deferred calls cheaply, and
            # running them is its time too. Past --timeout this request, not yet given its
            # result, is the one the evaluation stopped at.
            engine.run_deferred(result.get("deferred"), job.ctx)
            limits.pause()
            _end(job)  # e.g. a transaction left open: gone before the next page starts
            job.result, job.host_error = result, engine.host_error
            engine.host_error = None
            held.append(job)
            if index + 1 < len(jobs):
                engine.ctx = jobs[index + 1].ctx
            # After the last page the clock runs too: dukpy makes an unhandled rejection's reason text (its
            # toString, page code) as the evaluation ends; past --timeout it stops there and the interpreter goes.
            limits.arm()

        def send_held() -> bool:
            """From the alarm, while a slow request runs: answer the pages finished before it.
            Not while Python code called from JavaScript runs (it may be mid-answer itself)."""
            if engine.interp.in_python:
                return False
            while held:
                self._answer(held.pop(0))
            if self.before_pages is not None:
                self.before_pages()
            return True

        engine.ctx = jobs[0].ctx
        limits.on_hold = send_held
        limits.arm()
        stopped: BaseException | None = None
        timed = False
        try:
            try:
                engine.render_batch([job.payload for job in jobs], done)
            finally:
                # Plain attribute reads and writes, no call: a tick already pending runs its
                # handler only at a call, and from here on it raises nothing. Had it raised at
                # the evaluation's end, it is caught just below, as the evaluation's failure.
                timed, limits.armed = limits.armed, False
        except (Exception, RequestTimeout) as e:  # noqa: BLE001 - whatever stopped the evaluation
            stopped = e
            limits.armed = False
        finally:
            overdue = timed and limits.used_up()
            limits.on_hold = None
            limits.disarm()
            engine.ctx = None
            for job in jobs:  # the request stopped by its time limit or a broken interpreter
                _end(job)
        unstarted = [job for job in jobs if job.result is None]
        if stopped is not None and not unstarted and self._late_rejection(jobs, stopped):
            stopped = None
        if stopped is not None and unstarted:
            culprit = unstarted.pop(0)
            self._failed(culprit, stopped, overdue)
        leaked = next((job for job in jobs if job.result and job.result.get("leaked")), None)
        if leaked is not None:  # a global the page made undeletable: the next request gets a fresh interpreter
            log.warning("%s left undeletable globals %s; replacing the interpreter",
                        leaked.payload["route"]["page"], leaked.result["leaked"])
        # A request that ran the interpreter out of memory ends its batch (render.js): the next
        # requests get a fresh interpreter, and the log names that page.
        exhausted = next((job for job in jobs if job.result and job.result.get("exhausted")), None)
        if exhausted is not None:
            log.warning("%s ran the interpreter out of memory (or threw null); replacing the interpreter", exhausted.payload["route"]["page"])
        if stopped is not None or leaked is not None or exhausted is not None:
            self.replace_engine()
        elif unstarted:
            log.error("the interpreter stopped after %d of %d requests", len(jobs) - len(unstarted), len(jobs))
            self.replace_engine()
        self.rendered += len(jobs) - len(unstarted)
        return unstarted

    def _late_rejection(self, jobs: list[Job], stopped: BaseException) -> bool:
        """The evaluation failed after every page had its result: dukpy raises, as an evaluation ends, a rejection
        no one handled of a promise its own code made (a page's `Promise.reject(...)`, an async function throwing
        before its first await; render.js makes one rejected in a job its request's error). The interpreter is
        sound, so it stays (replacing it cost that batch ~40 ms), and the log names the pages it may come from."""
        # Making the reason text ran its toString (page code): a job it queued would run in usable()'s evaluation,
        # untimed (the limits are disarmed), or in a later batch, so such an interpreter is replaced unevaluated.
        if (not isinstance(stopped, JSRuntimeError)  # a time limit's RequestTimeout is none
                or self.engine.interp.collections.jobs_pending() or not self.engine.usable()):
            return False
        pages = sorted({str(job.payload["route"]["page"]) for job in jobs})
        text = str(stopped)
        message = text.splitlines()[0] if text else type(stopped).__name__
        log.warning("unhandled promise rejection in a page of %s: %s", ", ".join(pages), message)
        return True

    def replace_engine(self) -> None:
        """A fresh interpreter after one was interrupted mid-request (its state is unknown)."""
        old = self.engine
        # Forget first: if the new interpreter cannot be built, the old one is sent everything
        # again (sending too much is harmless; counting a unit as held that is not is not).
        old.units.forget_interpreter()
        self.engine = Engine(old.site, registry=old.registry, markdown=old.markdown, config=old.config,
                             router=old.router, scripts=old.scripts)
        self.engine.units = old.units
        self.engine.interp.overdue = self.limits.overdue

    @staticmethod
    def _failed(job: Job, stopped: BaseException, overdue: bool) -> None:
        if isinstance(stopped, RequestTimeout) or overdue:
            request = job.payload["request"]  # logged now, before the interpreter is replaced
            log.error("%s %s stopped: %s", request["method"], request["url"].partition("?")[0],
                      stopped if isinstance(stopped, RequestTimeout) else "request exceeded --timeout")
            job.result = {"timeout": True}
        else:
            job.result, job.host_error = failure(stopped)

    def _answer(self, job: Job) -> None:
        try:
            self._on_result(job)
        except Exception:  # noqa: BLE001 - one broken response must not stop the others
            log.exception("answering %s failed", job.payload["route"]["page"])
        job.answered = True
        if job._waiter is not None and not job._waiter.done():
            job._waiter.set_result(None)
