"""Attack: something the render queue did not expect raises outside the evaluation (arming the
time limit, replacing the interpreter…). Every job of the batch must still get exactly one
result; before, the exception escaped ``_flush`` into the IOLoop and the clients waited forever
(seen with ``--timeout 1e10``: setitimer overflowed at the first page)."""
from __future__ import annotations

import asyncio

from runtime.render.limits import RequestLimits
from tests.render.test_executor import Renderer as _Renderer, site, text  # noqa: F401 - site is a fixture


class Renderer(_Renderer):
    """The test module's Renderer, waiting 10 s (not 60) for the answers."""

    def run(self, *urls: str) -> dict:
        async def submit_all():
            jobs = [self.queue.submit(self.job(url)) for url in urls]
            await asyncio.wait_for(asyncio.gather(*(job.waiter() for job in jobs)), 10)

        self.answers = []
        asyncio.run(submit_all())
        assert sorted(label for label, _ in self.answers) == sorted(urls)  # each answered exactly once
        return dict(self.answers)


class _BrokenClock(RequestLimits):
    """Time limits whose timer cannot be set (as setitimer refuses a huge or NaN interval)."""

    def arm(self) -> None:
        raise OverflowError("timestamp out of range for platform time_t")


def test_an_unexpected_error_outside_the_evaluation_still_answers_every_job(site):  # noqa: F811
    r = Renderer(site)
    r.queue.limits = _BrokenClock(10.0, watchdog=False)
    results = r.run("/echo?n=1", "/echo?n=2", "/broken")  # run() waits at most 60 s, then fails
    assert all(result.get("error") for result in results.values()), results
    assert len(r.answers) == 3


def test_the_queue_serves_again_after_such_an_error(site):  # noqa: F811
    r = Renderer(site)
    r.queue.limits = _BrokenClock(10.0, watchdog=False)
    r.run("/echo?n=1")
    r.queue.limits = RequestLimits(10.0, watchdog=False)
    assert text(r.run("/echo?n=3")["/echo?n=3"]) == "3 undefined undefined"


def test_a_failing_replacement_interpreter_still_answers_the_jobs_left(site, monkeypatch):  # noqa: F811
    r = Renderer(site)

    def cannot_replace():
        raise MemoryError("no interpreter")

    monkeypatch.setattr(r.queue, "replace_engine", cannot_replace)
    # A page that leaves an undeletable global makes the queue replace the interpreter after it.
    answered = r.run("/leak", "/echo?n=2")
    assert set(answered) == {"/leak", "/echo?n=2"}
