"""An expert's own figures for /mystats: their ratings (count, average, the latest comments)
and their work (claims, closes, median times in wall-clock and in working time) for last
week (Monday to Sunday, local) and this month so far."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from statistics import mean, median

from services.hotline.experts import ExpertService
from services.hotline.reports import ReportService
from services.hotline.working_clock import Clocks, WorkingHours
from services.refusals import Refused
from storage.models import Case, CaseClaim, CaseRating, utcnow
from storage.repositories.hotline_expert_figures import ExpertFiguresRepository

COMMENTS_SHOWN = 3
COMMENT_CHARS = 200
PERIODS = ("last_week", "this_month")


@dataclass(frozen=True, slots=True)
class ExpertPeriod:
    period: str  # one of PERIODS
    first: datetime  # local
    last: datetime  # local, the period's last day
    claimed: int
    closed: int
    to_claim: Clocks
    to_first_answer: Clocks
    to_close: Clocks
    ratings: int
    average: float | None
    comments: list[tuple[int, str]]  # (stars, comment), newest first


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(median(present), 1) if present else None


def _minutes(first: datetime | None, last: datetime | None) -> float | None:
    if first is None or last is None:
        return None
    return (last - first).total_seconds() / 60


def _inside(moment: datetime | None, first: datetime, last: datetime) -> bool:
    if moment is None:
        return False
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return first <= moment < last


class ExpertFigures:
    def __init__(self, repository: ExpertFiguresRepository, reports: ReportService,
                 experts: ExpertService, clock: Callable[[], datetime] = utcnow) -> None:
        self._repository = repository
        self._reports = reports
        self._experts = experts
        self._clock = clock
        self.zone = reports.zone

    def bounds(self, period: str) -> tuple[datetime, datetime]:
        """[first local midnight, end) of the period as UTC; this month ends now."""
        now = self._clock()
        today = now.astimezone(self.zone).date()
        if period == "this_month":
            first = datetime.combine(today.replace(day=1), time(0), tzinfo=self.zone)
            return first.astimezone(UTC), now
        monday = today - timedelta(days=today.weekday() + 7)
        first = datetime.combine(monday, time(0), tzinfo=self.zone)
        return first.astimezone(UTC), (first + timedelta(days=7)).astimezone(UTC)

    async def of(self, telegram_id: int) -> list[ExpertPeriod]:
        """The expert's own figures; refused for anyone who is not an expert."""
        if await self._experts.get(telegram_id) is None:
            raise Refused("hotline.mystats.not_expert")
        return [await self._period(telegram_id, period) for period in PERIODS]

    async def _period(self, telegram_id: int, period: str) -> ExpertPeriod:
        first, last = self.bounds(period)
        claims = await self._repository.claims_by(telegram_id, first, last)
        cases = await self._repository.cases_answered_or_closed(telegram_id, first, last)
        ratings = await self._repository.ratings_of(telegram_id, first, last)
        answered = [c for c in cases if _inside(c.first_answer_at, first, last)]
        closed = [c for c in cases if _inside(c.closed_at, first, last)]
        hours = await self._reports.working_hours(cases, claims)
        end_day = (last - timedelta(microseconds=1)).astimezone(self.zone)
        return ExpertPeriod(
            period=period, first=first.astimezone(self.zone), last=end_day,
            claimed=len(claims), closed=len(closed),
            to_claim=self._clocks(claims, "waiting_since", "claimed_at", hours),
            to_first_answer=self._clocks(answered, "claimed_at", "first_answer_at", hours),
            to_close=self._clocks(closed, "created_at", "closed_at", hours),
            ratings=len(ratings),
            average=round(mean(r.stars for r in ratings), 2) if ratings else None,
            comments=_comments(ratings))

    @staticmethod
    def _clocks(rows: list[Case] | list[CaseClaim], begin: str, end: str,
                hours: WorkingHours | None) -> Clocks:
        wall = _median(_minutes(getattr(r, begin), getattr(r, end)) for r in rows)
        working = None if hours is None else _median(
            hours.minutes(r.category, getattr(r, begin), getattr(r, end)) for r in rows)
        return Clocks(wall, working)


def _comments(ratings: list[CaseRating]) -> list[tuple[int, str]]:
    found = [(r.stars, r.comment.strip()[:COMMENT_CHARS]) for r in ratings
             if r.comment and r.comment.strip()]
    return found[:COMMENTS_SHOWN]
