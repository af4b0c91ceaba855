"""The access log (one line per request on ``pagesvm.access``) and the handler a worker logs through.

A worker's log is one StreamHandler on the root logger writing LOG_FORMAT to stdout. Going through
``logging`` for the access line (a LogRecord, the logger and handler chain, the Formatter) cost ~8 µs per
request, about 4% of a small page. So when that handler is the only one the line would reach, with no filter
on the way and the standard record factory, the line is written straight to it, the same text under its
lock. Anything else (a handler or filter of the user's, a mounted site under the user's own logging
configuration, ``logging.disable``, a level) takes the ordinary path, so it sees the ordinary record.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s"
MESSAGE = "%s %s %s %d %.1fms"  # client, method, path (never the query string), status, milliseconds
access_log = logging.getLogger("pagesvm.access")
# Workers share stdout, usually a pipe: a write of at most PIPE_BUF (4096) bytes is never interleaved with another
# worker's, a longer one may be (the pipe full). Each flush of a turn's lines writes at most this many characters
# (a line's are Latin-1, at most two bytes each), so no line of one worker is cut by another's.
TURN_CHARS = 2048
_pending: set = set()  # WorkerHandlers with access lines waiting and a write scheduled (flush_pending)


class LineFormatter(logging.Formatter):
    """LOG_FORMAT's formatter, with the date and time of day formatted once per second instead of
    once per line (an access-log line per request made strftime ~1% of a small page's time)."""

    _second, _text = None, ""

    def formatTime(self, record, datefmt=None):
        if datefmt:
            return super().formatTime(record, datefmt)
        return self.stamp(record.created, record.msecs)

    def stamp(self, created: float, msecs: float) -> str:
        second = int(created)
        if second != self._second:
            self._second, self._text = second, time.strftime(self.default_time_format, self.converter(second))
        return self.default_msec_format % (self._text, msecs)


class WorkerHandler(logging.StreamHandler):
    """The worker's handler: ``stream`` in LOG_FORMAT, and the access line written without a LogRecord while
    the line would reach this handler alone and be formatted as LOG_FORMAT (``log_request``).

    Access lines wait in the handler itself, not in the stream's buffer (which PYTHONUNBUFFERED, common in
    containers, turns off): those of one turn of the event loop go out in one write, at the turn's end or when
    the render queue is about to run page code (``flush_pending``), before any other record, and at most
    TURN_CHARS at a time."""

    def __init__(self, stream=None):
        super().__init__(stream)
        self.own = LineFormatter(LOG_FORMAT)
        self.setFormatter(self.own)
        self._lines: list[str] = []  # access lines not yet written
        self._chars = 0  # their length

    def write_access(self, level: int, args: tuple) -> None:
        """The line Formatter(LOG_FORMAT) would make of ``access_log``'s record, written as ``emit`` does."""
        created = time.time()
        line = (f"{self.own.stamp(created, int((created - int(created)) * 1000))} {logging.getLevelName(level)} "
                f"{access_log.name}[{os.getpid()}]: {MESSAGE % args}{self.terminator}")
        with self.lock:
            try:
                if self._lines and self._chars + len(line) > TURN_CHARS:
                    self._write_lines()  # what waits leaves in one write a pipe keeps whole
                self._lines.append(line)
                self._chars += len(line)
                if self not in _pending:
                    self._flush_soon()
            except RecursionError:  # as StreamHandler.emit
                raise
            except Exception:  # noqa: BLE001 - reported as logging reports a failed emit
                self.handleError(access_log.makeRecord(access_log.name, level, __file__, 0, MESSAGE, args, None))

    def _write_lines(self) -> None:
        """Write the waiting access lines, one write (the lock held)."""
        text = "".join(self._lines)
        self._lines = []
        self._chars = 0
        self.stream.write(text)
        super().flush()

    def _flush_soon(self) -> None:
        """One write to stdout for the access lines of one turn of the event loop, not one per line (~2 µs of a
        small page): the lines of a batch's answers leave together as the turn ends. Outside a running loop, now."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._write_lines()
            return
        _pending.add(self)
        loop.call_soon(self._flush_now)  # not IOLoop.add_callback: that wakes the loop through its self-pipe

    def emit(self, record) -> None:
        """Any other record: the access lines before it are written first, so the order is kept."""
        if self._lines:
            self._flush_now()
        super().emit(record)

    def flush(self) -> None:
        """The waiting access lines too (logging.shutdown flushes every handler as the process exits)."""
        with self.lock:
            if self._lines:
                self._write_lines()  # flushes the stream too
            else:
                super().flush()

    def _flush_now(self) -> None:
        _pending.discard(self)
        with self.lock:
            try:
                if self._lines:
                    self._write_lines()
            except Exception:  # noqa: BLE001 - as a failed emit: reported, never raised into the loop
                self._lines, self._chars = [], 0
                self.handleError(access_log.makeRecord(access_log.name, logging.INFO, __file__, 0, MESSAGE, (), None))


def flush_pending() -> None:
    """Flush now the access lines waiting for the end of the turn. The render queue calls it before page code
    runs and after answering pages from the time limit's alarm (executor.py): page code may keep the turn from
    ending, and the CPU watchdog end the worker, while answered requests' lines wait in stdout's buffer."""
    if _pending:
        for handler in list(_pending):
            handler._flush_now()


def _only_handler(level: int) -> WorkerHandler | None:
    """The WorkerHandler ``access_log``'s record at ``level`` would reach alone and unfiltered, or None."""
    logger = access_log
    if logger.filters or type(logger) is not logging.Logger or logging.getLogRecordFactory() is not logging.LogRecord:
        return None
    found = None
    while logger is not None:
        for handler in logger.handlers:
            if found is not None or type(handler) is not WorkerHandler:
                return None
            found = handler
        if not logger.propagate:
            break
        logger = logger.parent
    if found is None or found.filters or found.formatter is not found.own or level < found.level:
        return None
    return found


def log_request(handler) -> None:
    """One line per request: client, method, path (never the query string), status, ms."""
    status = handler.get_status()
    level = logging.INFO if status < 500 else logging.ERROR
    if access_log.isEnabledFor(level):
        request = handler.request
        args = (request.remote_ip, request.method, request.path, status, 1000.0 * request.request_time())
        only = _only_handler(level)
        if only is not None:
            only.write_access(level, args)
        else:  # makeRecord + handle: what Logger.log does, minus the walk up the stack for the caller
            access_log.handle(access_log.makeRecord(access_log.name, level, __file__, 0, MESSAGE, args, None))
