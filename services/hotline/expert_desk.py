"""What an expert's /start shows of their own work (issue 15 item 7): their open cases and
their shifts of the coming week (the roster's plan: RosterService.shifts_of)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.hotline.duty_summary import DutyRun, summarise
from services.hotline.experts import ExpertService
from services.hotline.roster import RosterService
from storage.repositories.hotline_cases import CaseRepository

DESK_DAYS = 7


@dataclass(frozen=True, slots=True)
class OpenCase:
    number: str
    category_zh: str
    category_en: str

    def category(self, locale: str) -> str:
        return self.category_en if locale == "en" else self.category_zh


@dataclass(frozen=True, slots=True)
class Desk:
    open_cases: list[OpenCase]
    shifts: list[DutyRun]
    stepped_off: bool
    days: int = DESK_DAYS


class ExpertDesk:
    def __init__(self, cases: CaseRepository, experts: ExpertService,
                 roster: RosterService) -> None:
        self._cases = cases
        self._experts = experts
        self._roster = roster

    async def of(self, telegram_id: int, today: date) -> Desk | None:
        """The expert's desk; None for someone who is not an expert."""
        expert = await self._experts.get(telegram_id)
        if expert is None:
            return None
        names = {c.key: c for c in await self._experts.categories(include_inactive=True)}
        open_cases = []
        for case in await self._cases.open_of_expert(telegram_id):
            category = names.get(case.category)
            open_cases.append(OpenCase(case.number,
                                       category.name_zh if category else case.category,
                                       category.name_en if category else case.category))
        shifts = summarise(await self._roster.shifts_of(telegram_id, today, DESK_DAYS))
        return Desk(open_cases, shifts, expert.stepped_off)
