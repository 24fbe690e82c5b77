"""Registrations, the waitlist and attendance of one course.

Changes to one course's places run in one transaction that first touches the course row:
that takes SQLite's write lock and PostgreSQL's row lock at once, so two people pressing
"Register" for the last place at the same moment cannot both get it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import (
    Absence,
    Attendance,
    Course,
    CourseSession,
    Registration,
    RegistrationStatus,
    TrainingNotice,
    User,
)
from storage.repositories.training_records import PlaceChange, Registrant
from storage.timestamps import as_utc
from storage.upsert import insert_ignoring_conflicts

_STATUS_ORDER = {RegistrationStatus.REGISTERED: 0, RegistrationStatus.WAITLISTED: 1}


def owed_notice(course_id: int, telegram_id: int, kind: str, now: datetime) -> TrainingNotice:
    return TrainingNotice(course_id=course_id, telegram_id=telegram_id, kind=kind,
                          created_at=now)


class TrainingPlaces:
    """Who holds or waits for a place on a course, and who came (TrainingRepository.places)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def register(self, course_id: int, telegram_id: int, now: datetime) -> PlaceChange:
        async with self._db.session() as session:
            capacity = await lock_course(session, course_id)
            row = (await session.execute(select(Registration).where(
                Registration.course_id == course_id,
                Registration.telegram_id == telegram_id))).scalar_one_or_none()
            if row is not None and row.status != RegistrationStatus.CANCELLED:
                position = await waitlist_position(session, course_id, telegram_id)
                return PlaceChange(row.status, row.status, position)
            registered = await count_with_status(session, course_id, RegistrationStatus.REGISTERED)
            waiting = await count_with_status(session, course_id, RegistrationStatus.WAITLISTED)
            status = (RegistrationStatus.REGISTERED if registered < capacity and not waiting
                      else RegistrationStatus.WAITLISTED)
            if row is None:
                session.add(Registration(course_id=course_id, telegram_id=telegram_id,
                                         status=status, requested_at=now, updated_at=now))
            else:
                row.status, row.requested_at, row.updated_at = status, now, now
            await session.flush()
            position = await waitlist_position(session, course_id, telegram_id)
            return PlaceChange(status, None, position)

    async def cancel(self, course_id: int, telegram_id: int, now: datetime) -> PlaceChange:
        async with self._db.session() as session:
            await lock_course(session, course_id)
            row = (await session.execute(select(Registration).where(
                Registration.course_id == course_id,
                Registration.telegram_id == telegram_id))).scalar_one_or_none()
            if row is None or row.status == RegistrationStatus.CANCELLED:
                return PlaceChange(None, None)
            previous = row.status
            row.status, row.updated_at = RegistrationStatus.CANCELLED, now
            await session.flush()
            promoted = None
            if previous == RegistrationStatus.REGISTERED:
                promoted = await promote_first(session, course_id)
                if promoted is not None:  # told in the same transaction that moved them up
                    session.add(owed_notice(course_id, promoted, "promoted", now))
            return PlaceChange(RegistrationStatus.CANCELLED, previous, promoted=promoted)

    async def status_of(self, course_id: int, telegram_id: int) -> tuple[str | None, int]:
        async with self._db.session() as session:
            status = (await session.execute(select(Registration.status).where(
                Registration.course_id == course_id,
                Registration.telegram_id == telegram_id))).scalar_one_or_none()
            return status, await waitlist_position(session, course_id, telegram_id)

    async def registered_people(self, course_id: int) -> list[int]:
        async with self._db.session() as session:
            return list((await session.execute(select(Registration.telegram_id).where(
                Registration.course_id == course_id,
                Registration.status == RegistrationStatus.REGISTERED)
                .order_by(Registration.requested_at, Registration.id))).scalars())

    async def registrants(self, course_id: int, *, with_history: bool = False
                          ) -> list[Registrant]:
        """Who holds or waits for a place; with_history also those who cancelled after
        attending a session (attendance is history: an export keeps it)."""
        async with self._db.session() as session:
            attended = await self._positions(session, Attendance, course_id)
            absent = await self._positions(session, Absence, course_id)
            kept = Registration.status != RegistrationStatus.CANCELLED
            if with_history and attended:
                kept = or_(kept, Registration.telegram_id.in_(list(attended)))
            rows = (await session.execute(
                select(Registration, User).join(User, User.telegram_id == Registration.telegram_id)
                .where(Registration.course_id == course_id, kept)
                .order_by(Registration.status, Registration.requested_at, Registration.id))).all()
            # Those who hold a place, then the waitlist, then who cancelled (history).
            rows.sort(key=lambda row: _STATUS_ORDER.get(row[0].status, len(_STATUS_ORDER)))
            return [
                Registrant(
                    telegram_id=user.telegram_id,
                    name=" ".join(p for p in (user.first_name, user.last_name) if p),
                    username=user.username, status=registration.status,
                    requested_at=as_utc(registration.requested_at),
                    attended_sessions=tuple(attended.get(user.telegram_id, ())),
                    absent_sessions=tuple(absent.get(user.telegram_id, ())),
                )
                for registration, user in rows
            ]

    @staticmethod
    async def _positions(session: AsyncSession, table: type[Attendance] | type[Absence],
                         course_id: int) -> dict[int, list[int]]:
        """Person -> positions of the course's sessions with a row in `table`, in order."""
        found: dict[int, list[int]] = {}
        for telegram_id, position in (await session.execute(
                select(table.telegram_id, CourseSession.position)
                .join(CourseSession, CourseSession.id == table.session_id)
                .where(CourseSession.course_id == course_id)
                .order_by(CourseSession.position))).all():
            found.setdefault(telegram_id, []).append(position)
        return found

    async def record_attendance(self, session_id: int, telegram_id: int, now: datetime,
                                marked_by: int | None) -> bool:
        """True when this is the first check-in for that person and session."""
        async with self._db.session() as session:
            result = await session.execute(insert_ignoring_conflicts(session, Attendance, [{
                "session_id": session_id, "telegram_id": telegram_id,
                "marked_by": marked_by, "checked_in_at": now}]))
            return result.rowcount == 1


