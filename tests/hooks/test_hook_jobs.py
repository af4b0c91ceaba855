"""Hook code run outside a request, in one process: a cronAdd job run on demand (its errors located at
the hook file and line, a looping job stopped by --timeout) and onBootstrap/onServe chained by e.next()."""
import logging

import pytest
from tornado.ioloop import IOLoop

from runtime.http.build import build_runtime
from runtime.http.hook_jobs import HookJobs
from runtime.hooks import HookLoadError

JOBS = """
cronAdd("count", "*/5 * * * *", () => { $app.store().set("runs", ($app.store().get("runs") || 0) + 1); });
cronAdd("boom", "@hourly", () => {
  throw new Error("no luck");
});
cronAdd("spin", "@daily", () => { for (;;) {} });
cronAdd("gone", "@daily", () => {});
cronRemove("gone");
cronAdd("count", "@hourly", () => { $app.store().set("runs", 100); });
"""


def runtime_for(tmp_path, hooks: dict, timeout=2.0):
    project = tmp_path / "project"
    (project / "pb_hooks").mkdir(parents=True)
    for name, text in hooks.items():
        (project / "pb_hooks" / name).write_text(text)
    return build_runtime(str(project), data_dir=str(tmp_path / "data"), timeout=timeout)[0]


def run(submit):
    """Run one hook job on a fresh loop; (outcome, message)."""
    loop = IOLoop(make_current=True)
    try:
        outcome = {}
        job = loop.run_sync(lambda: submit(lambda o, m: outcome.update(o=o, m=m)).waiter(), timeout=30)
        assert job is None
        return outcome["o"], outcome["m"]
    finally:
        loop.close(all_fds=False)


def test_the_table_is_what_the_files_end_with(tmp_path):
    jobs = HookJobs(runtime_for(tmp_path, {"a.pb.js": JOBS}))
    assert jobs.table() == [["count", "@hourly", "pb_hooks/a.pb.js"], ["boom", "@hourly", "pb_hooks/a.pb.js"],
                            ["spin", "@daily", "pb_hooks/a.pb.js"]]
    assert jobs.run_cron("gone", lambda o, m: None) is None


def test_a_job_runs_the_replacing_handler_and_errors_name_file_and_line(tmp_path, caplog):
    runtime = runtime_for(tmp_path, {"a.pb.js": JOBS})
    jobs = HookJobs(runtime)
    assert run(lambda done: jobs.run_cron("count", done)) == ("ok", "")
    with caplog.at_level(logging.ERROR, logger="pagesvm"):
        outcome, message = run(lambda done: jobs.run_cron("boom", done))
    assert outcome == "error"
    assert message == "pb_hooks/a.pb.js:4: Error: no luck"
    assert "CRON boom failed at ../a.pb.js:4: Error: no luck" in caplog.text  # the runtime's own line


def test_a_looping_job_is_stopped_by_the_timeout(tmp_path):
    jobs = HookJobs(runtime_for(tmp_path, {"a.pb.js": JOBS}, timeout=0.5))
    assert run(lambda done: jobs.run_cron("spin", done))[0] == "timeout"
    assert run(lambda done: jobs.run_cron("count", done)) == ("ok", "")  # the next run has a fresh interpreter


def test_bad_expressions_stop_loading_with_the_binarys_message(tmp_path):
    with pytest.raises(HookLoadError, match=r"^pb_hooks/a.pb.js: failed to add new cron job: strconv.Atoi: "
                                            r'parsing "MON": invalid syntax$'):
        runtime_for(tmp_path, {"a.pb.js": 'cronAdd("x", "0 0 * * MON", () => {});'})


STARTUP = """
onBootstrap((e) => { $app.store().set("seen", "b1"); e.next(); $app.store().set("after", typeof e.app.findRecordById); });
onServe((e) => { $app.store().set("seen", $app.store().get("seen") + ",s"); e.next(); });
onBootstrap((e) => { $app.store().set("seen", $app.store().get("seen") + ",b2"); return e.next(); });
cronAdd("check", "@daily", () => { throw new Error($app.store().get("seen") + " " + $app.store().get("after")); });
"""


def test_startup_runs_bootstrap_then_serve_in_order(tmp_path):
    runtime = runtime_for(tmp_path, {"a.pb.js": STARTUP})
    jobs = HookJobs(runtime)
    assert jobs.has_startup()
    assert run(jobs.run_startup) == ("ok", "")
    assert run(lambda done: jobs.run_cron("check", done))[1].endswith("Error: b1,b2,s function")


def test_a_throwing_or_stopping_bootstrap_handler_fails_start_up(tmp_path):
    jobs = HookJobs(runtime_for(tmp_path, {"a.pb.js": 'onBootstrap((e) => {\n  e.next();\n  throw new Error("boom");\n});'}))
    assert run(jobs.run_startup) == ("error", "pb_hooks/a.pb.js:3: Error: boom")
    jobs = HookJobs(runtime_for(tmp_path / "2", {"a.pb.js": 'onBootstrap((e) => {});\nonServe((e) => e.next());'}))
    outcome, message = run(jobs.run_startup)
    assert outcome == "error" and "onBootstrap: a handler did not call e.next()" in message
