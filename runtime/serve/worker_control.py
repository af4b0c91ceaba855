"""A worker's side of the control channel (``control.py``) and of the server's start.

The worker tells the supervisor which cron jobs its hook files registered, runs a job when the
supervisor says so (one worker per run: the supervisor keeps the schedule) and reports when it ended.
The first worker of a server start also runs the ``onBootstrap``/``onServe`` handlers, before it says
it is ready, so no other worker starts (nor any request is served) before they are done.
"""
from __future__ import annotations

import logging
import socket

from .control import Reader, send

log = logging.getLogger("pagesvm")


def _jobs(runtime):
    from ..http.hook_jobs import HookJobs

    return HookJobs(runtime)


def run_startup(loop, runtime) -> str | None:
    """Run the start-up handlers to their end; the error line that must stop start-up, or None."""
    jobs = _jobs(runtime)
    if not jobs.has_startup():
        return None
    ended: dict = {}
    loop.run_sync(lambda: jobs.run_startup(lambda outcome, message: ended.update(o=outcome, m=message)).waiter())
    if ended.get("o") == "ok":
        return None
    return ended.get("m") or "onBootstrap: stopped: still running after --timeout"


def attach(loop, fd: int, runtime) -> socket.socket | None:
    """Serve the control channel inherited as ``fd`` (-1: none) on ``loop``: report the cron table, run jobs."""
    if fd < 0:
        return None
    sock = socket.socket(fileno=fd)
    jobs = _jobs(runtime)
    reader = Reader(sock)

    def done(job_id: str):
        def report(outcome: str, message: str) -> None:
            if outcome == "error":
                log.error("cron job %s failed: %s", job_id, message)
            elif outcome == "timeout":
                log.error("cron job %s %s", job_id, message)
            send(sock, {"done": job_id, "outcome": outcome})
        return report

    def readable(fd, events) -> None:
        for message in reader.read():
            job_id = message.get("run")
            if isinstance(job_id, str) and jobs.run_cron(job_id, done(job_id)) is None:
                send(sock, {"done": job_id, "outcome": "missing"})
        if reader.closed:
            loop.remove_handler(sock.fileno())

    send(sock, {"jobs": jobs.table()})
    loop.add_handler(sock.fileno(), readable, loop.READ)
    return sock
