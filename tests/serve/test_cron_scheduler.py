"""The supervisor's cron schedule driven by a fake clock: each due job goes to one worker, never beside
its own previous run, and the first minute only starts the count (as PocketBase's ticker)."""
import logging

from runtime.serve.cron_schedule import CronScheduler


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


T0 = 1772582400  # 2026-03-04 00:00:00 UTC, a Wednesday


def scheduler(rows, start=T0 + 30):
    clock = Clock(start)
    s = CronScheduler(clock)
    s.set_table(rows)
    return s, clock


def test_each_due_job_goes_to_exactly_one_worker():
    s, clock = scheduler([["a", "* * * * *", "pb_hooks/a.pb.js"], ["b", "*/2 * * * *", "pb_hooks/a.pb.js"]])
    sent = []
    send = lambda w, job: sent.append((w, job)) or True  # noqa: E731
    assert s.tick(["w1", "w2"], send) == []  # the first look only starts the count
    clock.now = T0 + 60
    assert s.tick(["w1", "w2"], send) == ["a"]
    assert s.tick(["w1", "w2"], send) == []  # same minute: nothing again
    s.finished("a")
    clock.now = T0 + 120
    assert s.tick(["w1", "w2"], send) == ["a", "b"]
    assert sent == [("w1", "a"), ("w1", "a"), ("w2", "b")]  # the least busy worker takes the next job


def test_a_run_still_going_is_skipped_and_logged(caplog):
    s, clock = scheduler([["slow", "* * * * *", "f"]])
    s.tick(["w"], lambda w, j: True)
    clock.now = T0 + 60
    assert s.tick(["w"], lambda w, j: True) == ["slow"]
    clock.now = T0 + 120
    with caplog.at_level(logging.WARNING, logger="pagesvm"):
        assert s.tick(["w"], lambda w, j: True) == []
    assert "cron job slow skipped: its previous run is still going" in caplog.text
    s.finished("slow", "timeout")
    clock.now = T0 + 180
    assert s.tick(["w"], lambda w, j: True) == ["slow"]
    s.lost("w")  # its worker died: the run is over
    assert s.running == {}


def test_a_worker_that_cannot_take_it_passes_it_on():
    s, clock = scheduler([["a", "@hourly", "f"]])
    s.tick(["dead", "alive"], lambda w, j: True)
    clock.now = T0 + 3600
    taken = []
    assert s.tick(["dead", "alive"], lambda w, j: w == "alive" and not taken.append(w)) == ["a"]
    assert taken == ["alive"] and s.running == {"a": "alive"}


def test_missed_minutes_run_once_and_a_new_table_replaces_the_old():
    s, clock = scheduler([["a", "* * * * *", "f"], ["h", "@hourly", "f"]], start=T0 - 150)
    s.tick([], lambda w, j: True)
    clock.now = T0 + 30  # three minutes late, the hour among them
    assert s.tick(["w"], lambda w, j: True) == ["a", "h"]
    s.set_table([["b", "@daily", "f"]])
    assert list(s.jobs) == ["b"]
