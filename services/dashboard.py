"""The figures of the console's dashboard: the hotline this week, broadcasts under way,
the next training sessions and the newest ideas. Read-only; times are UTC, weeks local."""

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
from storage.models import CaseStatus, utcnow
from storage.repositories.dashboard import DashboardRepository, NewIdea, UpcomingSession
from storage.repositories.hotline_cases import CaseRepository

SESSIONS_SHOWN = 5
IDEAS_SHOWN = 5
DAYS_CHARTED = 7


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    title: str
    progress: Progress


@dataclass(frozen=True, slots=True)
class Dashboard:
    waiting: int                    # offered, nobody has claimed yet
    open: int                       # claimed, being answered
    week_start: datetime            # Monday 00:00 local, as UTC
    week: Figures                   # cases opened this week, all categories
    by_category: list[tuple[str, int]]
    per_day: list[tuple[str, int]]  # cases opened on each of the last 7 local days
    ratings: list[tuple[str, int]]  # this week's ratings, 5 stars first
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

    async def figures(self, locale: str) -> Dashboard:
        now = self._clock()
        today = self._local_midnight(now)
        week_start = today - timedelta(days=today.astimezone(self._zone).weekday())
        week, by_category, _ = await self._reports.figures(week_start, now, locale)
        statuses = await self._repository.cases_by_status()
        first_status = min(await self._ideas.statuses(), key=lambda s: s.position).key
        new_ideas, new_week = await self._repository.newest_ideas(week_start, IDEAS_SHOWN)
        return Dashboard(
            waiting=statuses.get(CaseStatus.OFFERED, 0),
            open=statuses.get(CaseStatus.OPEN, 0),
            week_start=week_start,
            week=week,
            by_category=[(f.label, f.cases) for f in by_category],
            per_day=await self._per_day(today, now),
            ratings=await self._ratings(week_start, now),
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

    async def _per_day(self, today: datetime, now: datetime) -> list[tuple[str, int]]:
        first = today - timedelta(days=DAYS_CHARTED - 1)
        counts = {(first + timedelta(days=n)).astimezone(self._zone).date(): 0
                  for n in range(DAYS_CHARTED)}
        for case in await self._cases.between(first, now):
            created = case.created_at
            if created.tzinfo is None:  # SQLite returns the stored UTC without its zone
                created = created.replace(tzinfo=UTC)
            day = created.astimezone(self._zone).date()
            if day in counts:
                counts[day] += 1
        return [(day.strftime("%m-%d"), count) for day, count in counts.items()]

    async def _ratings(self, first: datetime, now: datetime) -> list[tuple[str, int]]:
        stars = [c.rating for c in await self._cases.between(first, now) if c.rating]
        return [("★" * n, stars.count(n)) for n in range(5, 0, -1)]
