"""cronAdd expressions as PocketBase 0.40.6's tools/cron reads them (the refusals and accepted forms were
checked against the binary with `$app.cron().add` in a route), and which jobs a project ends with."""
import datetime

import pytest

from runtime.hooks import Registration
from runtime.hooks.cron import Schedule, cron_jobs

UTC = datetime.timezone.utc


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("expr", ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
                                  "* * * * *", "0-59/15 * * * *", "+1 * * * *", "01 * * * *", "*/59 * * * *",
                                  "1,2,3-10/2 * * * *"])
def test_accepted(expr):
    Schedule.parse(expr)


@pytest.mark.parametrize("expr, message", [
    ("5-1 * * * *", "invalid segment range maximum - must be between 5 and 59"),
    (" * * * * *", "invalid cron expression - must be a valid macro or to have exactly 5 space separated segments"),
    ("*  * * * *", "invalid cron expression - must be a valid macro or to have exactly 5 space separated segments"),
    ("* *\t* * *", "invalid cron expression - must be a valid macro or to have exactly 5 space separated segments"),
    ("* * * * * *", "invalid cron expression - must be a valid macro or to have exactly 5 space separated segments"),
    ("@every 5m", "invalid cron expression - must be a valid macro or to have exactly 5 space separated segments"),
    ("@HOURLY", "invalid cron expression - must be a valid macro or to have exactly 5 space separated segments"),
    ("0 0 * JAN MON", 'strconv.Atoi: parsing "JAN": invalid syntax'),
    ("* * 0 * *", "invalid segment value - must be between the min and max of the segment"),
    ("60 * * * *", "invalid segment value - must be between the min and max of the segment"),
    ("* * * * 7", "invalid segment value - must be between the min and max of the segment"),
    ("*/60 * * * *", "invalid segment step boundary - the step must be between 1 and the 59"),
    ("*/0 * * * *", "invalid segment step boundary - the step must be between 1 and the 59"),
    ("1/5 * * * *", "invalid segement step - step > 1 could be used only with the wildcard or range format"),
    ("-1 * * * *", 'strconv.Atoi: parsing "": invalid syntax'),
])
def test_refused_with_the_binarys_message(expr, message):
    with pytest.raises(ValueError) as refused:
        Schedule.parse(expr)
    assert str(refused.value) == "failed to add new cron job: " + message


def test_due_minutes():
    assert Schedule.parse("@hourly").is_due(at("2026-03-04 05:00:30"))
    assert not Schedule.parse("@hourly").is_due(at("2026-03-04 05:01:00"))
    assert Schedule.parse("@weekly").is_due(at("2026-03-01 00:00"))  # a Sunday
    assert Schedule.parse("@yearly").is_due(at("2027-01-01 00:00"))
    every = Schedule.parse("*/20 9-17 * * 1-5")
    assert [every.is_due(at(f"2026-03-04 09:{m:02d}")) for m in (0, 20, 30, 40)] == [True, True, False, True]
    assert not every.is_due(at("2026-03-07 10:00"))  # a Saturday
    # the day of the month AND the day of the week must match (Vixie cron would take either)
    both = Schedule.parse("0 0 13 * 1")
    assert not both.is_due(at("2026-03-13 00:00")) and not both.is_due(at("2026-03-16 00:00"))  # a Friday; a Monday
    assert both.is_due(at("2026-04-13 00:00"))  # Monday the 13th
    # an aware time is read in UTC
    assert Schedule.parse("0 5 * * *").is_due(datetime.datetime(2026, 3, 4, 7, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))))


def test_later_add_replaces_remove_drops():
    regs = [Registration("../a.pb.js", 0, "cron", name="x", path="@daily"),
            Registration("../a.pb.js", 1, "cron", name="y", path="@hourly"),
            Registration("../b.pb.js", 0, "cron", name="x", path="*/5 * * * *"),
            Registration("../b.pb.js", 1, "cronRemove", name="y"),
            Registration("../b.pb.js", 2, "cronRemove", name="never")]
    assert [(j.id, j.expr, j.file, j.index) for j in cron_jobs(regs)] == [("x", "*/5 * * * *", "../b.pb.js", 0)]
    with pytest.raises(ValueError, match=r"^pb_hooks/a.pb.js: failed to add new cron job"):
        cron_jobs([Registration("../a.pb.js", 0, "cron", name="x", path="nope")])
