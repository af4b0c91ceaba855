"""Deferred bindings (info/warn/error/dbg) queued by a page run after its record is made, with
the time limit paused: a page can queue a few hundred thousand cheap calls within --timeout and
make the worker spend seconds in Python outside it, long enough for the CPU watchdog to kill the
worker (and every request it holds)."""
from __future__ import annotations

import pytest

from tests.helpers import start_server


@pytest.fixture
def server(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "flood.ejs").write_text("<% for (let i = 0; i < Number(params.n); i++) info(i, i, i); %>queued")
    (site / "ok.ejs").write_text("ok")
    running = start_server(str(site), "--workers", "1", "--timeout", "0.5", data_dir=str(tmp_path / "data"))
    yield running
    running.stop()


def test_deferred_calls_queued_by_a_page_stay_within_its_time_limit(server):
    try:
        res = server.get("/flood?n=150000", timeout=60)
        status = res.status
    except Exception as e:  # noqa: BLE001 - the connection dropped with the worker
        status = repr(e)
    assert status in (200, 504), status
    assert "exited with signal" not in server.log
