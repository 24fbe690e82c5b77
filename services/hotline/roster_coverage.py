"""Coverage gaps found before they happen (issue 15, item 2).

A gap is a working day (the Chinese working calendar: holidays and make-up days) on which
hours that the weekly plan gives a category are covered by nobody once leave, swaps, extra
shifts and /duty off are applied. A day the plan never covers is not a gap found here: it
was planned that way, and the console's roster page shows the plan.

Each gap (category, day, the hours uncovered) is announced to the staff group once: it is
recorded before the message goes out (the unique key makes it once across daily runs,
restarts and processes) and forgotten when the message did not arrive, so the next check
tries again. A gap that grows (a second expert off that day) has other hours: it is new.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.hotline.experts import ExpertService, ExpertView
from services.hotline.messenger import CaseMessenger
from services.hotline.roster import Duty, RosterService, minutes
from storage.models import utcnow
from storage.repositories.hotline_roster import RosterRepository
from storage.repositories.roster_duty import RosterDutyRepository

log = logging.getLogger(__name__)

# The two weeks people plan their leave and swaps around.
LOOKAHEAD_DAYS = 14
TEMPLATE = "roster_gaps"

Interval = tuple[int, int]


@dataclass(frozen=True, slots=True)
class CoverageGap:
    category: str
    category_zh: str
    category_en: str
    day: date
    hours: tuple[tuple[str, str], ...]  # (start, end) local, uncovered
    could_cover: tuple[ExpertView, ...]  # answer the category, not off that day

    @property
    def hours_text(self) -> str:
        return ", ".join(f"{start}–{end}" for start, end in self.hours)


def _merged(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _without(planned: list[Interval], covered: list[Interval]) -> list[Interval]:
    """The parts of `planned` outside every interval of `covered` (both merged)."""
    left: list[Interval] = []
    for start, end in planned:
        cursor = start
        for c_start, c_end in covered:
            if c_end <= cursor or c_start >= end:
                continue
            if c_start > cursor:
                left.append((cursor, c_start))
            cursor = max(cursor, c_end)
        if cursor < end:
            left.append((cursor, end))
    return left


def _clock(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"


class CoverageWatch:
    def __init__(self, repository: RosterRepository, duty: RosterDutyRepository,
                 roster: RosterService, experts: ExpertService,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._repository = repository
        self._duty = duty
        self._roster = roster
        self._experts = experts
        self._clock = clock

    def today(self, now: datetime | None = None) -> date:
        return (now or self._clock()).astimezone(self._roster.zone).date()

    async def gaps(self, first: date, count: int = LOOKAHEAD_DAYS) -> list[CoverageGap]:
        """The gaps of the `count` days from `first`, by day then category order."""
        last = first + timedelta(days=count)
        shifts = await self._repository.shifts()
        overrides = await self._repository.overrides(first, last)
        calendar = await self._roster.calendar(first, last)
        experts = {e.telegram_id: e for e in await self._experts.all()}
        categories = await self._repository.categories()
        found = []
        for offset in range(count):
            day = first + timedelta(days=offset)
            if not calendar.is_workday(day):
                continue
            planned_duties = self._roster.plan_for(day, shifts, [], calendar)
            actual = self._roster.plan_for(day, shifts, overrides, calendar)
            # Off for one swapped shift only, an expert can still cover other hours.
            on_leave = {o.telegram_id for o in overrides
                        if o.day == day and o.kind == "off" and o.start is None}
            for category in categories:
                uncovered = _without(
                    _merged(self._hours(planned_duties, experts, category.key, False)),
                    _merged(self._hours(actual, experts, category.key, True)))
                if not uncovered:
                    continue
                could = tuple(e for e in experts.values()
                              if category.key in e.categories and not e.stepped_off
                              and e.telegram_id not in on_leave)
                found.append(CoverageGap(
                    category.key, category.name_zh, category.name_en, day,
                    tuple((_clock(s), _clock(e)) for s, e in uncovered), could))
        return found

    @staticmethod
    def _hours(duties: list[Duty], experts: dict[int, ExpertView], category: str,
               available_only: bool) -> list[Interval]:
        hours = []
        for duty in duties:
            expert = experts.get(duty.telegram_id)
            if expert is None or category not in duty.categories:
                continue
            if category not in expert.categories:
                continue
            if available_only and expert.stepped_off:
                continue
            hours.append((minutes(duty.start), minutes(duty.end)))
        return hours

    async def announce(self, messenger: CaseMessenger, staff_chat_id: int | None,
                       now: datetime | None = None) -> int:
        """Tells the staff group, in one message, of each gap of the next two weeks not told
        yet; how many gaps it named."""
        if staff_chat_id is None:
            return 0
        new = [gap for gap in await self.gaps(self.today(now))
               if await self._duty.mark_gap(gap.category, gap.day, gap.hours_text)]
        if not new:
            return 0
        delivery = await messenger.send_rendered(staff_chat_id, TEMPLATE, gaps=new)
        if not delivery.ok:
            for gap in new:
                await self._duty.forget_gap(gap.category, gap.day, gap.hours_text)
            log.warning("%s coverage gaps did not reach staff (%s); the next check tries "
                        "again", len(new), delivery.failure)
            return 0
        return len(new)
