"""Page code reaches neither the host bridge nor another request's data (tests/sites/pp_sandbox).

dukpy gives every evaluation two globals: ``call_python`` (the way into Python) and ``dukpy``
(the evaluation's variables: every payload of a batch). A page, a ``_private`` module or a
loader must name neither, must not find them by walking what it can reach, and must not find
a shared object it can write (the next request would see it). Promise jobs run inside their
own request, under its time limit, before its globals are swept.
"""
from __future__ import annotations

import os
import threading
import time

from tests.helpers import SITES, request, served, wait_for

SITE = os.path.join(SITES, "pp_sandbox")
server = served(SITE, "--workers", "1", "--timeout", "3")


def burst(host, port, calls, blocker="/busy?ms=400"):
    """GET ``blocker``, then each of ``calls`` (method, path, kwargs) while it runs: one batch."""
    results: list = [None] * len(calls)

    def fetch(i, method, path, kw):
        results[i] = request(host, port, method, path, **kw)

    blocking = threading.Thread(target=request, args=(host, port, "GET", blocker))
    blocking.start()
    time.sleep(0.1)
    threads = []
    for i, (method, path, kw) in enumerate(calls):
        threads.append(threading.Thread(target=fetch, args=(i, method, path, kw)))
        threads[-1].start()
        time.sleep(0.02)
    for thread in threads + [blocking]:
        thread.join(20)
    return results


def secret_walk(n):
    secret = f"SECRET-{n}x{os.urandom(3).hex()}"
    return ("POST", f"/walk?secret={secret}", {
        "body": f"password={secret}&user={secret}", "cookies": {"pb_auth": secret},
        "headers": {"Content-Type": "application/x-www-form-urlencoded", "X-Token": secret}})


def test_walking_everything_reachable_finds_no_host_function_no_other_request_and_nothing_shared_writable(server):
    for _ in range(2):
        responses = burst(server.host, server.port, [secret_walk(i) for i in range(4)])
        for res in responses:
            assert res.status == 200, res.text
            found = res.json()
            assert found["ownSeen"] is True  # the walk does see the request's own data
            assert found["count"] > 500
            assert found["names"] == "dukpy:undefined call_python:undefined __pvEntry:undefined __pv:undefined FinalizationRegistry:undefined"
            assert found["host"] == []
            assert found["foreign"] == []
            assert found["unfrozen"] == []
            assert found["stamped"] == []


late = served(SITE, "--workers", "1", "--timeout", "1")
LATE = ["spin", "micro", "thenable", "dynamic", "async", "module", "fromasync", "import"]


def test_a_promise_job_is_timed_with_its_request(late):
    # each page queues a 2.5 s job: it runs inside the request, under --timeout 1
    for name in LATE:
        res = late.get(f"/late_{name}")
        assert res.status == 504, (name, res.status, res.text)
        assert late.get("/late_check?n=1").text.split() == ["undefined", "1"]


def test_a_slow_job_in_a_batch_fails_only_its_own_request(late):
    before, spun, after = burst(late.host, late.port, [("GET", "/late_check?n=1", {}), ("GET", "/late_spin", {}),
                                                       ("GET", "/late_check?n=2", {})], blocker="/busy?ms=300")
    assert (before.status, spun.status, after.status) == (200, 504, 200)
    assert after.text.split() == ["undefined", "2"]


def test_jobs_act_on_their_own_request_and_their_globals_are_swept(late):
    calls = [("GET", f"/late_effects?n={i}", {}) for i in range(3)] + [("GET", "/late_check?n=9", {})]
    *effects, check = burst(late.host, late.port, calls, blocker="/busy?ms=300")
    for i, res in enumerate(effects):
        assert res.status == 200 and res.text.split() == ["queued", str(i)]
        assert (res.header("X-Late"), res.header("X-Async")) == (f"n{i}", f"n{i}")
    assert check.text.split() == ["undefined", "9"]
    assert late.get("/late_check?n=3").text.split() == ["undefined", "3"]


def test_hostile_page_reaches_neither_the_host_bridge_nor_another_request(server):
    # tests/sites/pp_sandbox/attack.ejs: each attempt says "blocked" or what it got
    for _ in range(2):
        calls = [secret_walk(0)] + [("GET", f"/attack?secret=SECRET-{i}a{os.urandom(3).hex()}", {}) for i in range(3)]
        calls += [secret_walk(4)]
        responses = burst(server.host, server.port, calls)
        for (_, path, _), res in zip(calls[1:4], responses[1:4]):
            assert res.status == 200, res.text
            outcomes = res.json()
            assert len(outcomes) == 27
            assert {name: got for name, got in outcomes.items() if got != "blocked"} == {}
            assert res.header("X-Job") == path.split("=")[1]
            assert res.header("X-Import") is None
        for res in responses[::4]:
            found = res.json()
            assert (found["host"], found["foreign"], found["unfrozen"], found["stamped"]) == ([], [], [], [])


def test_a_rejection_no_job_handles_fails_its_request_only(late):
    rejected, after = burst(late.host, late.port, [("GET", "/late_reject", {}), ("GET", "/late_check?n=5", {})],
                            blocker="/busy?ms=300")
    assert (rejected.status, after.status) == (500, 200)
    assert after.text.split() == ["undefined", "5"]
    assert wait_for(lambda: "unhandled promise rejection: Error: nobody catches this" in late.log)


def test_page_objects_in_the_response_record_run_before_the_sweep(server):
    for _ in range(2):
        made, check = burst(server.host, server.port, [("GET", "/tojson", {}), ("GET", "/tojson_check", {})],
                            blocker="/busy?ms=200")
        assert made.status == 200
        assert check.text.strip() == "undefined"
        assert server.get("/tojson_check").text.strip() == "undefined"
