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
