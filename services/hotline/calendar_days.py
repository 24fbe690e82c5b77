"""What the working calendar says about coming days: holidays, make-up working days, and
which years it does not know yet (for the console's calendar view and the week of duties).

The decision "working day or not" is WorkingCalendar's, the one the roster uses; only the
holiday's name is read from the `chinese-calendar` package directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

from services.hotline.calendar import WorkingCalendar

HOLIDAY, MAKEUP, WEEKEND, WORKDAY = "holiday", "makeup", "weekend", "workday"
# The package names holidays in English ("National Day"); we keep its enum key
# ("national_day") so the page can show the name from our catalogues.
HOLIDAY_KEYS = {h.value: h.name for h in chinese_calendar.Holiday}


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    kind: str  # holiday, makeup, weekend, workday
    workday: bool
    known: bool  # False: a year the package has not published, Monday to Friday assumed
    holiday: str | None = None  # the enum key, for holidays and their make-up days


def describe_day(calendar: WorkingCalendar, day: date) -> CalendarDay:
    workday = calendar.is_workday(day)
    if not calendar.known(day):
        return CalendarDay(day, WORKDAY if workday else WEEKEND, workday, False)
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    key = HOLIDAY_KEYS.get(name) if name else None
    weekend = day.weekday() >= 5
    if on_holiday and key:
        return CalendarDay(day, HOLIDAY, workday, True, key)
    if workday and weekend:
        return CalendarDay(day, MAKEUP, workday, True, key)
    return CalendarDay(day, WORKDAY if workday else WEEKEND, workday, True)


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
