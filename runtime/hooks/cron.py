"""``cronAdd`` schedules as PocketBase 0.40's ``tools/cron`` reads them, and the jobs a project ends with.

An expression is a macro (``@yearly`` … ``@hourly``, lower-case only) or exactly five fields separated
by single spaces: minute, hour, day of month, month, day of week (0-6, Sunday 0). A field is a
comma-separated list of ``*``, ``N``, ``A-B``, ``*/S`` or ``A-B/S``; no names (``JAN``, ``MON``), no ``7``
for Sunday, no step on a single number. A time is due when every field holds it (the day of month AND
the day of week, unlike Vixie cron's OR), in UTC. The refusals carry the binary's own messages.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
          "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_GO_INT = re.compile(r"[+-]?\d+")


def _atoi(text: str) -> int:
    """Go's strconv.Atoi: an optional sign and decimal digits, else its error text."""
    if not _GO_INT.fullmatch(text):
        raise ValueError(f'strconv.Atoi: parsing "{text}": invalid syntax')
    return int(text)


def _field(segment: str, low: int, high: int) -> frozenset:
    slots: set[int] = set()
    for part in segment.split(","):
        pieces = part.split("/")
        if len(pieces) > 2:
            raise ValueError("invalid segment step format - must be in the format */n or 1-30/n")
        step = 1
        if len(pieces) == 2:
            step = _atoi(pieces[1])
            if not 1 <= step <= high:
                raise ValueError(f"invalid segment step boundary - the step must be between 1 and the {high}")
        if pieces[0] == "*":
            first, last = low, high
        else:
            bounds = pieces[0].split("-")
            if len(bounds) == 1:
                if step != 1:
                    raise ValueError("invalid segement step - step > 1 could be used only with the wildcard or "
                                     "range format")
                first = last = _atoi(bounds[0])
                if not low <= first <= high:
                    raise ValueError("invalid segment value - must be between the min and max of the segment")
            elif len(bounds) == 2:
                first = _atoi(bounds[0])
                if not low <= first <= high:
                    raise ValueError(f"invalid segment range minimum - must be between {low} and {high}")
                last = _atoi(bounds[1])
                if not first <= last <= high:
                    raise ValueError(f"invalid segment range maximum - must be between {first} and {high}")
            else:
                raise ValueError("invalid segment range format - the range must have 1 or 2 parts")
        slots.update(range(first, last + 1, step))
    return frozenset(slots)


@dataclass(frozen=True)
class Schedule:
    minutes: frozenset
    hours: frozenset
    days: frozenset
    months: frozenset
    weekdays: frozenset

    @classmethod
    def parse(cls, expr: str) -> "Schedule":
        """The schedule of ``expr``; ValueError with PocketBase's message (``failed to add new cron job: …``)."""
        segments = MACROS.get(expr, expr).split(" ")
        try:
            if len(segments) != 5:
                raise ValueError("invalid cron expression - must be a valid macro or to have exactly 5 space "
                                 "separated segments")
            return cls(*(_field(s, low, high) for s, (low, high) in zip(segments, _BOUNDS)))
        except ValueError as e:
            raise ValueError(f"failed to add new cron job: {e}") from None

    def is_due(self, when: datetime.datetime) -> bool:
        """Whether the minute of ``when`` (UTC when it is aware) is one of the schedule's."""
        if when.tzinfo is not None:
            when = when.astimezone(datetime.timezone.utc)
        return (when.minute in self.minutes and when.hour in self.hours and when.day in self.days
                and when.month in self.months and (when.weekday() + 1) % 7 in self.weekdays)


@dataclass(frozen=True)
class CronJob:
    """One job the project ends with: the last ``cronAdd`` of its id not removed after, where the
    closure is found again (``file``, ``index``) and its parsed schedule."""

    id: str
    expr: str
    file: str
    index: int
    schedule: Schedule


def cron_jobs(registrations) -> list[CronJob]:
    """The jobs after every ``cronAdd``/``cronRemove`` in load order: a later ``cronAdd`` of an id replaces
    the earlier one (in its place in the list, as a map keeps it), ``cronRemove`` drops it. ValueError
    (``pb_hooks/FILE: failed to add new cron job: …``) for an expression PocketBase refuses."""
    from .discovery import shown

    jobs: dict[str, CronJob] = {}
    for r in registrations:
        if r.kind == "cron":
            try:
                schedule = Schedule.parse(r.path)
            except ValueError as e:
                raise ValueError(f"{shown(r.file)}: {e}") from None
            jobs[r.name] = CronJob(r.name, r.path, r.file, r.index, schedule)
        elif r.kind == "cronRemove":
            jobs.pop(r.name, None)
    return list(jobs.values())
