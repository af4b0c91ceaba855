"""Cron and start-up handlers with real worker processes: the supervisor (in this process, its clock
faked) sends each due run to one of two workers; onBootstrap runs once per start, not once per worker,
and a handler that throws stops start-up with its file and line."""
import os
import signal
import subprocess
import sys

import pytest

from tests.helpers import wait_for, write_site
from runtime.http.settings import AppSettings
from runtime.serve.handoff import WorkerConfig
from runtime.serve.settings import ServerSettings
from runtime.serve.supervisor import Supervisor, bind_slots

T0 = 1772582400.0


def project(tmp_path, hooks: str) -> str:
    out = tmp_path / "out"
    out.mkdir()
    return write_site(tmp_path / "p", {"pb_hooks/a.pb.js": hooks.replace("OUT", str(out))})


def runs(tmp_path, prefix):
    return sorted(n for n in os.listdir(tmp_path / "out") if n.startswith(prefix))


@pytest.fixture
def restore_signals():
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD)}
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


def test_each_tick_runs_once_across_two_workers(tmp_path, restore_signals):
    root = project(tmp_path, """
onBootstrap((e) => { e.next(); $os.writeFile("OUT/boot-" + $security.randomString(8), ""); });
cronAdd("tick", "* * * * *", () => { $os.writeFile("OUT/tick-" + $security.randomString(8), ""); });
cronAdd("slow", "*/2 * * * *", () => { sleep(1500); $os.writeFile("OUT/slow-" + $security.randomString(8), ""); });
""")
    config = WorkerConfig(site=root + "/pb_hooks/pages", app=AppSettings(data_dir=str(tmp_path / "data"), timeout=5.0),
                          server=ServerSettings(host="127.0.0.1", port=0, workers=2))
    sockets = bind_slots("127.0.0.1", 0, 2)
    sup = Supervisor(config, sockets)
    clock = [T0 + 10]
    sup.cron.clock = lambda: clock[0]
    try:
        assert sup.start()
        assert wait_for(lambda: sup._poll(0.05) or set(sup.cron.jobs) == {"tick", "slow"}, 10)
        assert runs(tmp_path, "boot") and len(runs(tmp_path, "boot")) == 1  # once per start, not per worker
        clock[0] = T0 + 60
        sup._poll(0.01)
        assert set(sup.cron.running) == {"tick"}
        assert wait_for(lambda: sup._poll(0.05) or not sup.cron.running, 10)
        clock[0] = T0 + 120  # both due; slow still running at the next minute is skipped
        sup._poll(0.01)
        clock[0] = T0 + 180
        sup._poll(0.01)
        assert "slow" in sup.cron.running
        clock[0] = T0 + 240
        sup._poll(0.01)
        assert wait_for(lambda: sup._poll(0.05) or not sup.cron.running, 10)
        assert len(runs(tmp_path, "tick")) == 4
        assert len(runs(tmp_path, "slow")) == 1  # the minute-240 run found the minute-120 one still going
        assert len(runs(tmp_path, "boot")) == 1
    finally:
        sup.stopping = True
        sup.shutdown()


def test_a_throwing_bootstrap_handler_stops_start_up(tmp_path):
    root = project(tmp_path, 'onBootstrap((e) => {\n  throw new Error("not today");\n});\n')
    done = subprocess.run([sys.executable, "-m", "runtime.serve.cli", "serve", root, "--port", "0", "--workers", "2",
                           "--data", str(tmp_path / "data")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "pagesvm: error: pb_hooks/a.pb.js:2: Error: not today" in done.stderr


def test_cron_list(tmp_path):
    root = project(tmp_path, 'cronAdd("nightly", "0 3 * * *", () => {});\ncronAdd("h", "@hourly", () => {});\n')
    done = subprocess.run([sys.executable, "-m", "runtime.serve.cli", "cron", "list", root],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["nightly  0 3 * * *  pb_hooks/a.pb.js", "h        @hourly    pb_hooks/a.pb.js"]
    bad = write_site(tmp_path / "bad", {"pb_hooks/a.pb.js": 'cronAdd("x", "@every 5m", () => {});'})
    done = subprocess.run([sys.executable, "-m", "runtime.serve.cli", "cron", "list", bad],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("pagesvm: error: pb_hooks/a.pb.js: failed to add new cron job: invalid cron")
