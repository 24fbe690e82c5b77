"""A random sample of last week's closed cases for staff to read (issue 15 item 5): each
with its number, category, rating and the link to its transcript (the console's page)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.hotline.experts import ExpertService
from services.refusals import Refused
from storage.models import utcnow
from storage.repositories.hotline_duty_cases import DutyCaseRepository

DEFAULT_SIZE, MAX_SIZE = 5, 20
WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class SampledCase:
    number: str
    category_zh: str
    category_en: str
    rating: int | None
    link: str

    def category(self, locale: str) -> str:
        return self.category_en if locale == "en" else self.category_zh


class CaseSample:
    def __init__(self, repository: DutyCaseRepository, experts: ExpertService,
                 case_link: Callable[[str], str],
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._repository = repository
        self._experts = experts
        self._case_link = case_link
        self._clock = clock

    async def draw(self, size: int = DEFAULT_SIZE,
                   rng: random.Random | None = None) -> tuple[list[SampledCase], int]:
        """Up to `size` of the cases closed in the last 7 days, in number order, and how
        many there were to draw from. Refused outside 1..MAX_SIZE."""
        if not 1 <= size <= MAX_SIZE:
            raise Refused("hotline.sample.bad_size", "size", max=MAX_SIZE)
        now = self._clock()
        closed = await self._repository.closed_between(now - WINDOW, now)
        chosen = sorted((rng or random.SystemRandom()).sample(closed, min(size, len(closed))),
                        key=lambda case: case.id or 0)
        names = {c.key: c for c in await self._experts.categories(include_inactive=True)}
        sample = []
        for case in chosen:
            category = names.get(case.category)
            sample.append(SampledCase(
                case.number, category.name_zh if category else case.category,
                category.name_en if category else case.category, case.rating,
                self._case_link(case.number)))
        return sample, len(closed)
