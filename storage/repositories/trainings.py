"""Courses and their sessions. TrainingRepository holds, on the same database, `places`
(registrations, the waitlist, attendance: training_places.py) and `absence_notices`
(training_absences.py); reminder rows are training_reminders.py's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import (
    Course,
    CourseSession,
    CourseStatus,
    Registration,
    RegistrationStatus,
    ReminderState,
    TrainingReminder,
)
from storage.repositories.training_absences import TrainingAbsences
from storage.repositories.training_places import (
    TrainingPlaces,
    count_with_status,
    lock_course,
    owed_notice,
    promote_first,
    waitlist_position,
)
from storage.repositories.training_records import (
    CourseInfo,
    NewCourse,
    PlaceChange,
    Registrant,
    SessionInfo,
)
from storage.timestamps import as_utc

# Imported from here by the services, the console and the training board.
__all__ = ["CourseInfo", "NewCourse", "PlaceChange", "Registrant", "SessionInfo",
           "TrainingRepository"]


class TrainingRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        self.places = TrainingPlaces(database)
        self.absence_notices = TrainingAbsences(database)

    async def create_course(self, course: NewCourse) -> int:
        async with self._db.session() as session:
            row = Course(title=course.title, kind=course.kind, description=course.description,
                         capacity=course.capacity,
                         registration_deadline=course.registration_deadline,
                         audience=course.audience, created_by=course.created_by)
            session.add(row)
            await session.flush()
            for position, (starts, ends, place) in enumerate(course.sessions, start=1):
                session.add(CourseSession(course_id=row.id, position=position,
                                          starts_at=starts, ends_at=ends, place=place))
            return row.id

    async def get_course(self, course_id: int) -> CourseInfo | None:
        async with self._db.session() as session:
            courses = await read_courses(session, [Course.id == course_id])
            return courses[0] if courses else None

    async def open_courses(self, now: datetime) -> list[CourseInfo]:
        async with self._db.session() as session:
            return await read_courses(session, [Course.status == CourseStatus.OPEN,
                                                 Course.registration_deadline > now])

    async def open_courses_after(self, now: datetime) -> list[CourseInfo]:
        """Open courses not yet over (their reminders may still matter)."""
        async with self._db.session() as session:
            ids = select(CourseSession.course_id).where(CourseSession.ends_at > now)
            return await read_courses(session, [Course.status == CourseStatus.OPEN,
                                                 Course.id.in_(ids.scalar_subquery())])

    async def open_courses_with_session(self, session_id: int) -> list[CourseInfo]:
        async with self._db.session() as session:
            course_id = select(CourseSession.course_id).where(CourseSession.id == session_id)
            return await read_courses(session, [Course.id.in_(course_id.scalar_subquery()),
                                                 Course.status == CourseStatus.OPEN])

    async def courses_of_kind(self, kind: str, now: datetime) -> list[CourseInfo]:
        async with self._db.session() as session:
            courses = await read_courses(session, [Course.status == CourseStatus.OPEN,
                                                    Course.kind == kind])
            return [course for course in courses if course.ends_at > now]

    async def courses_of(self, telegram_id: int) -> list[tuple[CourseInfo, str, int]]:
        """My courses (not cancelled): each with my status and waitlist position."""
        async with self._db.session() as session:
            mine = (await session.execute(
                select(Registration.course_id, Registration.status).where(
                    Registration.telegram_id == telegram_id,
                    Registration.status != RegistrationStatus.CANCELLED,
                ))).all()
            if not mine:
                return []
            status = dict(mine)
            courses = await read_courses(session, [Course.id.in_(status),
                                                    Course.status == CourseStatus.OPEN])
            result = []
            for course in courses:
                position = await waitlist_position(session, course.id, telegram_id)
                result.append((course, status[course.id], position))
            return result

    async def update_course(self, course_id: int, **values: object) -> None:
        async with self._db.session() as session:
            await session.execute(update(Course).where(Course.id == course_id).values(**values))

    async def set_capacity(self, course_id: int, capacity: int,
                           now: datetime) -> tuple[int, list[int]]:
        """Changes the capacity (never below those registered); returns (registered now,
        people promoted from the waitlist into the new places)."""
        async with self._db.session() as session:
            await lock_course(session, course_id)
            registered = await count_with_status(session, course_id, RegistrationStatus.REGISTERED)
            if capacity < registered:
                return registered, []
            await session.execute(update(Course).where(Course.id == course_id)
                                  .values(capacity=capacity))
            promoted = []
            for _ in range(capacity - registered):
                person = await promote_first(session, course_id)
                if person is None:
                    break
                session.add(owed_notice(course_id, person, "promoted", now))
                promoted.append(person)
            return registered, promoted

    async def reschedule(self, session_id: int, starts_at: datetime, ends_at: datetime) -> None:
        async with self._db.session() as session:
            await session.execute(update(CourseSession).where(CourseSession.id == session_id)
                                  .values(starts_at=starts_at, ends_at=ends_at))

    async def move_session(self, session_id: int, place: str) -> None:
        async with self._db.session() as session:
            await session.execute(update(CourseSession).where(CourseSession.id == session_id)
                                  .values(place=place))

    async def cancel_course(self, course_id: int, now: datetime) -> list[int]:
        """Cancels the course, drops its pending reminders and owes everyone who held or
        wanted a place a notice, all in one transaction; returns those people."""
        async with self._db.session() as session:
            changed = await session.execute(
                update(Course).where(Course.id == course_id, Course.status == CourseStatus.OPEN)
                .values(status=CourseStatus.CANCELLED))
            if changed.rowcount != 1:
                return []
            await session.execute(delete(TrainingReminder).where(
                TrainingReminder.course_id == course_id,
                TrainingReminder.state == ReminderState.PENDING))
            people = list((await session.execute(select(Registration.telegram_id).where(
                Registration.course_id == course_id,
                Registration.status != RegistrationStatus.CANCELLED))).scalars())
            for person in people:
                session.add(owed_notice(course_id, person, "cancelled", now))
            return people


async def read_courses(session: AsyncSession, where: list) -> list[CourseInfo]:
    """The courses matching `where`, each with its sessions and its counts of places."""
    rows = (await session.execute(select(Course).where(*where).order_by(Course.id))).scalars()
    courses = list(rows)
    if not courses:
        return []
    ids = [course.id for course in courses]
    sessions: dict[int, list[SessionInfo]] = {course_id: [] for course_id in ids}
    for row in (await session.execute(
            select(CourseSession).where(CourseSession.course_id.in_(ids))
            .order_by(CourseSession.starts_at, CourseSession.id))).scalars():
        sessions[row.course_id].append(SessionInfo(
            row.id, row.position, as_utc(row.starts_at), as_utc(row.ends_at), row.place))
    counts: dict[tuple[int, str], int] = {}
    for course_id, status, count in (await session.execute(
            select(Registration.course_id, Registration.status, func.count())
            .where(Registration.course_id.in_(ids))
            .group_by(Registration.course_id, Registration.status))).all():
        counts[(course_id, status)] = count
    return [
        CourseInfo(
            id=c.id, title=c.title, kind=c.kind, description=c.description,
            capacity=c.capacity, registration_deadline=as_utc(c.registration_deadline),
            audience=c.audience, status=c.status, sessions=tuple(sessions[c.id]),
            registered=counts.get((c.id, RegistrationStatus.REGISTERED), 0),
            waitlisted=counts.get((c.id, RegistrationStatus.WAITLISTED), 0),
        )
        for c in courses if sessions[c.id]
    ]
