"""Requests that wait for the interpreter together are rendered in one evaluation
(runtime/render/executor.py), yet each keeps its own state, limits and failures.

To line requests up, a "blocker" page keeps the worker busy while the others arrive;
they are then read in the order they connected and queued together.
"""
from __future__ import annotations

import os
import threading
import time
import uuid

import pytest

from tests.helpers import SITES, request, served, wait_for

SITE = os.path.join(SITES, "batch_site")
EXT = os.path.join(SITES, "batch_ext.py")

server = served(SITE, "--workers", "1", "--timeout", "1", "--ext", EXT)


def burst(host, port, paths, blocker="/busy?ms=300"):
    """GET ``blocker``, then each of ``paths`` in order while it runs; the responses, in order."""
    results: list = [None] * len(paths)

    def fetch(i, path):
        results[i] = request(host, port, "GET", path)

    blocking = threading.Thread(target=request, args=(host, port, "GET", blocker))
    blocking.start()
    time.sleep(0.1)
    threads = []
    for i, path in enumerate(paths):
        threads.append(threading.Thread(target=fetch, args=(i, path)))
        threads[-1].start()
        time.sleep(0.02)  # connect in this order
    for thread in threads + [blocking]:
        thread.join(20)
    return results


def test_requests_that_wait_together_share_one_evaluation(server):
    before = server.get("/stats").json()
    responses = burst(server.host, server.port, [f"/plain?n={i}" for i in range(8)])
    after = server.get("/stats").json()
    assert [r.text.strip() for r in responses] == [str(i) for i in range(8)]
    # Between the two readings: the first /stats, the blocker and the eight.
    assert after["rendered"] - before["rendered"] == 10
    assert after["batches"] - before["batches"] <= 4


def test_each_request_of_a_batch_sees_its_own_params_and_binding_context(server):
    responses = burst(server.host, server.port, [f"/echo?n={i}" for i in range(6)])
    assert [r.text.split()[:2] for r in responses] == [[str(i), str(i)] for i in range(6)]


def test_a_global_made_by_one_request_is_gone_for_the_next_in_the_batch(server):
    polluted, after = burst(server.host, server.port, ["/pollute?n=1", "/echo?n=2"])
    assert polluted.text.strip() == "polluted 1"
    assert after.text.split() == ["2", "2", "undefined", "undefined"]


def test_an_undeletable_global_ends_the_batch_and_the_rest_run_on_a_fresh_interpreter(server):
    leaked, first, second = burst(server.host, server.port, ["/leak?n=7", "/echo?n=8", "/echo?n=9"])
    assert leaked.text.strip() == "leaked 7"
    assert first.text.split() == ["8", "8", "undefined", "undefined"]
    assert second.text.split() == ["9", "9", "undefined", "undefined"]
    assert wait_for(lambda: "replacing the interpreter" in server.log)


def test_a_timeout_in_a_batch_fails_only_that_request(server):
    before, spun, after, last = burst(server.host, server.port, ["/echo?n=1", "/spin", "/echo?n=2", "/echo?n=3"])
    assert (before.status, spun.status, after.status, last.status) == (200, 504, 200, 200)
    assert [r.text.split()[0] for r in (before, after, last)] == ["1", "2", "3"]


def test_a_page_that_does_not_compile_fails_alone_in_its_batch(server):
    before, broken, after = burst(server.host, server.port, ["/echo?n=4", "/broken", "/echo?n=5"])
    assert (before.status, broken.status, after.status) == (200, 500, 200)
    assert after.text.split()[:2] == ["5", "5"]


def test_deferred_calls_of_one_request_run_before_the_next_request_starts(server):
    a, b = f"a{uuid.uuid4().hex[:6]}", f"b{uuid.uuid4().hex[:6]}"
    first, second = burst(server.host, server.port, [f"/note?n={a}", f"/note?n={b}"])
    assert first.text.strip().endswith(f"{a}:{a}")
    assert second.text.strip().endswith(f"{a}:{a},{b}:{b}")


@pytest.mark.parametrize("count", [40])
def test_a_burst_larger_than_one_batch_is_answered_in_order(server, count):
    responses = burst(server.host, server.port, [f"/echo?n={i}" for i in range(count)], blocker="/busy?ms=600")
    assert [r.text.split()[:2] for r in responses] == [[str(i), str(i)] for i in range(count)]


patient = served(SITE, "--workers", "1", "--timeout", "10", "--ext", EXT)


def test_a_finished_page_is_sent_without_waiting_for_the_slow_pages_after_it(patient):
    """A cheap page and a page that spins 2 s, rendered in one evaluation: the cheap answer
    leaves when its page ends, not when the evaluation does."""
    responses, arrived = {}, {}

    def fetch(name, path):
        responses[name] = request(patient.host, patient.port, "GET", path)
        arrived[name] = time.monotonic()

    blocking = threading.Thread(target=request, args=(patient.host, patient.port, "GET", "/busy?ms=600"))
    blocking.start()
    time.sleep(0.1)
    threads = []
    for name, path in (("cheap", "/stats"), ("slow", "/slow?ms=2000")):
        threads.append(threading.Thread(target=fetch, args=(name, path)))
        threads[-1].start()
        time.sleep(0.05)  # connect in this order: the cheap page is rendered first
    for thread in threads + [blocking]:
        thread.join(20)
    cheap, slow = responses["cheap"], responses["slow"]
    assert cheap.status == 200 and slow.status == 200
    # queueStats() counts finished evaluations: equal numbers mean the two shared one.
    assert cheap.json()["batches"] == slow.json()["batches"]
    assert arrived["slow"] - arrived["cheap"] > 1.0  # the cheap one arrived before half the spin was over
