"""Per-request time limit for page code running in this worker's interpreter.

QuickJS polls an interrupt handler that lets Python's pending signals run. A
repeating SIGALRM timer whose handler raises ``RequestTimeout`` therefore stops
any loop: the first tick at the deadline, then every ``TICK`` (page code that
catches one interruption is stopped by the next). If the worker is wedged where no
interrupt is polled (a long C call), the watchdog ends the process once the request
has used ``timeout + 1`` seconds of CPU, and the supervisor starts a replacement.

The watchdog is a CPU-time timer (ITIMER_PROF) whose SIGPROF keeps its default,
fatal action, with faulthandler chained in front to log the stack first: one
setitimer call per request. (faulthandler.dump_traceback_later starts and joins a
thread per arming, which cost ~12% of a small page's time.)
"""
from __future__ import annotations

import faulthandler
import logging
import signal
import sys
import threading
import time

log = logging.getLogger("pagesvm.limits")

TICK = 0.05  # seconds between interruptions after the deadline
HOLD = 0.02  # a request running this long gets ``on_hold`` called (batch.py sends held answers)
HARD_MARGIN = 1.0  # the watchdog fires this long after the deadline
REARM_AFTER = 0.002  # in a batch, timers set less than this long ago are not set again for the next request (arm)
MIGRATION_TIMEOUT = 60.0  # default longest one pb_migrations file may run (--migration-timeout)


class RequestTimeout(BaseException):
    """The request ran past --timeout.

    A BaseException, so that a binding's ``except Exception`` cannot swallow it.
    """


class RequestLimits:
    """Arms the interrupt timer and the watchdog around one request (main thread only)."""

    def __init__(self, timeout: float, *, watchdog: bool = True):
        self.timeout = float(timeout or 0)
        self.watchdog = watchdog
        # Ticks raise RequestTimeout while this is true. A plain attribute, so a caller can clear it
        # without a function call, where a tick already pending could run its handler first.
        self.armed = False
        self._running = False  # the timers are set
        self._installed = False
        self._previous = (None, None)  # SIGALRM's and SIGPROF's handlers before _install (for release)
        self._started = 0.0
        self._set_at = 0.0  # when arm last set the timers
        # Called from the alarm when a request has run HOLD seconds; returns True once it has
        # done its work (then the timer waits for the deadline), False to be asked again a TICK later.
        self.on_hold = None

    @property
    def enabled(self) -> bool:
        return self.timeout > 0 and threading.current_thread() is threading.main_thread()

    def _install(self) -> None:
        alarm = signal.signal(signal.SIGALRM, self._on_alarm)
        prof = None
        if self.watchdog:
            prof = signal.signal(signal.SIGPROF, signal.SIG_DFL)
            faulthandler.register(signal.SIGPROF, file=sys.stderr, all_threads=False, chain=True)
        self._previous = (alarm, prof)
        self._installed = True

    def overdue(self) -> bool:
        """The request being timed has used up its time (a tick queued before the timer was
        re-armed for the next request does not count)."""
        return self.armed and time.monotonic() - self._started >= self.timeout - 0.001  # used_up(), inline: per call

    def used_up(self) -> bool:
        """The last request armed has run for its whole time, armed or not now."""
        return time.monotonic() - self._started >= self.timeout - 0.001

    def left(self) -> float | None:
        """Seconds the request being timed has left (None when none is): a binding that waits on the
        network cuts its own timeout to this ($http.send)."""
        return self.timeout - (time.monotonic() - self._started) if self.armed else None

    def _on_alarm(self, signum, frame) -> None:
        if self.overdue():
            raise RequestTimeout(f"request exceeded --timeout {self.timeout:g}s "
                                 f"(ran {time.monotonic() - self._started:.2f}s)")
        on_hold = self.on_hold
        if on_hold is not None and self.armed and on_hold():
            left = self.timeout - (time.monotonic() - self._started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), TICK)

    def arm(self) -> None:
        """Start the clock for one request (again, for each request of a batch)."""
        if not self.enabled:
            return
        if not self._installed:
            self._install()
        now = self._started = time.monotonic()
        self.armed = True
        # The next request of a batch, moments after the timers were set for an earlier one: they keep running, two
        # system calls fewer a page. Their first alarm comes up to REARM_AFTER early for this request: not overdue
        # yet, it calls on_hold, which sets the timer from this request's start (a timeout shorter than HOLD is
        # always set afresh); the watchdog has REARM_AFTER more CPU time than the deadline needs.
        if self._running and self.on_hold is not None and self.timeout > HOLD and now - self._set_at < REARM_AFTER:
            return
        self._running = True
        self._set_at = now
        first = min(self.timeout, HOLD) if self.on_hold is not None else self.timeout
        signal.setitimer(signal.ITIMER_REAL, first, TICK)
        if self.watchdog:
            signal.setitimer(signal.ITIMER_PROF, self.timeout + HARD_MARGIN + REARM_AFTER)

    def pause(self) -> None:
        """Ignore ticks until ``arm`` starts the clock again; the timers keep running (between
        the requests of a batch, where ``arm`` follows at once, two system calls fewer)."""
        self.armed = False

    def disarm(self) -> None:
        """From here on a late tick is ignored, never raised."""
        self.armed = False
        if not self._running:
            return
        self._running = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        if self.watchdog:
            signal.setitimer(signal.ITIMER_PROF, 0)

    def release(self) -> None:
        """Disarm, and give SIGALRM and SIGPROF back to the handlers they had before the first ``arm``:
        a one-off use (a migration, timed in the supervisor before it forks) leaves the process's
        signals as it found them. A worker's limits are never released."""
        self.disarm()
        if not self._installed:
            return
        alarm, prof = self._previous
        signal.signal(signal.SIGALRM, signal.SIG_DFL if alarm is None else alarm)
        if self.watchdog:
            faulthandler.unregister(signal.SIGPROF)
            signal.signal(signal.SIGPROF, signal.SIG_DFL if prof is None else prof)
        self._installed = False
