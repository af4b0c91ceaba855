"""Per-request limits against a real `pagesvm serve`: every runaway page gets a clean 5xx
and the server keeps answering."""
from __future__ import annotations

import http.client
import socket
import threading
import time

import pytest

from tests.helpers import SITES, wait_for

SITE = f"{SITES}/limits_site"
EXT = f"{SITES}/limits_ext.py"


@pytest.fixture
def server(serve):
    return serve(SITE, "--workers", "1", "--timeout", "1", "--ext", EXT, "--max-output", "100000",
                 "--max-body", "1000", "--idle-timeout", "1", "--max-connections", "4")


def timed_get(server, path):
    started = time.monotonic()
    res = server.get(path)
    return res, time.monotonic() - started


@pytest.mark.parametrize("path", ["/loop", "/catch_loop", "/loader_loop", "/mw_loop", "/include_loop", "/slow_binding"])
def test_infinite_loop_anywhere_is_stopped_with_504_within_timeout_plus_one_second(server, path):
    res, took = timed_get(server, path)
    assert res.status == 504
    assert took < 2.0
    assert "--timeout" in server.log
    ok = server.get("/ok?n=1")
    assert (ok.status, ok.text.strip()) == (200, "ok 1")


def test_interrupted_worker_keeps_its_process_and_compiled_pages(server):
    before = server.get("/pid").text.strip()
    assert server.get("/loop").status == 504
    assert server.get("/pid").text.strip() == before  # same worker: interrupted, not killed
    assert server.get("/ok?n=2").text.strip() == "ok 2"


def test_heap_exhaustion_is_500_with_log_line_and_worker_recovers(server):
    res = server.get("/oom")
    assert res.status == 500
    assert wait_for(lambda: "out of memory" in server.log)
    assert server.get("/ok?n=3").text.strip() == "ok 3"


def test_deep_recursion_is_500_with_stack_overflow_in_log(server):
    res = server.get("/deep")
    assert res.status == 500
    assert wait_for(lambda: "Maximum call stack size exceeded" in server.log)
    assert server.get("/ok").status == 200


def test_include_depth_is_500_naming_the_chain(server):
    res = server.get("/include_depth")
    assert res.status == 500
    assert wait_for(lambda: "include depth over" in server.log)


def test_output_over_max_output_is_500_and_smaller_output_passes(server):
    assert server.get("/big?n=99000").status == 200
    res = server.get("/big?n=100001")
    assert res.status == 500
    assert wait_for(lambda: "over --max-output" in server.log)


def test_declared_body_over_max_body_is_413_before_the_body_is_sent(server):
    conn = socket.create_connection((server.host, server.port), timeout=5)
    # Only the head goes out: the answer must not wait for 2000 body bytes.
    conn.sendall(b"POST /ok HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2000\r\n\r\n")
    head = conn.recv(4096)
    conn.close()
    assert head.startswith(b"HTTP/1.1 413 ")
    small = server.post("/ok", body="x" * 900, headers={"Content-Type": "text/plain"})
    assert small.status == 200


def test_oversized_headers_get_431(server):
    res = server.get("/ok", headers={"X-Big": "a" * 40_000})
    assert res.status == 431
    assert server.get("/ok").status == 200


def test_client_that_never_finishes_its_headers_is_disconnected(server):
    conn = socket.create_connection((server.host, server.port), timeout=5)
    conn.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\n")  # and then nothing
    started = time.monotonic()
    assert conn.recv(1024) == b""  # closed by the server after --idle-timeout
    assert time.monotonic() - started < 4
    conn.close()


def test_connections_over_max_connections_get_503_and_freed_slots_are_reused(server):
    held = [socket.create_connection((server.host, server.port), timeout=5) for _ in range(4)]
    try:
        for conn in held:  # each is accepted and served, then stays open (keep-alive)
            conn.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
            assert conn.recv(4096).startswith(b"HTTP/1.1 200 ")
        extra = http.client.HTTPConnection(server.host, server.port, timeout=5)
        extra.request("GET", "/ok")
        assert extra.getresponse().status == 503
        extra.close()
    finally:
        for conn in held:
            conn.close()
    assert wait_for(lambda: server.get("/ok").status == 200)


def test_wedged_worker_is_killed_by_the_watchdog_and_replaced(server):
    before = server.get("/pid").text.strip()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        server.get("/wedge", timeout=10)
    assert wait_for(lambda: "starting a replacement" in server.log, timeout=5)
    after = server.get("/pid").text.strip()
    assert after != before
    assert "Stack (most recent call first)" in server.log  # the watchdog logged where it was stuck
    assert "exited with signal 27" in server.log


