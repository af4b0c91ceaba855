"""The supervisor and its workers, against a real `pagesvm serve` (runtime/serve/)."""
from __future__ import annotations

import os
import shutil
import signal
import threading
import time

import pytest

from tests.helpers import SITES, request, wait_for

SITE = f"{SITES}/limits_site"
EXT = f"{SITES}/limits_ext.py"


def children(pid: int) -> set[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return {int(p) for p in f.read().split()}


def served_pids(server, n: int) -> set[str]:
    return {server.get("/pid").text.strip() for _ in range(n)}


def test_two_workers_share_the_port_and_both_serve(serve):
    server = serve(SITE, "--workers", "2", "--ext", EXT)
    assert len(children(server.proc.pid)) == 2
    assert len(served_pids(server, 40)) == 2  # new connections are spread over both


def test_killed_worker_is_replaced_within_a_second_with_a_log_line(serve):
    server = serve(SITE, "--workers", "2", "--ext", EXT)
    victim = min(children(server.proc.pid))
    os.kill(victim, signal.SIGKILL)
    started = time.monotonic()
    assert wait_for(lambda: len(children(server.proc.pid) - {victim}) == 2, timeout=3)
    assert time.monotonic() - started < 1.0
    assert wait_for(lambda: f"(pid {victim}) exited with signal 9; starting a replacement" in server.log)
    assert all(server.get("/ok").status == 200 for _ in range(10))


def test_sigterm_finishes_in_flight_request_then_exits_zero(serve):
    server = serve(SITE, "--workers", "1", "--ext", EXT, "--timeout", "5", "--grace", "5")
    result = {}

    def slow():
        result["res"] = request(server.host, server.port, "GET", "/nap?s=1.5")

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)
    server.proc.send_signal(signal.SIGTERM)
    thread.join(10)
    assert result["res"].status == 200 and result["res"].text.strip() == "slept"
    assert server.proc.wait(10) == 0
    with pytest.raises(ConnectionRefusedError):
        request(server.host, server.port, "GET", "/ok", timeout=2)


def test_sigterm_grace_bounds_how_long_a_request_may_keep_the_worker(serve):
    server = serve(SITE, "--workers", "1", "--ext", EXT, "--timeout", "30", "--grace", "1")
    threading.Thread(target=lambda: _quiet_get(server, "/nap?s=20"), daemon=True).start()
    time.sleep(0.5)
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(10) == 0
    assert time.monotonic() - started < 5


def _quiet_get(server, path):
    try:
        server.get(path, timeout=30)
    except OSError:
        pass


def _copy_site(tmp_path, debug: bool):
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    (site / "+config.js").write_text(f"module.exports = {{ debug: {'true' if debug else 'false'} }};\n")
    (site / "broken.ejs").write_text("<% missingFunction() %>\n")
    return site


def test_sighup_rolls_workers_with_no_refused_connection_and_loads_new_config(serve, tmp_path):
    site = _copy_site(tmp_path, debug=False)
    server = serve(str(site), "--workers", "2", "--ext", EXT)
    assert "missingFunction" not in server.get("/broken").text  # production: generic page
    old = children(server.proc.pid)
    failures, answered, stop = [], [], threading.Event()

    def hammer():
        while not stop.is_set():
            try:  # a new connection every time
                res = request(server.host, server.port, "GET", "/ok", timeout=5)
                answered.append(res.status)
            except OSError as e:
                failures.append(repr(e))

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for t in threads:
        t.start()
    (site / "+config.js").write_text("module.exports = { debug: true };\n")
    server.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: "reload done" in server.log, timeout=15)
    time.sleep(0.3)
    stop.set()
    for t in threads:
        t.join()
    assert failures == []
    assert len(answered) > 50 and set(answered) == {200}
    assert wait_for(lambda: not (children(server.proc.pid) & old))
    assert "missingFunction" in server.get("/broken").text  # debug page from the new +config.js


def test_sighup_with_a_broken_config_keeps_the_running_workers(serve, tmp_path):
    site = _copy_site(tmp_path, debug=False)
    server = serve(str(site), "--workers", "1", "--ext", EXT)
    before = children(server.proc.pid)
    (site / "+config.js").write_text("module.exports = { nonsense: 1 };\n")
    server.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: "reload stopped" in server.log, timeout=15)
    assert children(server.proc.pid) == before
    assert server.get("/ok").status == 200


def test_worker_that_cannot_start_is_a_one_line_startup_error(tmp_path):
    import subprocess
    import sys

    site = _copy_site(tmp_path, debug=False)
    (site / "+config.js").write_text("module.exports = { nonsense: 1 };\n")
    proc = subprocess.run([sys.executable, "-m", "runtime.serve.cli", "serve", str(site), "--port", "0",
                           "--workers", "2", "--data", str(tmp_path / "data")],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("pagesvm: error:")]
    assert len(errors) == 1 and "nonsense" in errors[0]


def test_worker_dying_at_start_up_stops_everything_without_a_replacement(tmp_path):
    """A start-up error the supervisor cannot see itself (an extension failing only in workers):
    the worker's line is the last word, no replacement is started and the status is 2."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "runtime.serve.cli", "serve", f"{SITES}/hello", "--port", "0",
                           "--workers", "2", "--ext", f"{SITES}/worker_only_broken_ext.py",
                           "--data", str(tmp_path / "data")], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    errors = [i for i, line in enumerate(lines) if line.startswith("pagesvm: error:")]
    assert len(errors) == 1 and "refuses to load in a worker" in lines[errors[0]]
    assert not any("started" in line or "replacement" in line for line in lines[errors[0]:]), proc.stderr
    assert sum("started" in line for line in lines) == 1  # the second slot was never tried


def test_config_check_reports_refusals_and_is_bounded(tmp_path):
    from runtime.serve.supervisor import check_site_config

    (tmp_path / "index.ejs").write_text("hi")
    assert check_site_config(str(tmp_path)) is None
    # js-sdk, realtime and datastar are served (bindings/pb_client.py, realtime_plugin.py, datastar.py).
    (tmp_path / "+config.js").write_text("module.exports = { plugins: ['ejs', 'pocketpages-plugin-realtime'] };")
    assert check_site_config(str(tmp_path)) is None
    (tmp_path / "+config.js").write_text("module.exports = { plugins: ['ejs', 'pocketpages-plugin-nope'] };")
    assert "pocketpages-plugin-nope" in check_site_config(str(tmp_path))
    (tmp_path / "+config.js").write_text("while (true) {}")
    assert "did not finish" in check_site_config(str(tmp_path), timeout=1)


def test_workers_exit_when_the_supervisor_is_killed(serve):
    server = serve(SITE, "--workers", "2", "--ext", EXT)
    workers = children(server.proc.pid)
    server.proc.kill()
    server.proc.wait()

    def gone():
        return not any(os.path.exists(f"/proc/{pid}") and _state(pid) != "Z" for pid in workers)

    assert wait_for(gone, timeout=5)


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
