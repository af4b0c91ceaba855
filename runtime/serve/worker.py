"""One worker process: its own interpreter and Tornado loop on the slot socket it inherited.

Run as ``python -m runtime.serve.worker`` by the supervisor (which never imports it), with
its configuration in the environment (see ``handoff``). SIGTERM (or SIGINT): stop accepting,
let in-flight requests finish for up to ``grace`` seconds, exit 0.
"""
from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import sys
import time
from typing import TYPE_CHECKING

from ..http.logline import LOG_FORMAT, WorkerHandler  # noqa: F401 - LOG_FORMAT: the worker's line format

if TYPE_CHECKING:
    from .handoff import WorkerConfig

log = logging.getLogger("pagesvm")
YOUNG = 20000  # the collector's first threshold in a worker (see the end of main)


def _exit_with_parent(parent: int) -> None:
    """Linux: get SIGTERM (drain, exit) if the supervisor dies, so no orphan keeps the port."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the call above
        os.kill(os.getpid(), signal.SIGTERM)


def _build_front(root: str, **options):
    """The HTTP delegate this worker serves the site with."""
    from ..http.build import build_runtime
    from ..http.connection import PagesFront

    return PagesFront(*build_runtime(root, **options))


def main(cfg: WorkerConfig) -> int:
    logging.basicConfig(level=logging.INFO, handlers=[WorkerHandler(sys.stdout)])
    _exit_with_parent(cfg.parent)
    import tornado.ioloop

    from bindings.registry import DuplicateBinding

    from ..http.admission import HEADER_HARD_CAP, Admission, LimitedHTTPServer, ProxyTrust
    from ..render.config import ConfigError
    from ..http.extensions import ExtensionError
    from ..render.limits import RequestLimits
    from ..hooks import HookLoadError
    from . import worker_control

    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # reloads are the supervisor's business
    worker_control.raise_open_files()  # a realtime stream holds a socket
    srv = cfg.server
    try:
        admission = Admission(srv.max_body, ProxyTrust(srv.proxy_headers, srv.forwarded_allow_ips),
                              idle_timeout=srv.idle_timeout, max_sse=srv.max_sse)
        front = _build_front(cfg.site, settings=cfg.app, limits=RequestLimits(cfg.app.timeout, watchdog=True),
                             admission=admission)
    except (DuplicateBinding, ConfigError, ExtensionError, ValueError, HookLoadError) as e:
        print(f"pagesvm: error: {e}", file=sys.stderr, flush=True)
        return 2
    server = LimitedHTTPServer(front, max_connections=srv.max_connections, admission=admission, max_body_size=srv.max_body,
                               max_header_size=HEADER_HARD_CAP, idle_connection_timeout=srv.idle_timeout,
                               body_timeout=srv.idle_timeout)
    listening = socket.socket(fileno=cfg.fd)
    server.add_socket(listening)
    front.runtime.loopback.ports.add(listening.getsockname()[1])  # $http.send to this port is served in-process
    loop = tornado.ioloop.IOLoop.current()

    def drain() -> None:
        if server.draining:
            return  # already draining
        log.info("worker %d draining (%d request%s in flight)", cfg.slot, admission.in_flight,
                 "" if admission.in_flight == 1 else "s")
        server.begin_drain()  # stop accepting; answers from now on close their connection
        front.runtime.close_streams()  # realtime clients reconnect to another worker (the SDK does)
        deadline = time.monotonic() + srv.grace

        def check() -> None:
            if admission.in_flight <= 0 and server.busy_connections == 0:
                loop.stop()
            elif time.monotonic() > deadline:
                log.error("worker %d: %d request(s) still running after --grace; exiting", cfg.slot,
                          admission.in_flight)
                loop.stop()
            else:
                loop.call_later(0.05, check)

        check()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.asyncio_loop.add_signal_handler(sig, drain)
    hooks = front.runtime.hooks
    if cfg.store and hooks is not None and hooks.registrations:  # app.store() as the start-up migrations left it
        from ..hooks.learn import seed_store

        seed_store(front.runtime.engine, hooks.registrations[0].file, cfg.store)
    if cfg.bootstrap:  # once per server start, before this worker (or any other) serves
        failed = worker_control.run_startup(loop, front.runtime)
        if failed:
            print(f"pagesvm: error: {failed}", file=sys.stderr, flush=True)
            return 2
    control = worker_control.attach(loop, cfg.control_fd, front.runtime)  # noqa: F841 - kept open while serving
    # Everything made so far (modules, the interpreter's runtime, the router) lives as long as the
    # worker: out of the collector's sight, a full collection takes microseconds instead of the
    # 5-15 ms pauses that otherwise set the 99th-percentile latency under load.
    gc.collect()
    gc.freeze()
    # The young generation is collected after YOUNG net new containers instead of Python's 700: a batch of pages
    # holds more than that alive for a moment (payloads, results, jobs, Tornado's futures), so at 700 collections
    # ran inside most batches; one of 20000 young objects takes ~0.25 ms (hello, binding: 3-7% more pages a
    # second, served in turns with the default; the worker's RSS after the benchmark is unchanged).
    gc.set_threshold(YOUNG, 10, 10)
    os.write(cfg.ready_fd, b"1")
    os.close(cfg.ready_fd)
    loop.start()
    return 0


if __name__ == "__main__":
    from .handoff import take_config

    try:
        config = take_config()
    except (KeyError, ValueError) as e:  # not started by the supervisor, or a hand-off it did not write
        print(f"pagesvm: error: worker configuration: {e}", file=sys.stderr, flush=True)
        sys.exit(2)
    sys.exit(main(config))
