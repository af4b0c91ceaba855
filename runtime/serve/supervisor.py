"""``pagesvm serve``: a small supervisor and N worker processes.

The supervisor binds one listening socket per worker slot, all on the same port with
SO_REUSEPORT, so the kernel spreads new connections evenly over the slots (one shared
socket lets a single worker grab most connections). It keeps every slot socket open
for its whole life and never creates an interpreter: a worker is a fresh
``python -m runtime.serve.worker`` process (new code, new ``+config.js``) that inherits
its slot's socket. Because the socket outlives its worker, connections queued while a
worker is replaced wait for the next one instead of being refused.

Signals: SIGTERM/SIGINT drain and exit 0; SIGHUP restarts the workers one by one
(the new one is listening before the old one is told to drain). A worker that exits
is replaced at once, except during start-up: then nothing is serving yet, and the
worker's own error line is the whole story, so everything stops with status 2.
"""
from __future__ import annotations

import logging
import os
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

from . import control
from .cron_schedule import CronScheduler
from .handoff import WORKER_MODULE, WorkerConfig, worker_env
from .realtime_hub import RealtimeHub

log = logging.getLogger("pagesvm")
READY_TIMEOUT = 60.0
RESTART_BACKOFF = 0.5  # a worker that dies before it is ready is restarted after this long


