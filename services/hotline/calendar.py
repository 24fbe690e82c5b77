"""The Chinese working calendar: public holidays and the make-up working days (调休).

Three sources, in this order: the notices the bureau entered itself (`hotline calendar
import`, the console), then the `chinese-calendar` package, which carries the State Council's
notices up to its release, then Monday to Friday. The last one is a fallback, never silent:
a roster that stopped on the first day of an unannounced year would leave askers with nobody
on duty, so it keeps going, logs a warning, and every view says which source a day came from.

A `WorkingCalendar` is a snapshot for a stretch of dates (CalendarService.calendar reads the
entered days for it), so the roster can ask about many days without a query per day.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from importlib.metadata import PackageNotFoundError, version

import chinese_calendar

from storage.repositories.working_calendar import EnteredDay

log = logging.getLogger(__name__)

ENTERED, PACKAGE, FALLBACK = "entered", "package", "fallback"
HOLIDAY_ENTRY, WORKDAY_ENTRY = "holiday", "workday"


def package_version() -> str:
    try:
        return version("chinese-calendar")
    except PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "?"


def package_knows(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


class WorkingCalendar:
    def __init__(self, entered: Iterable[EnteredDay] = (), entered_years: Iterable[int] = (),
                 warned: set[int] | None = None) -> None:
        self._entered = {d.day: d for d in entered}
        self._years = frozenset(entered_years)
        # Shared by the snapshots of one CalendarService, so each year is warned about once.
        self._warned = warned if warned is not None else set()

    def source(self, day: date) -> str:
        if day in self._entered or day.year in self._years:
            return ENTERED
        return PACKAGE if package_knows(day) else FALLBACK

    def known(self, day: date) -> bool:
        return self.source(day) != FALLBACK

    def entered(self, day: date) -> EnteredDay | None:
        return self._entered.get(day)

    def is_workday(self, day: date) -> bool:
        entry = self._entered.get(day)
        if entry is not None:
            return entry.kind == WORKDAY_ENTRY
        if day.year in self._years:
            return day.weekday() < 5  # an entered year: what the notice does not name is usual
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self._warned:
                self._warned.add(day.year)
                log.warning("the working calendar for %s is not published: the bureau has not "
                            "entered it (hotline calendar import) and chinese-calendar %s does "
                            "not know it; Monday to Friday count as working days",
                            day.year, package_version())
            return day.weekday() < 5
