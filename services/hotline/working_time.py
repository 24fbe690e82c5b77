"""Working time: how much of a stretch of wall-clock time fell in a category's working hours.

A category's working hours on a day are the roster's hours for it that day (its shifts,
overrides applied), counted only on the Chinese working calendar's working days: a holiday
counts nothing even if someone happens to be on duty, a make-up working day (调休) counts
like any weekday. A question asked on a Saturday night therefore starts its working clock at
the first shift of the next working day, Monday 09:00 or a make-up Saturday.

Pure: the hours and the calendar are handed in, so the computation is tested with figures
worked out by hand, and the views (/stats, the weekly report, the console) need no query per
case (services/hotline/working_clock.py reads the roster once for a stretch of dates).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

# [start, end) in minutes after local midnight; 1440 is the midnight that ends the day.
Intervals = Sequence[tuple[int, int]]
CategoryHours = Callable[[date], Intervals]
DAY_MINUTES = 24 * 60
# How far ahead clock_starts looks for working hours before saying there are none.
LOOKAHEAD_DAYS = 31


class Workdays(Protocol):
    def is_workday(self, day: date) -> bool: ...


def merged(intervals: Intervals) -> list[tuple[int, int]]:
    """Overlapping or touching shifts (two experts, 09:00-12:00 and 11:00-17:00) as one."""
    result: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s), min(DAY_MINUTES, e)) for s, e in intervals):
        if end <= start:
            continue
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def as_utc(moment: datetime) -> datetime:
    """SQLite gives stored UTC times back without their zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone) + timedelta(minutes=minute)


def _windows(day: date, category_hours: CategoryHours, calendar: Workdays,
             zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    if not calendar.is_workday(day):
        return []
    return [(_at(day, start, zone), _at(day, end, zone))
            for start, end in merged(category_hours(day))]


def working_seconds(start: datetime, end: datetime, category_hours: CategoryHours,
                    calendar: Workdays, zone: ZoneInfo) -> int:
    """The seconds of [start, end) inside the category's working hours (0 if end <= start)."""
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        return 0
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    total = timedelta()
    while day <= last:
        for opens, closes in _windows(day, category_hours, calendar, zone):
            overlap = min(closes, end) - max(opens, start)
            if overlap > timedelta():
                total += overlap
        day += timedelta(days=1)
    return int(total.total_seconds())


def clock_starts(moment: datetime, category_hours: CategoryHours, calendar: Workdays,
                 zone: ZoneInfo) -> datetime | None:
    """When a question asked at `moment` starts its working clock (local time): at once when
    asked in working hours, else when they next begin; None if not within a month."""
    moment = as_utc(moment)
    day = moment.astimezone(zone).date()
    for offset in range(LOOKAHEAD_DAYS + 1):
        for opens, closes in _windows(day + timedelta(days=offset), category_hours, calendar,
                                      zone):
            if closes > moment:
                return max(opens, moment.astimezone(zone))
    return None