# -- sockets --------------------------------------------------------------------------------
def bind_slots(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets on one address, joined with SO_REUSEPORT.

    A port someone else listens on is refused up front: joining a reuseport group
    would otherwise silently share it with another server of the same user.
    """
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                         flags=socket.AI_PASSIVE)[0]
    if port:
        probe = socket.socket(family, kind, proto)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        finally:
            probe.close()
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, kind, proto)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind(address if not sockets else sockets[0].getsockname())
            sock.listen(1024)
            sock.setblocking(False)
            sockets.append(sock)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


# -- before any worker ---------------------------------------------------------------------
def learn_hooks(root: str) -> list:
    """Load the hook files as a worker will and return what they register (``runtime.hooks.Registration``;
    HookLoadError: ``pb_hooks/FILE:LINE: message``)."""
    from ..hooks import JS_FILES, find_hooks_dir, hook_files, learn

    hooks_dir = find_hooks_dir(root)
    names = hook_files(hooks_dir)
    if not names:
        return []
    from ..http.extensions import registry_for
    from ..render.engine import Engine
    from ..render.site import Site

    return learn(Engine(Site(root), registry=registry_for(()), scripts=JS_FILES), names)


def check_site_config(root: str, timeout: float = READY_TIMEOUT) -> str | None:
    """Why the site's ``+config.js`` or a ``pb_hooks/*.pb.js`` file would stop every worker, or None.

    Evaluated in a forked child, so the supervisor still never creates an interpreter (nor keeps
    the engine's memory), and a config that never finishes evaluating cannot hang start-up.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running the parent's exit handlers
        os.close(read_end)
        message = ""
        try:
            from ..render.config import load_config
            from ..render.site import Site

            load_config(Site(root))
            learn_hooks(root)
        except BaseException as e:  # noqa: BLE001 - whatever stops a worker, the parent says it
            message = str(e).splitlines()[0] if str(e) else type(e).__name__
        try:
            os.write(write_end, message.encode("utf-8", "replace")[:4000])
        finally:
            os._exit(0)
    os.close(write_end)
    ready = []
    try:
        ready, _, _ = select.select([read_end], [], [], timeout)
        message = os.read(read_end, 4096).decode("utf-8", "replace") if ready else None
    finally:
        os.close(read_end)
        if not ready:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if message is None:
        return f"+config.js did not finish evaluating within {timeout:g}s"
    return message or None


# -- the supervisor -------------------------------------------------------------------------
@dataclass(eq=False)  # one worker is one process: compared (and hashed, realtime_hub) by identity
class Worker:
    slot: int
    proc: subprocess.Popen
    ready_fd: int
    channel: control.Reader | None = None  # the control channel: cron runs, realtime (runtime/serve/control.py)
    outbox: control.Outbox | None = None  # its writing side
    ready: bool = False
    draining: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def close_pipe(self) -> None:
        if self.ready_fd >= 0:
            os.close(self.ready_fd)
            self.ready_fd = -1

    def close_channel(self) -> None:
        if self.channel is not None:
            self.channel.sock.close()
            self.channel = self.outbox = None


class Supervisor:
    def __init__(self, config: WorkerConfig, sockets: list[socket.socket]):
        self.config = config
        self.sockets = sockets
        self.grace = config.server.grace
        self.slots: list[Worker | None] = [None] * len(sockets)
        self.old: list[Worker] = []  # draining after a reload or during shutdown
        self.incoming: list[Worker] = []  # started by a reload, not yet given a slot
        self.stopping = False
        self.starting = False  # while start() runs, a worker that dies unready is not replaced
        self.start_failed = False
        self.reload_wanted = False
        self.cron = CronScheduler()  # cronAdd jobs: each due run sent to one worker
        self.hub = RealtimeHub(self._post, lambda w: w.outbox)  # realtime clients and events across the workers
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)

    # .. processes ..
    def _spawn(self, slot: int, bootstrap: bool = False) -> Worker:
        ready_r, ready_w = os.pipe()
        ours, theirs = socket.socketpair()
        ours.setblocking(False)  # written through an Outbox: a send never holds the supervisor up
        sock = self.sockets[slot]
        env = worker_env(self.config.for_slot(slot, sock.fileno(), ready_w, os.getpid(), theirs.fileno(), bootstrap))
        try:
            proc = subprocess.Popen([sys.executable, "-m", WORKER_MODULE], env=env,
                                    pass_fds=(sock.fileno(), ready_w, theirs.fileno()), cwd=os.getcwd())
        finally:
            os.close(ready_w)
            theirs.close()
        worker = Worker(slot, proc, ready_r, control.Reader(ours), control.Outbox(ours))
        self.hub.joined(worker)
        log.info("worker %d started (pid %d)", slot, proc.pid)
        return worker

    def _alive(self) -> list[Worker]:
        return [w for w in self.slots if w is not None] + self.old + self.incoming

    def _poll(self, timeout: float) -> None:
        """Wait for a signal, a readiness byte or a child exit; then handle what happened."""
        pending = {w.ready_fd: w for w in self._alive() if not w.ready and w.ready_fd >= 0}
        channels = {w.channel.sock.fileno(): w for w in self._alive() if w.channel is not None}
        waiting = [fd for fd, w in channels.items() if w.outbox.pending]
        try:
            readable, writable, _ = select.select([self._wake_r, *pending, *channels], waiting, [], timeout)
        except InterruptedError:
            readable = writable = []
        for fd in writable:
            channels[fd].outbox.flush()
        for fd in readable:
            if fd in channels:
                self._on_message(channels[fd])
            elif fd == self._wake_r:
                try:
                    while os.read(self._wake_r, 512):
                        pass
                except BlockingIOError:
                    pass
            elif fd in pending:
                worker = pending[fd]
                if os.read(fd, 1):
                    worker.ready = True
        if self.hub.unconfirmed:  # a realtime payload's sender waits until its line is in every target's socket
            self.hub.flushed()
        self._reap()
        if not self.stopping:
            self.cron.tick([w for w in self.slots if w is not None and w.ready and w.channel is not None],
                           lambda w, job_id: self._post(w, {"run": job_id}))

    def _post(self, worker: Worker, message: dict) -> bool:
        return worker.outbox is not None and worker.outbox.post(message)

    def _on_message(self, worker: Worker) -> None:
        for message in worker.channel.read():
            if self.hub.received(worker, message):
                continue
            if isinstance(message.get("jobs"), list):
                self.cron.set_table(message["jobs"])
            elif isinstance(message.get("done"), str):
                self.cron.finished(message["done"], str(message.get("outcome", "")))
        if worker.channel.closed:
            worker.close_channel()
            self.hub.left(worker)

    def _reap(self) -> None:
        for worker in list(self._alive()):
            code = worker.proc.poll()
            if code is None:
                continue
            worker.close_pipe()
            worker.close_channel()
            self.hub.left(worker)
            self.cron.lost(worker)
            if worker in self.old or worker in self.incoming:
                (self.old if worker in self.old else self.incoming).remove(worker)
                continue
            self.slots[worker.slot] = None
            if self.stopping:
                continue
            if self.starting and not worker.ready:
                self.start_failed = True  # its error is printed; a replacement would only repeat it
                continue
            how = f"signal {-code}" if code < 0 else f"status {code}"
            log.error("worker %d (pid %d) exited with %s; starting a replacement", worker.slot, worker.pid, how)
            if not worker.ready and time.monotonic() - worker.started < RESTART_BACKOFF:
                time.sleep(RESTART_BACKOFF)  # do not spin on a worker that cannot start
            self.slots[worker.slot] = self._spawn(worker.slot)

    def _wait_ready(self, worker: Worker, timeout: float = READY_TIMEOUT) -> bool:
        deadline = time.monotonic() + timeout
        while not worker.ready and time.monotonic() < deadline:
            if worker.proc.poll() is not None:
                return False
            self._poll(0.1)
        return worker.ready

    # .. signals ..
    def _on_signal(self, signum, frame) -> None:
        if signum == signal.SIGHUP:
            self.reload_wanted = True
        else:
            self.stopping = True
        try:
            os.write(self._wake_w, b"!")
        except BlockingIOError:
            pass

    def _install_signals(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        signal.signal(signal.SIGCHLD, self._on_child)

    def _on_child(self, signum, frame) -> None:
        try:
            os.write(self._wake_w, b"c")
        except BlockingIOError:
            pass

    # .. life cycle ..
    def start(self) -> bool:
        """Start every worker; False when the first cannot start (its error is already printed)."""
        self._install_signals()
        self.starting = True
        try:
            first = self._spawn(0, bootstrap=True)  # runs onBootstrap/onServe: once per server start
            self.slots[0] = first
            if not self._wait_first(first):
                return False
            for slot in range(1, len(self.slots)):
                self.slots[slot] = self._spawn(slot)
            deadline = time.monotonic() + READY_TIMEOUT
            while not all(w is not None and w.ready for w in self.slots):
                if self.stopping or self.start_failed or time.monotonic() > deadline:
                    return False
                self._poll(0.1)
            return True
        finally:
            self.starting = False

    def _wait_first(self, worker: Worker) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT
        while not worker.ready and time.monotonic() < deadline and not self.stopping:
            if worker.proc.poll() is not None:
                return False
            self._poll(0.1)
        return worker.ready

    def run(self) -> int:
        while not self.stopping:
            if self.reload_wanted:
                self.reload_wanted = False
                self.reload()
            self._poll(1.0)
        return self.shutdown()

    def reload(self) -> None:
        """Replace each worker by a new one, which listens before the old one drains."""
        log.info("reloading %d workers", len(self.slots))
        for slot in range(len(self.slots)):
            if self.stopping:
                return
            new = self._spawn(slot)
            self.incoming.append(new)
            ready = self._wait_ready(new)
            if new in self.incoming:
                self.incoming.remove(new)
            if not ready:
                log.error("reload stopped: the new worker %d did not start; keeping the running ones", slot)
                if new.proc.poll() is None:
                    new.proc.kill()
                new.proc.wait()
                new.close_pipe()
                return
            old, self.slots[slot] = self.slots[slot], new
            if old is not None:
                self.old.append(old)
                old.proc.send_signal(signal.SIGTERM)
        log.info("reload done")

    def shutdown(self) -> int:
        workers = self._alive()
        if workers:
            log.info("shutting down: draining %d workers (grace %gs)", len(workers), self.grace)
        for worker in workers:
            if worker.proc.poll() is None:
                worker.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace + 2.0
        for worker in workers:
            try:
                worker.proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error("worker %d (pid %d) did not stop in time; killing it", worker.slot, worker.pid)
                worker.proc.kill()
                worker.proc.wait()
        for sock in self.sockets:
            sock.close()
        return 0


def supervise(config: WorkerConfig) -> int:
    """Bind, start ``config.server.workers`` workers, and run until SIGTERM. Raises OSError if the
    port is busy."""
    workers = config.server.workers
    sockets = bind_slots(config.server.host, config.server.port, max(1, workers))
    supervisor = Supervisor(config, sockets)
    if not supervisor.start():
        supervisor.stopping = True
        supervisor.shutdown()
        return 2
    bound = sockets[0].getsockname()
    log.info("serving %s with %d worker%s", config.site, workers, "" if workers == 1 else "s")
    log.info("listening on http://%s:%d", bound[0], bound[1])
    return supervisor.run()