async def lock_course(session: AsyncSession, course_id: int) -> int:
    """Touches the course row (the write lock) and returns its capacity."""
    await session.execute(update(Course).where(Course.id == course_id)
                          .values(capacity=Course.capacity))
    return (await session.execute(select(Course.capacity)
                                  .where(Course.id == course_id))).scalar_one()


async def count_with_status(session: AsyncSession, course_id: int, status: str) -> int:
    """How many of the course's registrations have `status`."""
    return (await session.execute(select(func.count()).select_from(Registration).where(
        Registration.course_id == course_id, Registration.status == status))).scalar_one()


async def waitlist_position(session: AsyncSession, course_id: int, telegram_id: int) -> int:
    """1-based place in the waitlist; 0 when not waiting."""
    mine = (await session.execute(select(Registration).where(
        Registration.course_id == course_id, Registration.telegram_id == telegram_id,
        Registration.status == RegistrationStatus.WAITLISTED))).scalar_one_or_none()
    if mine is None:
        return 0
    ahead = (await session.execute(select(func.count()).select_from(Registration).where(
        Registration.course_id == course_id,
        Registration.status == RegistrationStatus.WAITLISTED,
        or_(Registration.requested_at < mine.requested_at,
            and_(Registration.requested_at == mine.requested_at,
                 Registration.id < mine.id))))).scalar_one()
    return ahead + 1


async def promote_first(session: AsyncSession, course_id: int) -> int | None:
    """Moves the first on the waitlist into a place; returns who, or None when nobody waits."""
    first = (await session.execute(select(Registration).where(
        Registration.course_id == course_id,
        Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.requested_at, Registration.id).limit(1))).scalar_one_or_none()
    if first is None:
        return None
    first.status = RegistrationStatus.REGISTERED
    await session.flush()
    return first.telegram_id
