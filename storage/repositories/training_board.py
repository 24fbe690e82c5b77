"""Every course, open or not, for the web console's course list (the bot lists open ones)."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.db import Database
from storage.models import Course
from storage.repositories.trainings import CourseInfo, read_courses


class TrainingBoardRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def all_courses(self, status: str | None, offset: int,
                          limit: int) -> tuple[list[CourseInfo], int]:
        """Newest first, optionally of one status; and how many there are in all."""
        where = [Course.status == status] if status else []
        async with self._db.session() as session:
            ids = list((await session.execute(
                select(Course.id).where(*where).order_by(Course.id.desc())
                .offset(offset).limit(limit))).scalars())
            total = (await session.execute(
                select(func.count()).select_from(Course).where(*where))).scalar_one()
            courses = await read_courses(session, [Course.id.in_(ids)]) if ids else []
            return sorted(courses, key=lambda c: -c.id), int(total)
