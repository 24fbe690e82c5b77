"""The Chinese working calendar: public holidays and the make-up working days (调休).

The `chinese-calendar` package carries the State Council's yearly announcements. It only
knows the years announced so far; for a date outside them we fall back to Monday–Friday and
say so (`WorkingCalendar.known`), because a roster that silently stopped working on the
first day of an unannounced year would leave askers with nobody on duty.
"""

from __future__ import annotations

import logging
from datetime import date

import chinese_calendar

log = logging.getLogger(__name__)


class WorkingCalendar:
    def __init__(self) -> None:
        self._warned: set[int] = set()

    def known(self, day: date) -> bool:
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: date) -> bool:
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self._warned:
                self._warned.add(day.year)
                log.warning("the working calendar for %s is not published in chinese-calendar "
                            "yet; Monday to Friday count as working days", day.year)
            return day.weekday() < 5
