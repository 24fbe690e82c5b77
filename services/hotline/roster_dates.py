"""The roster's dates for the console: who is on duty on coming days (calendar and overrides
applied, as routing sees it), and the overrides themselves: leave, extra shifts, swaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from services.hotline.calendar_days import CalendarDay, describe_day
from services.hotline.experts import ExpertService, ExpertView
from services.hotline.roster import Duty, RosterService, check_times
from services.refusals import Refused
from storage.repositories.hotline_browsing import HotlineBrowsingRepository
from storage.repositories.hotline_roster import OverrideRow, RosterRepository


@dataclass(frozen=True, slots=True)
class DayDuties:
    calendar: CalendarDay
    duties: list[Duty]


class RosterDates:
    def __init__(self, repository: RosterRepository, browsing: HotlineBrowsingRepository,
                 roster: RosterService, experts: ExpertService) -> None:
        self._repository = repository
        self._browsing = browsing
        self._roster = roster
        self._experts = experts

    async def days(self, first: date, count: int) -> list[DayDuties]:
        """Who is on duty on each of `count` days from `first`, as /duty and routing see it."""
        shifts = await self._repository.shifts()
        last = first + timedelta(days=count)
        overrides = await self._repository.overrides(first, last)
        calendar = await self._roster.calendar(first, last)
        found = []
        for offset in range(count):
            day = first + timedelta(days=offset)
            found.append(DayDuties(describe_day(calendar, day),
                                   self._roster.plan_for(day, shifts, overrides, calendar)))
        return found

    async def overrides(self, first: date, last: date) -> list[OverrideRow]:
        return await self._repository.overrides(first, last)

    async def _expert(self, telegram_id: int, field: str) -> ExpertView:
        expert = await self._experts.get(telegram_id)
        if expert is None:
            raise Refused("console_ops.roster.error.not_expert", field, id=telegram_id)
        return expert

    async def add_override(self, today: date, day: date, telegram_id: int, kind: str,
                           categories: tuple[str, ...], start: str, end: str) -> int:
        """Leave ("off") or an extra shift ("on") on a date; checked field by field first."""
        if day < today:
            raise Refused("console_ops.overrides.error.past", "day")
        if kind not in ("on", "off"):
            raise Refused("console_ops.overrides.error.kind", "kind")
        expert = await self._expert(telegram_id, "expert")
        if kind == "off":
            return await self._roster.add_override(day, telegram_id, "off")
        outside = [c for c in categories if c not in expert.categories]
        if outside:
            raise Refused("console_ops.roster.error.not_in_category", "categories",
                                  name=expert.name, category=", ".join(outside))
        start, end = check_times(start or "00:00", end or "24:00")
        return await self._roster.add_override(day, telegram_id, "on", categories, start, end)

    async def swap(self, today: date, day: date, telegram_id: int,
                   replacement_id: int) -> list[int]:
        """The expert takes leave that day and the replacement works their shifts (the
        categories the replacement answers): one "off" and one "on" per shift."""
        if day < today:
            raise Refused("console_ops.overrides.error.past", "day")
        expert = await self._expert(telegram_id, "expert")
        replacement = await self._expert(replacement_id, "replacement")
        if replacement_id == telegram_id:
            raise Refused("console_ops.overrides.error.same_person", "replacement")
        plan = self._roster.plan_for(day, await self._repository.shifts(),
                                     await self._repository.overrides(day, day),
                                     await self._roster.calendar(day, day))
        duties = [d for d in plan if d.telegram_id == telegram_id]
        if not duties:
            raise Refused("console_ops.overrides.error.no_duty", "day",
                                  name=expert.name, day=day.isoformat())
        covered = [(d, tuple(c for c in d.categories if c in replacement.categories))
                   for d in duties]
        if not any(categories for _, categories in covered):
            raise Refused("console_ops.roster.error.not_in_category", "replacement",
                                  name=replacement.name,
                                  category=", ".join(duties[0].categories))
        added = [await self._roster.add_override(day, telegram_id, "off")]
        for duty, categories in covered:
            if categories:
                added.append(await self._roster.add_override(
                    day, replacement_id, "on", categories, duty.start, duty.end))
        return added

    async def override(self, override_id: int) -> OverrideRow | None:
        return await self._browsing.override(override_id)

    async def remove_override(self, override_id: int) -> OverrideRow | None:
        """Removes an override; returns what it was (for the audit log), None if unknown."""
        row = await self._browsing.override(override_id)
        if row is None or not await self._roster.remove_override(override_id):
            return None
        return row
