"""Editing the duty roster's weekly plan from the console: the grid, CSV in and out.

Every change to the weekly plan is written the way `hotline roster import` writes it: the
new plan is put back into the CSV format and goes through `RosterService.import_file`, so
the console can never store a plan the command line would refuse, and the swap is whole.
A plan version (a hash of the plan as CSV) travels with each form: a change made on a page
that shows an older plan is refused instead of silently undoing someone else's edit.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from services.hotline.experts import ExpertService, ExpertView
from services.hotline.roster import RosterService, check_times
from services.hotline.roster_gaps import LOOKAHEAD_DAYS, days_left_uncovered
from services.hotline.roster_plan import (
    DAY_COLUMNS,
    Assignment,
    Shift,
    assignments_of,
    grid_of,
    roster_csv,
    shifts_of,
)
from services.refusals import Refused
from storage.repositories.hotline_roster import CategoryRow, RosterRepository, ShiftRow

MAX_IMPORT_BYTES = 512 * 1024
__all__ = ["PlanView", "RosterEditor", "check_size", "check_times"]


@dataclass(frozen=True, slots=True)
class PlanView:
    version: str
    categories: list[CategoryRow]
    experts: dict[int, ExpertView]
    cells: dict[tuple[str, str], list[Shift]]
    shifts: list[ShiftRow]


def check_size(size: int) -> None:
    """Refuses a file too large for a plan before anyone reads it (a bot's download too)."""
    if size > MAX_IMPORT_BYTES:
        raise Refused("roster.csv.too_big", "file", limit=MAX_IMPORT_BYTES // 1024)


def plan_version(shifts: list[ShiftRow]) -> str:
    return hashlib.sha256(roster_csv(shifts).encode()).hexdigest()[:16]


class RosterEditor:
    def __init__(self, repository: RosterRepository, roster: RosterService,
                 experts: ExpertService) -> None:
        self._repository = repository
        self._roster = roster
        self._experts = experts
        # Read-change-write of the plan, one at a time in this process; the version check
        # catches an edit from another process (the CLI) in between.
        self._lock = asyncio.Lock()

    async def plan(self) -> PlanView:
        shifts = await self._repository.shifts()
        experts = {e.telegram_id: e for e in await self._experts.all()}
        categories = await self._repository.categories(include_inactive=True)
        return PlanView(plan_version(shifts), categories, experts,
                        grid_of(assignments_of(shifts)), shifts)

    async def export_csv(self) -> str:
        return roster_csv(await self._repository.shifts())

    async def import_csv(self, data: bytes, *, allow_empty: bool = False) -> int:
        """Replaces the plan with a file, or raises Refused (roster.csv.*; the plan stays).
        A file with only its header empties the plan only when `allow_empty` says so."""
        check_size(len(data))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("roster.csv.encoding", "file") from None
        if not text.strip():
            raise Refused("roster.csv.empty", "file")
        async with self._lock:
            return await self._roster.import_file(text, allow_empty=allow_empty)

    # ------------------------------------------------------------------ the grid

    async def add(self, version: str, category: str, day: str, start: str, end: str,
                  telegram_id: int) -> Assignment:
        """Puts an expert on a shift of a cell (a new shift when the times are new)."""
        await self._check_cell(category, day)
        start, end = check_times(start, end)
        expert = await self._experts.get(telegram_id)
        if expert is None:
            raise Refused("console_ops.roster.error.not_expert", "expert",
                                  id=telegram_id)
        if category not in expert.categories:
            raise Refused("console_ops.roster.error.not_in_category", "expert",
                                  name=expert.name, category=category)
        added = Assignment(category, day, start, end, telegram_id)

        def change(current: set[Assignment]) -> set[Assignment]:
            if added in current:
                raise Refused("console_ops.roster.error.already_there", "expert",
                                      name=expert.name)
            return current | {added}

        await self._change(version, change)
        return added

    async def removal_gaps(self, version: str, category: str, day: str, start: str,
                           end: str, telegram_id: int, today: date) -> list[date]:
        """Checks a removal as `remove` would, without making it, and returns the working
        days of the next two weeks it would leave the category with nobody on duty."""
        await self._check_cell(category, day)
        removed = Assignment(category, day, start, end, telegram_id)
        shifts = await self._repository.shifts()
        if plan_version(shifts) != version:
            raise Refused("console_ops.roster.error.stale")
        current = assignments_of(shifts)
        if removed not in current:
            raise Refused("console_ops.roster.error.not_there")
        experts = {e.telegram_id: e for e in await self._experts.all()}
        order = {i: e.categories for i, e in experts.items()}
        after = shifts_of(current - {removed}, order)
        overrides = await self._repository.overrides(today,
                                                     today + timedelta(days=LOOKAHEAD_DAYS))
        calendar = await self._roster.calendar(today, today + timedelta(days=LOOKAHEAD_DAYS))
        return days_left_uncovered(self._roster, calendar, shifts, after, overrides, experts,
                                   category, today)

    async def remove(self, version: str, category: str, day: str, start: str, end: str,
                     telegram_id: int) -> Assignment:
        await self._check_cell(category, day)
        removed = Assignment(category, day, start, end, telegram_id)

        def change(current: set[Assignment]) -> set[Assignment]:
            if removed not in current:
                raise Refused("console_ops.roster.error.not_there")
            return current - {removed}

        await self._change(version, change)
        return removed

    async def retime(self, version: str, category: str, day: str, start: str, end: str,
                     new_start: str, new_end: str) -> int:
        """Moves a whole shift of a cell (everyone on it) to new times; returns how many."""
        await self._check_cell(category, day)
        new_start, new_end = check_times(new_start, new_end)
        moved = 0

        def change(current: set[Assignment]) -> set[Assignment]:
            nonlocal moved
            old = {a for a in current if (a.category, a.day, a.start, a.end)
                   == (category, day, start, end)}
            if not old:
                raise Refused("console_ops.roster.error.not_there")
            moved = len(old)
            return (current - old) | {Assignment(category, day, new_start, new_end,
                                                 a.telegram_id) for a in old}

        await self._change(version, change)
        return moved

    async def _check_cell(self, category: str, day: str) -> None:
        if day not in DAY_COLUMNS:
            raise Refused("console_ops.roster.error.unknown_day", "day")
        keys = {c.key for c in await self._repository.categories(include_inactive=True)}
        if category not in keys:
            raise Refused("console_ops.roster.error.unknown_category", "category")

    async def _change(self, version: str,
                      change: Callable[[set[Assignment]], set[Assignment]]) -> None:
        async with self._lock:
            shifts = await self._repository.shifts()
            if plan_version(shifts) != version:
                raise Refused("console_ops.roster.error.stale")
            changed = change(assignments_of(shifts))
            order = {e.telegram_id: e.categories for e in await self._experts.all()}
            try:
                # Taking the last expert off the grid empties the plan on purpose.
                await self._roster.import_file(roster_csv(shifts_of(changed, order)),
                                               allow_empty=True)
            except Refused as error:
                # Only when the plan already held something the checks above let through
                # (an expert who since lost a category): say which line, in our words.
                raise Refused("console_ops.roster.error.plan_invalid",
                              reason=error.refusal) from None
