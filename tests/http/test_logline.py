"""The access line written straight to the worker's handler is the line logging would write, and any other
logging configuration (a handler, a filter, a level, logging.disable, a mounted site's own logging) gets the
ordinary record."""
import asyncio
import io
import logging
import os
import time
from types import SimpleNamespace

import pytest

from runtime.http import logline
from runtime.http.logline import LOG_FORMAT, WorkerHandler, access_log, log_request

NOW = 1767225600.25  # 2026-01-01 00:00:00.250 UTC


def exchange(status=200, path="/hello"):
    request = SimpleNamespace(remote_ip="10.0.0.1", method="GET", path=path, request_time=lambda: 0.00125)
    return SimpleNamespace(request=request, get_status=lambda: status)


@pytest.fixture
def worker_logging(monkeypatch):
    """One WorkerHandler, level INFO, as a worker sets up its root logger (here on the "pagesvm" logger, which
    propagates no further: pytest adds its own handlers to the root for each test); time stands still.
    pytest 9.2 and later also add their capture handlers to every logger that does not propagate, as the test
    starts (after this fixture): "pagesvm" refuses them, or the line would meet a second handler."""
    handler = WorkerHandler(io.StringIO())
    monkeypatch.setattr(time, "time", lambda: NOW)
    top = logging.getLogger("pagesvm")
    for logger, handlers in ((access_log, []), (top, [handler])):
        monkeypatch.setattr(logger, "handlers", handlers)
        monkeypatch.setattr(logger, "filters", [])
        monkeypatch.setattr(logger, "level", logging.NOTSET if logger is access_log else logging.INFO)
        monkeypatch.setattr(logger, "propagate", logger is access_log)
        monkeypatch.setattr(logger, "disabled", False)
    monkeypatch.setattr(top, "addHandler", lambda added: None)
    logging.Logger.manager._clear_cache()
    yield handler
    logging.Logger.manager._clear_cache()


def lines(handler):
    return handler.stream.getvalue().splitlines()


@pytest.mark.parametrize("status", [200, 404, 503])
def test_the_direct_line_is_the_line_logging_writes(worker_logging, status):
    handler = worker_logging
    assert logline._only_handler(logging.INFO) is handler
    log_request(exchange(status))
    handler.addFilter(lambda record: True)  # a filter: the ordinary path, through a LogRecord and Formatter
    assert logline._only_handler(logging.INFO) is None
    log_request(exchange(status))
    direct, ordinary = lines(handler)
    assert direct == ordinary
    stamp = logging.Formatter(LOG_FORMAT).formatTime(logging.makeLogRecord({"created": NOW, "msecs": 250.0}))
    level = "INFO" if status < 500 else "ERROR"
    assert direct == f"{stamp} {level} pagesvm.access[{os.getpid()}]: 10.0.0.1 GET /hello {status} 1.2ms"


def test_a_handler_of_the_users_gets_the_record_and_the_line_is_written_once(worker_logging):
    seen = []
    extra = logging.Handler()
    extra.emit = seen.append
    access_log.addHandler(extra)
    log_request(exchange())
    assert [r.getMessage() for r in seen] == ["10.0.0.1 GET /hello 200 1.2ms"] and seen[0].name == "pagesvm.access"
    assert len(lines(worker_logging)) == 1


def test_a_filter_or_a_level_or_disable_is_obeyed(worker_logging, monkeypatch):
    access_log.addFilter(lambda record: record.levelno >= logging.ERROR)
    log_request(exchange(200))
    log_request(exchange(500))
    assert [line.split()[2] for line in lines(worker_logging)] == ["ERROR"]
    access_log.filters.clear()
    worker_logging.setLevel(logging.WARNING)
    log_request(exchange(200))
    assert len(lines(worker_logging)) == 1
    worker_logging.setLevel(logging.NOTSET)
    access_log.setLevel(logging.WARNING)
    log_request(exchange(200))
    assert len(lines(worker_logging)) == 1
    access_log.setLevel(logging.NOTSET)
    logging.disable(logging.INFO)
    try:
        log_request(exchange(200))
    finally:
        logging.disable(logging.NOTSET)
    assert len(lines(worker_logging)) == 1
    log_request(exchange(200))
    assert len(lines(worker_logging)) == 2


def test_another_formatter_or_a_record_factory_takes_the_ordinary_path(worker_logging, monkeypatch):
    worker_logging.setFormatter(logging.Formatter("%(name)s|%(message)s"))
    log_request(exchange())
    worker_logging.setFormatter(worker_logging.own)
    factory = logging.getLogRecordFactory()

    def tagged(*args, **kwargs):
        record = factory(*args, **kwargs)
        record.msg = "tagged " + record.msg
        return record

    logging.setLogRecordFactory(tagged)
    try:
        log_request(exchange())
    finally:
        logging.setLogRecordFactory(factory)
    first, second = lines(worker_logging)
    assert first == "pagesvm.access|10.0.0.1 GET /hello 200 1.2ms"
    assert second.endswith("]: tagged 10.0.0.1 GET /hello 200 1.2ms")


def test_a_failed_write_is_reported_as_logging_reports_it(worker_logging, monkeypatch):
    reported = []
    monkeypatch.setattr(worker_logging, "handleError", reported.append)

    class Broken(io.StringIO):
        def write(self, text):
            raise OSError("disk full")

    worker_logging.setStream(Broken())
    log_request(exchange())  # no exception reaches the request
    assert [r.getMessage() for r in reported] == ["10.0.0.1 GET /hello 200 1.2ms"]


def test_in_a_running_loop_the_lines_of_a_turn_leave_in_one_write_in_order(worker_logging):
    class Counted(io.StringIO):
        writes = []

        def write(self, text):  # unbuffered, as under PYTHONUNBUFFERED: each write reaches stdout
            Counted.writes.append(text)
            return super().write(text)

    stream = Counted()
    worker_logging.setStream(stream)
    seen = []

    async def turn():
        for status in (200, 404, 500):
            log_request(exchange(status))
        seen.append(len(Counted.writes))  # the answers of a batch: nothing written yet
        logging.getLogger("pagesvm").error("an error between them")  # the lines before it go first, in one write
        log_request(exchange(201))
        seen.append(len(Counted.writes))
        await asyncio.sleep(0)  # the turn ends
        seen.append(len(Counted.writes))

    asyncio.run(turn())
    assert seen == [0, 2, 3]  # the three lines in one write, the error, then the last line
    assert Counted.writes[0].count("\n") == 3
    assert [line.split(": ", 1)[1] for line in stream.getvalue().splitlines()] == [
        "10.0.0.1 GET /hello 200 1.2ms", "10.0.0.1 GET /hello 404 1.2ms", "10.0.0.1 GET /hello 500 1.2ms",
        "an error between them", "10.0.0.1 GET /hello 201 1.2ms"]
    log_request(exchange())  # no loop running: written at once
    assert len(Counted.writes) == 4


def test_under_the_users_own_logging_the_record_is_logged(caplog):
    # A mounted site (create_app, page_rules) logs through whatever the application configured.
    with caplog.at_level(logging.INFO, logger="pagesvm.access"):
        log_request(exchange(404, "/missing"))
    [record] = [r for r in caplog.records if r.name == "pagesvm.access"]
    assert record.levelno == logging.INFO and record.getMessage() == "10.0.0.1 GET /missing 404 1.2ms"
