"""Adding a session to a course, or taking one away, after the course was created.

Each change runs in one transaction that first touches the course row (the lock the
registration code takes too), re-checks what the service checked, and numbers the sessions
again in the order they happen, so "session 2" is always the second one in time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Course, CourseSession, CourseStatus
from storage.timestamps import as_utc


class TrainingSessionRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, course_id: int, starts_at: datetime, ends_at: datetime, place: str,
                  most: int) -> int | None:
        """The new session's id; None when the course is no longer open or already has
        `most` sessions (someone else added one meanwhile)."""
        async with self._db.session() as session:
            if not await self._lock_open(session, course_id):
                return None
            count = (await session.execute(select(func.count()).select_from(CourseSession)
                                           .where(CourseSession.course_id == course_id))
                     ).scalar_one()
            if count >= most:
                return None
            row = CourseSession(course_id=course_id, position=count + 1, starts_at=starts_at,
                                ends_at=ends_at, place=place)
            session.add(row)
            await session.flush()
            await self._renumber(session, course_id)
            return row.id

    async def remove(self, course_id: int, session_id: int, not_before: datetime) -> bool:
        """Deletes the session (its reminders, notices and check-ins go with it) unless the
        course closed, it is the last one, or it begins before `not_before`."""
        async with self._db.session() as session:
            if not await self._lock_open(session, course_id):
                return False
            count = (await session.execute(select(func.count()).select_from(CourseSession)
                                           .where(CourseSession.course_id == course_id))
                     ).scalar_one()
            row = (await session.execute(select(CourseSession).where(
                CourseSession.id == session_id, CourseSession.course_id == course_id))
            ).scalar_one_or_none()
            if row is None or count <= 1 or as_utc(row.starts_at) < not_before:
                return False
            await session.execute(delete(CourseSession).where(CourseSession.id == session_id))
            await self._renumber(session, course_id)
            return True

    @staticmethod
    async def _lock_open(session: AsyncSession, course_id: int) -> bool:
        """Touches the course row (the write lock); False unless the course is open."""
        touched = await session.execute(
            update(Course).where(Course.id == course_id, Course.status == CourseStatus.OPEN)
            .values(capacity=Course.capacity))
        return touched.rowcount == 1

    @staticmethod
    async def _renumber(session: AsyncSession, course_id: int) -> None:
        rows = (await session.execute(select(CourseSession)
                                      .where(CourseSession.course_id == course_id)
                                      .order_by(CourseSession.starts_at, CourseSession.id))
                ).scalars().all()
        for position, row in enumerate(rows, start=1):
            row.position = position
