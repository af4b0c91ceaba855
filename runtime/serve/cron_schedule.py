"""The supervisor's cron: which ``cronAdd`` jobs are due, and which one worker runs each.

PocketBase runs every due job once a minute, at second 0 (UTC). pagesvm has several workers, each with
the jobs its hook files registered; running them in every worker would run each N times, so the schedule
lives here, in the one supervisor, and each due job is sent to exactly one worker over its control
channel (``worker_control.py``). A job whose previous run has not ended is skipped for that minute (and
logged) rather than started beside it; a run ends when its worker says so or dies.

The clock is injectable (``clock()`` → seconds since the epoch) so tests drive minutes without waiting.
"""
from __future__ import annotations

import datetime
import logging
import time

from ..hooks.cron import Schedule

log = logging.getLogger("pagesvm")
CATCH_UP = 5  # minutes: a supervisor held up longer than a minute still runs what fell due meanwhile, once


class CronScheduler:
    def __init__(self, clock=time.time):
        self.clock = clock
        self.jobs: dict[str, tuple[str, str, Schedule]] = {}  # id -> (expression, file, schedule)
        self.running: dict[str, object] = {}  # id -> the worker running it
        self._minute: int | None = None  # the last minute looked at

    def set_table(self, rows) -> None:
        """The jobs a worker reported (``[[id, expression, file], …]``); the newest worker's table wins,
        so a reload that changed the hook files changes the schedule."""
        jobs = {}
        for job_id, expr, file in rows:
            try:
                jobs[str(job_id)] = (str(expr), str(file), Schedule.parse(str(expr)))
            except ValueError as e:  # the worker checked it already; a mismatch is logged, never fatal
                log.error("cron job %s (%s): %s", job_id, file, e)
        if jobs.keys() != self.jobs.keys():
            log.info("cron: %d job%s scheduled%s", len(jobs), "" if len(jobs) == 1 else "s",
                     f" ({', '.join(jobs)})" if jobs else "")
        self.jobs = jobs

    def due(self) -> list[str]:
        """The jobs due since the last call (each once), by the clock; the first call only starts the count,
        as PocketBase's ticker starts at the next whole minute."""
        minute = int(self.clock() // 60)
        last, self._minute = self._minute, minute
        if last is None or minute <= last:
            return []
        found: list[str] = []
        for m in range(max(last + 1, minute - CATCH_UP + 1), minute + 1):
            when = datetime.datetime.fromtimestamp(m * 60, datetime.timezone.utc)
            found += [job_id for job_id, (_, _, schedule) in self.jobs.items()
                      if schedule.is_due(when) and job_id not in found]
        return found

    def tick(self, workers, send) -> list[str]:
        """Start the due jobs: each on one of ``workers`` (those that can take one, in order of preference)
        through ``send(worker, job_id) -> bool``; returns the ids started."""
        started = []
        for job_id in self.due():
            if job_id in self.running:
                log.warning("cron job %s skipped: its previous run is still going", job_id)
                continue
            ranked = sorted(workers, key=lambda w: sum(1 for r in self.running.values() if r is w))
            worker = next((w for w in ranked if send(w, job_id)), None)
            if worker is None:
                log.error("cron job %s skipped: no worker could take it", job_id)
                continue
            self.running[job_id] = worker
            started.append(job_id)
        return started

    def finished(self, job_id: str, outcome: str = "ok", message: str = "") -> None:
        """A worker's report that ``job_id`` ended (``ok``, ``error``, ``timeout`` or ``missing``)."""
        self.running.pop(job_id, None)
        if outcome == "missing":
            log.error("cron job %s: the worker has no such job (hook files changed?)", job_id)

    def lost(self, worker) -> None:
        """``worker`` exited: the runs it had are over."""
        for job_id in [j for j, w in self.running.items() if w is worker]:
            log.error("cron job %s: its worker exited during the run", job_id)
            del self.running[job_id]
