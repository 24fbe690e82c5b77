"""The working clock for a stretch of dates: the roster (weekly plan and overrides) and the
working calendar read once, then any number of cases measured against them
(services/hotline/working_time.py does the counting)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.hotline.calendar import WorkingCalendar
from services.hotline.roster import RosterService, minutes
from services.hotline.working_time import Intervals, as_utc, clock_starts, working_seconds
from storage.models import Case
from storage.repositories.hotline_roster import OverrideRow, RosterRepository, ShiftRow

# A case open longer than this is measured only over its last stretch of this many days:
# keeps one forgotten case from making every view read years of roster.
MAX_DAYS = 400


@dataclass(frozen=True, slots=True)
class Clocks:
    """Minutes of one measure in wall-clock and in working time (None: nothing to measure)."""

    wall: float | None
    working: float | None


@dataclass(frozen=True, slots=True)
class CaseClocks:
    """One case's times, each None until the later moment has happened."""

    to_claim: Clocks | None
    to_first_answer: Clocks | None
    to_close: Clocks | None


class WorkingHours:
    """The categories' working hours on the dates of one snapshot."""

    def __init__(self, roster: RosterService, shifts: list[ShiftRow],
                 overrides: list[OverrideRow], calendar: WorkingCalendar) -> None:
        self._roster = roster
        self._shifts = shifts
        self._overrides = overrides
        self.calendar = calendar
        self.zone: ZoneInfo = roster.zone
        self._days: dict[date, dict[str, list[tuple[int, int]]]] = {}

    def hours(self, category: str) -> Callable[[date], Intervals]:
        def of_day(day: date) -> Intervals:
            if day not in self._days:
                by_category: dict[str, list[tuple[int, int]]] = {}
                for duty in self._roster.plan_for(day, self._shifts, self._overrides,
                                                  self.calendar):
                    for key in duty.categories:
                        by_category.setdefault(key, []).append(
                            (minutes(duty.start), minutes(duty.end)))
                self._days[day] = by_category
            return self._days[day].get(category, [])
        return of_day

    def seconds(self, category: str, start: datetime | None, end: datetime | None) -> int | None:
        """Working seconds between two of a case's moments; None while one is missing."""
        if start is None or end is None:
            return None
        return working_seconds(start, end, self.hours(category), self.calendar, self.zone)

    def minutes(self, category: str, start: datetime | None,
                end: datetime | None) -> float | None:
        seconds = self.seconds(category, start, end)
        return None if seconds is None else seconds / 60

    def clocks(self, category: str, start: datetime | None,
               end: datetime | None) -> Clocks | None:
        if start is None or end is None:
            return None
        wall = (as_utc(end) - as_utc(start)).total_seconds() / 60
        return Clocks(round(wall, 1), round(self.minutes(category, start, end) or 0, 1))

    def case_clocks(self, case: Case) -> CaseClocks:
        """Claim from creation (as the case export counts it), answer from the claim, close
        from creation, all in the case's category now."""
        return CaseClocks(self.clocks(case.category, case.created_at, case.claimed_at),
                          self.clocks(case.category, case.claimed_at, case.first_answer_at),
                          self.clocks(case.category, case.created_at, case.closed_at))

    def starts(self, category: str, moment: datetime) -> datetime | None:
        return clock_starts(moment, self.hours(category), self.calendar, self.zone)


class WorkingClock:
    def __init__(self, roster: RosterService, repository: RosterRepository) -> None:
        self._roster = roster
        self._repository = repository

    @property
    def zone(self) -> ZoneInfo:
        return self._roster.zone

    async def hours(self, first: datetime, last: datetime) -> WorkingHours:
        """The working hours from `first` to `last` (UTC moments, local dates)."""
        last_day = as_utc(last).astimezone(self.zone).date()
        first_day = max(as_utc(first).astimezone(self.zone).date(),
                        last_day - timedelta(days=MAX_DAYS))
        return WorkingHours(self._roster, await self._repository.shifts(),
                            await self._repository.overrides(first_day, last_day),
                            await self._roster.calendar(first_day, last_day))
