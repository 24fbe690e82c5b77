"""Which working days a roster change would leave a category with nobody on duty.

The plan is read as routing reads it: the working calendar (statutory holidays and make-up
working days), leave and extra shifts, and only experts who still answer the category.
"""

from __future__ import annotations

from datetime import date, timedelta

from services.hotline.calendar import WorkingCalendar
from services.hotline.experts import ExpertView
from services.hotline.roster import RosterService
from storage.repositories.hotline_roster import OverrideRow, ShiftRow

# How far ahead a removal is checked: two weeks covers the next rota people plan around.
LOOKAHEAD_DAYS = 14


def _covered(roster: RosterService, calendar: WorkingCalendar, day: date,
             shifts: list[ShiftRow], overrides: list[OverrideRow],
             experts: dict[int, ExpertView], category: str) -> bool:
    for duty in roster.plan_for(day, shifts, overrides, calendar):
        expert = experts.get(duty.telegram_id)
        if (expert is not None and not expert.stepped_off and category in duty.categories
                and category in expert.categories):
            return True
    return False


def days_left_uncovered(roster: RosterService, calendar: WorkingCalendar,
                        before: list[ShiftRow], after: list[ShiftRow],
                        overrides: list[OverrideRow], experts: dict[int, ExpertView],
                        category: str, first: date,
                        count: int = LOOKAHEAD_DAYS) -> list[date]:
    """The working days from `first` on which the category has someone before the change
    and nobody after it (a day already uncovered is not this change's doing)."""
    found = []
    for offset in range(count):
        day = first + timedelta(days=offset)
        if not calendar.is_workday(day):
            continue
        if (_covered(roster, calendar, day, before, overrides, experts, category)
                and not _covered(roster, calendar, day, after, overrides, experts, category)):
            found.append(day)
    return found
