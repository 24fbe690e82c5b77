"""Read-only counts across areas for the console's dashboard (one query per figure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from storage.db import Database
from storage.models import (
    Announcement,
    Case,
    CaseStatus,
    Course,
    CourseSession,
    CourseStatus,
    Idea,
    Registration,
    RegistrationStatus,
)
from storage.timestamps import as_utc


@dataclass(frozen=True, slots=True)
class UpcomingSession:
    course_id: int
    course_title: str
    position: int
    starts_at: datetime
    place: str
    capacity: int
    registered: int


@dataclass(frozen=True, slots=True)
class NewIdea:
    id: int
    reference: str
    title: str
    street: str
    community: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OldestWaiting:
    number: str
    category: str
    waiting_since: datetime


class DashboardRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def cases_by_status(self) -> dict[str, int]:
        async with self._db.session() as session:
            rows = await session.execute(select(Case.status, func.count()).group_by(Case.status))
            return {status: int(count) for status, count in rows}

    async def sending_announcement_ids(self) -> list[tuple[int, str]]:
        async with self._db.session() as session:
            rows = await session.execute(select(Announcement.id, Announcement.title)
                                         .where(Announcement.state == "sending")
                                         .order_by(Announcement.id))
            return [(row[0], row[1]) for row in rows]

    async def scheduled_announcements(self) -> int:
        async with self._db.session() as session:
            return int((await session.execute(
                select(func.count()).select_from(Announcement)
                .where(Announcement.state == "scheduled"))).scalar_one())

    async def upcoming_sessions(self, now: datetime, limit: int) -> list[UpcomingSession]:
        """The next sessions of courses that are not cancelled, soonest first."""
        registered = (select(func.count()).select_from(Registration)
                      .where(Registration.course_id == Course.id,
                             Registration.status == RegistrationStatus.REGISTERED)
                      .scalar_subquery())
        async with self._db.session() as session:
            rows = await session.execute(
                select(Course.id, Course.title, CourseSession.position, CourseSession.starts_at,
                       CourseSession.place, Course.capacity, registered)
                .join(Course, Course.id == CourseSession.course_id)
                .where(CourseSession.starts_at >= now, Course.status != CourseStatus.CANCELLED)
                .order_by(CourseSession.starts_at).limit(limit))
            return [UpcomingSession(r[0], r[1], r[2], as_utc(r[3]), r[4], r[5], int(r[6]))
                    for r in rows]

    async def ideas_waiting(self, status: str) -> int:
        """Ideas still in `status` (the first review status), not withdrawn."""
        async with self._db.session() as session:
            return int((await session.execute(
                select(func.count()).select_from(Idea)
                .where(Idea.status == status, Idea.withdrawn_at.is_(None)))).scalar_one())

    async def newest_ideas(self, since: datetime, limit: int) -> tuple[list[NewIdea], int]:
        """Ideas submitted since `since`, newest first, and how many there were."""
        async with self._db.session() as session:
            total = (await session.execute(
                select(func.count()).select_from(Idea)
                .where(Idea.created_at >= since, Idea.withdrawn_at.is_(None)))).scalar_one()
            rows = (await session.execute(
                select(Idea).where(Idea.created_at >= since, Idea.withdrawn_at.is_(None))
                .order_by(Idea.created_at.desc()).limit(limit))).scalars().all()
            return [NewIdea(i.id, i.reference, i.title, i.street, i.community,
                            as_utc(i.created_at)) for i in rows], int(total)

    async def oldest_waiting(self) -> OldestWaiting | None:
        """The case that has waited longest for a claim (since creation or its transfer)."""
        since = func.coalesce(Case.waiting_since, Case.created_at)
        async with self._db.session() as session:
            row = (await session.execute(
                select(Case.number, Case.category, since)
                .where(Case.status == CaseStatus.OFFERED)
                .order_by(since, Case.id).limit(1))).first()
        return OldestWaiting(row[0], row[1], as_utc(row[2])) if row is not None else None

    async def escalated_between(self, first: datetime, last: datetime) -> int:
        """Cases opened in [first, last) that nobody on duty claimed in time: their offer
        went on to the backups or to staff."""
        async with self._db.session() as session:
            return int((await session.execute(
                select(func.count()).select_from(Case)
                .where(Case.created_at >= first, Case.created_at < last,
                       Case.escalation_level > 0))).scalar_one())
