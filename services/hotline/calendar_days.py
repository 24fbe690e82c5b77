"""What the working calendar says about days: holidays, make-up working days, where each
came from, and which years nobody knows yet (for the console, `hotline roster show` and
`hotline calendar show`).

The decision "working day or not" is WorkingCalendar's, the one the roster uses; the names
come from the entered notice, or from the package's enum for the years it knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

from services.hotline.calendar import ENTERED, FALLBACK, HOLIDAY_ENTRY, WorkingCalendar

HOLIDAY, MAKEUP, WEEKEND, WORKDAY = "holiday", "makeup", "weekend", "workday"
# The package names holidays in English ("National Day"); we keep its enum key
# ("national_day") so the page can show the name from our catalogues.
HOLIDAY_KEYS = {h.value: h.name for h in chinese_calendar.Holiday}


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    kind: str  # holiday, makeup, weekend, workday
    workday: bool
    known: bool  # False: nobody knows this year yet, Monday to Friday assumed
    holiday: str | None = None  # the package's enum key, for its holidays and make-up days
    source: str = FALLBACK  # entered, package, fallback
    name: str | None = None  # the name as the bureau entered it
    origin: str | None = None  # the entered day's file ("holidays-2027.csv") or "console"


def describe_day(calendar: WorkingCalendar, day: date) -> CalendarDay:
    workday = calendar.is_workday(day)
    source = calendar.source(day)
    weekend = day.weekday() >= 5
    if source == ENTERED:
        entry = calendar.entered(day)
        if entry is None:
            return CalendarDay(day, WORKDAY if workday else WEEKEND, workday, True,
                               source=source)
        kind = HOLIDAY if entry.kind == HOLIDAY_ENTRY else (MAKEUP if weekend else WORKDAY)
        return CalendarDay(day, kind, workday, True, source=source, name=entry.name,
                           origin=entry.origin)
    if source == FALLBACK:
        return CalendarDay(day, WORKDAY if workday else WEEKEND, workday, False, source=source)
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    key = HOLIDAY_KEYS.get(name) if name else None
    if on_holiday and key:
        return CalendarDay(day, HOLIDAY, workday, True, key, source)
    if workday and weekend:
        return CalendarDay(day, MAKEUP, workday, True, key, source)
    return CalendarDay(day, WORKDAY if workday else WEEKEND, workday, True, source=source)


@dataclass(frozen=True, slots=True)
class CalendarPeriod:
    first: date
    last: date
    special: list[CalendarDay]  # holidays and make-up days, in date order
    unknown_years: list[int]


def calendar_period(calendar: WorkingCalendar, first: date, days: int) -> CalendarPeriod:
    """Holidays and make-up working days in [first, first + days), and the unknown years."""
    special: list[CalendarDay] = []
    unknown: list[int] = []
    for offset in range(days):
        described = describe_day(calendar, first + timedelta(days=offset))
        if not described.known and described.day.year not in unknown:
            unknown.append(described.day.year)
        if described.kind in (HOLIDAY, MAKEUP):
            special.append(described)
    return CalendarPeriod(first, first + timedelta(days=days - 1), special, unknown)