def test_spinning_request_does_not_stop_other_workers(serve):
    server = serve(SITE, "--workers", "2", "--timeout", "3", "--ext", EXT)
    spin_done = threading.Event()

    def spin():
        server.get("/loop")
        spin_done.set()

    threading.Thread(target=spin, daemon=True).start()
    time.sleep(0.3)
    answers = []

    def one():
        # A new connection each: the kernel spreads them over both workers' sockets;
        # the ones hashed to the spinning worker wait for it, the others must not.
        started = time.monotonic()
        try:
            res = server.get("/pid", timeout=5)
        except OSError:
            return
        answers.append((res.text.strip(), time.monotonic() - started, spin_done.is_set()))

    threads = [threading.Thread(target=one) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    during = [(pid, took) for pid, took, after in answers if not after]
    assert during, "no request completed while the other worker was spinning"
    assert all(took < 1.0 for _, took in during)
    assert len(answers) == 16  # the rest were served once the spinner was stopped


# -- request bodies: fields, JSON ---------------------------------------------------------------
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}


def _multipart(parts: int) -> tuple[bytes, dict]:
    part = b'--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
    return part * parts + b"--XX--\r\n", {"Content-Type": "multipart/form-data; boundary=XX"}


@pytest.fixture
def fields_server(serve):
    return serve(SITE, "--workers", "1", "--timeout", "5", "--max-fields", "50")


def test_fields_over_max_fields_are_413_with_the_reason_and_up_to_it_are_parsed(fields_server):
    server = fields_server
    ok = server.post("/fields", body="a=&" * 50, headers=FORM)
    assert (ok.status, ok.text.strip()) == (200, "50 0")
    over = server.post("/fields", body="a=&" * 51, headers=FORM)
    assert over.status == 413
    assert "more than 50 fields (--max-fields)" in over.text
    body, headers = _multipart(50)
    assert server.post("/fields", body=body, headers=headers).text.strip() == "50 0"
    body, headers = _multipart(51)
    over = server.post("/fields", body=body, headers=headers)
    assert over.status == 413
    assert "more than 50 parts (--max-fields)" in over.text
    query = "&".join(f"q{i}=1" for i in range(51))
    assert server.get("/fields?" + query[: query.rindex("&")]).text.strip() == "0 50"
    assert server.get("/fields?" + query).status == 400
    assert server.get("/ok?n=1").text.strip() == "ok 1"


def test_form_parsing_time_grows_with_the_body_not_its_square(serve):
    """A body of repeated fields once cost time quadratic in their number (3.7 s for 240 KB),
    before page code and outside --timeout. Four times the fields must cost about four times
    the time: well under eight (quadratic growth gives sixteen)."""
    server = serve(SITE, "--workers", "1", "--timeout", "30", "--max-fields", "200000", "--max-body", "2000000")

    def best(fields: int) -> float:
        times = []
        for _ in range(3):
            started = time.monotonic()
            res = server.post("/fields", body="a=&" * fields, headers=FORM, timeout=60)
            times.append(time.monotonic() - started)
            assert res.text.strip() == f"{fields} 0"
        return min(times)

    small, big = best(25_000), best(100_000)
    assert big < 8 * small, (small, big)


@pytest.mark.parametrize("body", [
    "[" * 990 + "]" * 990,  # Python's decoder gives up (RecursionError)
    '{"a":' * 600 + "1" + "}" * 600,  # Python parses it; deeper than pagesvm passes on
    "[NaN]", "[-Infinity]", "[1e400]",  # Python parses them; the interpreter's JSON cannot
    '["\\ud800"]', '{"\\udfff": 1}',  # a lone surrogate: not UTF-8, not a string the page can get
], ids=["deep-990", "deep-600", "nan", "-infinity", "overflow", "surrogate", "surrogate-key"])
def test_json_body_the_page_cannot_be_given_is_400_with_the_reason(fields_server, body):
    res = fields_server.post("/fields", body=body, headers=JSON)
    assert res.status == 400
    assert "request body is not valid JSON" in res.text
    assert fields_server.post("/fields", body='{"a": [[1.5, "\\ud83d\\ude00"]]}', headers=JSON).text.strip() == "1 0"


def test_query_values_the_interpreter_cannot_take_stay_strings(fields_server):
    res = fields_server.get("/ok?n=NaN")
    assert (res.status, res.text.strip()) == (200, "ok NaN")
    res = fields_server.get("/ok?n=" + "[" * 990 + "]" * 990)
    assert res.status == 200
