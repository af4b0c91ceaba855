"""A worker's side of the control channel (``control.py``) and of the server's start.

The worker tells the supervisor which cron jobs its hook files registered, runs a job when the
supervisor says so (one worker per run: the supervisor keeps the schedule) and reports when it ended.
The first worker of a server start also runs the ``onBootstrap``/``onServe`` handlers, before it says
it is ready, so no other worker starts (nor any request is served) before they are done.
The realtime broker is joined to the other workers' through the same channel (``Link``;
runtime/serve/realtime_hub.py is the supervisor's side).
"""
from __future__ import annotations

import logging
import socket

from .control import Outbox, Reader

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


class Link:
    """This worker's writing side of the channel, on the event loop: ``post`` never blocks; what waits is
    written when the socket is writable again."""

    def __init__(self, loop, sock: socket.socket):
        self.loop, self.sock = loop, sock
        self.outbox = Outbox(sock)
        self.writing = False

    def post(self, message: dict) -> None:
        self.outbox.post(message)
        self.want_write(bool(self.outbox.pending))

    def want_write(self, on: bool) -> None:
        if on != self.writing and not self.outbox.closed:
            self.writing = on
            self.loop.update_handler(self.sock.fileno(), self.loop.READ | (self.loop.WRITE if on else 0))


def raise_open_files() -> None:
    """Each realtime stream holds a socket: let this process open as many files as the hard limit allows."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 1 << 20, hard))
    except (ImportError, ValueError, OSError):
        pass


def attach(loop, fd: int, runtime) -> socket.socket | None:
    """Serve the control channel inherited as ``fd`` (-1: none) on ``loop``: report the cron table, run jobs,
    and carry the realtime broker's messages to and from the other workers."""
    if fd < 0:
        return None
    sock = socket.socket(fileno=fd)
    sock.setblocking(False)
    jobs = _jobs(runtime)
    reader = Reader(sock)
    link = Link(loop, sock)
    broker = runtime.options.get("realtime")
    if broker is not None:
        broker.attach(link)

    def done(job_id: str):
        def report(outcome: str, message: str) -> None:
            if outcome == "error":
                log.error("cron job %s failed: %s", job_id, message)
            elif outcome == "timeout":
                log.error("cron job %s %s", job_id, message)
            link.post({"done": job_id, "outcome": outcome})
        return report

    def readable(fd, events) -> None:
        if events & loop.WRITE:
            link.want_write(link.outbox.flush())
        if not events & loop.READ:
            return
        for message in reader.read():
            job_id = message.get("run")
            if isinstance(job_id, str):
                if jobs.run_cron(job_id, done(job_id)) is None:
                    link.post({"done": job_id, "outcome": "missing"})
            elif broker is not None:
                broker.on_link(message)
        if reader.closed:
            loop.remove_handler(sock.fileno())
            if broker is not None:
                broker.detach()  # the supervisor is gone: this worker alone

    loop.add_handler(sock.fileno(), readable, loop.READ)
    link.post({"jobs": jobs.table()})
    return sock
