"""A worker's side of the control channel (``control.py``) and of the server's start.

The worker tells the supervisor which cron jobs its hook files registered, runs a job when the
supervisor says so (one worker per run: the supervisor keeps the schedule) and reports when it ended.
The first worker of a server start also runs the ``onBootstrap``/``onServe`` handlers, before it says
it is ready, so no other worker starts (nor any request is served) before they are done.
The realtime broker is joined to the other workers' through the same channel (``Link``;
runtime/serve/realtime_hub.py is the supervisor's side).

Order of realtime messages: what the channel brings is handled at the loop's next turn, through the same
queue as the deliveries of this worker's own messages (the broker's ``schedule``), so messages are delivered
here in the order they came in. Before the broker queues a message of its own for a client here, ``drain``
queues whatever the channel holds already: a message of another worker whose request was answered before this
one's began is there (its request waited for the supervisor's ``rt_ok``, ``Link.hold``), so it goes first.
"""
from __future__ import annotations

import logging
import socket
import time

from .control import Outbox, Reader

log = logging.getLogger("pagesvm")
CONFIRM_WAIT = 1.0  # seconds an answer waits for the supervisor's rt_ok (a worker not reading): then it goes
LATE_LOG_EVERY = 10.0  # seconds between two log lines about answers that stopped waiting


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
    written when the socket is writable again.

    Each realtime payload posted (``{"rt": …}``) is numbered (``seq``), and the supervisor answers ``rt_ok``
    with the last it wrote to every worker concerned; ``hold`` keeps a request's answer until then."""

    def __init__(self, loop, sock: socket.socket):
        self.loop, self.sock = loop, sock
        self.outbox = Outbox(sock)
        self.writing = False
        self.posted = 0  # realtime payloads posted so far
        self.confirmed = 0  # … of which the supervisor has written all up to this one to their workers
        self.waiting: list = []  # [seq, callback, timer] of held answers, seq ascending
        self.drain = lambda: None  # queue what the channel holds now (set by ``attach``)
        self._late_logged = 0.0

    def post(self, message: dict) -> None:
        if "rt" in message:
            self.posted += 1
            message["seq"] = self.posted
        self.outbox.post(message)
        self.want_write(bool(self.outbox.pending))

    def hold(self, since: int, callback) -> bool:
        """An answer is about to be sent; ``since``: ``posted`` when its request began. True: send it now (its
        request posted nothing, or all is confirmed); else ``callback()`` is called once everything posted
        until now is confirmed, or after CONFIRM_WAIT (a worker that exited is confirmed by the supervisor)."""
        if self.posted == since or self.confirmed >= self.posted:
            return True
        entry = [self.posted, callback, None]
        entry[2] = self.loop.call_later(CONFIRM_WAIT, lambda: self._late(entry))
        self.waiting.append(entry)
        return False

    def confirm(self, seq: int) -> None:
        """The supervisor wrote every payload up to ``seq`` to the workers they concern (``rt_ok``)."""
        self.confirmed = max(self.confirmed, seq)
        while self.waiting and self.waiting[0][0] <= self.confirmed:
            _, callback, timer = self.waiting.pop(0)
            self.loop.remove_timeout(timer)
            callback()

    def _late(self, entry: list) -> None:
        if entry not in self.waiting:
            return
        self.waiting.remove(entry)
        now = time.monotonic()
        if now - self._late_logged > LATE_LOG_EVERY:
            self._late_logged = now
            log.warning("realtime: no word from the supervisor on a message for other workers after %gs; "
                        "answered without it (is a worker not reading its channel?)", CONFIRM_WAIT)
        entry[1]()

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

    def handle(messages: list) -> None:
        for message in messages:
            job_id = message.get("run")
            if isinstance(job_id, str):
                if jobs.run_cron(job_id, done(job_id)) is None:
                    link.post({"done": job_id, "outcome": "missing"})
            elif isinstance(message.get("rt_ok"), int):
                link.confirm(message["rt_ok"])
            elif broker is not None:
                broker.on_link(message)

    def closed() -> None:
        link.confirm(link.posted)  # nobody will confirm: held answers go
        if broker is not None:
            broker.detach()  # the supervisor is gone: this worker alone

    def take(everything: bool) -> None:
        """Queue what the channel holds, behind the deliveries already queued (see the module's docstring)."""
        was_open = not reader.closed
        messages = reader.read(everything)
        if messages:
            loop.add_callback(handle, messages)
        if was_open and reader.closed:
            loop.remove_handler(sock.fileno())
            loop.add_callback(closed)

    def readable(fd, events) -> None:
        if events & loop.WRITE:
            link.want_write(link.outbox.flush())
        if events & loop.READ:
            take(False)

    link.drain = lambda: take(True)
    loop.add_handler(sock.fileno(), readable, loop.READ)
    link.post({"jobs": jobs.table()})
    return sock
