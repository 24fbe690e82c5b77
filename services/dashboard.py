"""The figures of the console's dashboard: the hotline in a chosen period (this week, last
week, this month) with each expert's load and ratings, escalations and the oldest waiting
case; broadcasts under way, the next training sessions and the newest ideas. Read-only;
times are UTC, periods local."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.announcements.broadcasts import CAMPAIGN_KIND
from services.delivery.engine import DeliveryEngine
from services.delivery.protocol import Progress
from services.hotline.reports import Figures, ReportService
from services.ideas import IdeaService
from storage.models import Case, CaseStatus, utcnow
from storage.repositories.dashboard import (
    DashboardRepository,
    NewIdea,
    OldestWaiting,
    UpcomingSession,
)
from storage.repositories.hotline_cases import CaseRepository

SESSIONS_SHOWN = 5
IDEAS_SHOWN = 5
PERIODS = ("this_week", "last_week", "this_month")


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    title: str
    progress: Progress


@dataclass(frozen=True, slots=True)
class Dashboard:
    waiting: int                    # offered, nobody has claimed yet
    open: int                       # claimed, being answered
    period: str                     # one of PERIODS
    week_start: datetime            # the period's first local midnight, as UTC
    period_end: datetime            # the local midnight after its last day, as UTC
    week: Figures                   # cases opened in the period, all categories
    by_category: list[tuple[str, int]]
    experts: list[Figures]          # each handler's load and ratings in the period
    escalated: int                  # the period's cases that went on to backups or staff
    oldest_waiting: OldestWaiting | None
    per_day: list[tuple[str, int]]  # cases opened on each local day of the period
    ratings: list[tuple[str, int]]  # the period's ratings, 5 stars first
    broadcasts: list[Broadcast]
    scheduled: int
    sessions: list[UpcomingSession]
    ideas_waiting: int
    new_ideas: list[NewIdea]
    new_ideas_week: int


@dataclass(frozen=True, slots=True)
class LiveFigures:
    waiting: int
    open: int
    broadcasts: list[Broadcast]
    scheduled: int


class DashboardService:
    def __init__(self, repository: DashboardRepository, reports: ReportService,
                 cases: CaseRepository, delivery: DeliveryEngine,
                 ideas: IdeaService, timezone: str,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._repository = repository
        self._reports = reports
        self._cases = cases
        self._delivery = delivery
        self._ideas = ideas
        self._zone = ZoneInfo(timezone)
        self._clock = clock

    def _local_midnight(self, moment: datetime) -> datetime:
        """Local midnight of `moment`'s day, in UTC: SQLite compares the wall-clock text,
        so every bound handed to storage must be UTC like the stored values."""
        day = moment.astimezone(self._zone).date()
        return datetime.combine(day, time(0), tzinfo=self._zone).astimezone(UTC)

    def period_bounds(self, period: str) -> tuple[datetime, datetime]:
        """[first local midnight, the local midnight after the last day) of the period."""
        today = self._clock().astimezone(self._zone).date()
        if period == "this_month":
            first = today.replace(day=1)
            last = (first + timedelta(days=32)).replace(day=1)
        else:
            first = today - timedelta(days=today.weekday())
            if period == "last_week":
                first -= timedelta(days=7)
            last = first + timedelta(days=7)
        return (datetime.combine(first, time(0), tzinfo=self._zone).astimezone(UTC),
                datetime.combine(last, time(0), tzinfo=self._zone).astimezone(UTC))

    async def figures(self, locale: str, period: str = "this_week") -> Dashboard:
        now = self._clock()
        start, end = self.period_bounds(period)
        until = min(end, now)
        week, by_category, by_expert = await self._reports.figures(start, until, locale)
        opened = await self._cases.between(start, until)  # read once for the charts
        stars = [c.rating for c in opened if c.rating]
        statuses = await self._repository.cases_by_status()
        first_status = min(await self._ideas.statuses(), key=lambda s: s.position).key
        # The ideas section stays "this week": it is a to-do list, not a period's figure.
        week_start, _ = self.period_bounds("this_week")
        new_ideas, new_week = await self._repository.newest_ideas(week_start, IDEAS_SHOWN)
        return Dashboard(
            waiting=statuses.get(CaseStatus.OFFERED, 0),
            open=statuses.get(CaseStatus.OPEN, 0),
            period=period,
            week_start=start,
            period_end=end,
            week=week,
            by_category=[(f.label, f.cases) for f in by_category],
            experts=sorted(by_expert, key=lambda f: (-f.cases, f.label)),
            escalated=await self._repository.escalated_between(start, until),
            oldest_waiting=await self._repository.oldest_waiting(),
            per_day=self._per_day(start, end, opened),
            ratings=[("★" * n, stars.count(n)) for n in range(5, 0, -1)],
            broadcasts=await self._broadcasts(),
            scheduled=await self._repository.scheduled_announcements(),
            sessions=await self._repository.upcoming_sessions(now, SESSIONS_SHOWN),
            ideas_waiting=await self._repository.ideas_waiting(first_status),
            new_ideas=new_ideas,
            new_ideas_week=new_week,
        )

    async def live(self) -> LiveFigures:
        """What the dashboard refreshes while it is open: a few cheap counts and the
        broadcasts under way (the rest moves slowly enough to wait for a reload)."""
        statuses = await self._repository.cases_by_status()
        return LiveFigures(waiting=statuses.get(CaseStatus.OFFERED, 0),
                           open=statuses.get(CaseStatus.OPEN, 0),
                           broadcasts=await self._broadcasts(),
                           scheduled=await self._repository.scheduled_announcements())

    async def _broadcasts(self) -> list[Broadcast]:
        return [Broadcast(id_, title, await self._delivery.progress(CAMPAIGN_KIND, id_))
                for id_, title in await self._repository.sending_announcement_ids()]

    def _per_day(self, start: datetime, end: datetime,
                 opened: list[Case]) -> list[tuple[str, int]]:
        first = start.astimezone(self._zone).date()
        days = (end.astimezone(self._zone).date() - first).days
        counts = {first + timedelta(days=n): 0 for n in range(days)}
        for case in opened:
            created = case.created_at
            if created.tzinfo is None:  # SQLite returns the stored UTC without its zone
                created = created.replace(tzinfo=UTC)
            day = created.astimezone(self._zone).date()
            if day in counts:
                counts[day] += 1
        return [(day.strftime("%m-%d"), count) for day, count in counts.items()]
