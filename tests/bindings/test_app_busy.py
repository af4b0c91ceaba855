"""`$app` writes held up by another connection's lock on data.db give up before --timeout with 503 and
Retry-After, as the other writes do (tests/bindings/test_database_busy.py), and the worker goes on."""
from __future__ import annotations

import os

from tests.bindings.test_database_busy import locked
from tests.helpers import SITES

PROJECT = os.path.join(SITES, "records_project")


def test_a_save_held_up_by_a_lock_is_503_with_retry_after(serve, tmp_path):
    server = serve(PROJECT, "--workers", "1", "--timeout", "1", data_dir=tmp_path / "pb_data")
    first = server.get("/save-uncaught")
    assert first.status == 200 and first.text.startswith("saved "), first.text
    with locked(tmp_path / "pb_data" / "data.db"):
        busy = server.get("/save-uncaught", timeout=30)
    assert busy.status == 503, busy.text
    assert busy.header("Retry-After") == "1"
    assert "--timeout" not in server.log
    assert server.get("/save-uncaught").status == 200
