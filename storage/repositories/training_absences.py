"""Absence notices: a registrant who cannot come to one session says so, and keeps the place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from storage.db import Database
from storage.models import Absence, CourseSession
from storage.upsert import insert_ignoring_conflicts


class TrainingAbsences:
    """Absence notices of one course's sessions (TrainingRepository.absence_notices)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def note_absence(self, session_id: int, telegram_id: int, now: datetime) -> bool:
        """True when this is the first notice for that person and session."""
        async with self._db.session() as session:
            result = await session.execute(insert_ignoring_conflicts(session, Absence, [{
                "session_id": session_id, "telegram_id": telegram_id, "noted_at": now}]))
            return result.rowcount == 1

    async def withdraw_absence(self, session_id: int, telegram_id: int) -> bool:
        """"I can come after all": True when there was a notice to take back."""
        async with self._db.session() as session:
            result = await session.execute(delete(Absence).where(
                Absence.session_id == session_id, Absence.telegram_id == telegram_id))
            return bool(result.rowcount)

    async def absences(self, course_id: int) -> dict[int, set[int]]:
        """Person -> the ids of the course's sessions they said they cannot come to."""
        async with self._db.session() as session:
            rows = (await session.execute(
                select(Absence.telegram_id, Absence.session_id)
                .join(CourseSession, CourseSession.id == Absence.session_id)
                .where(CourseSession.course_id == course_id))).all()
        noted: dict[int, set[int]] = {}
        for telegram_id, session_id in rows:
            noted.setdefault(telegram_id, set()).add(session_id)
        return noted
