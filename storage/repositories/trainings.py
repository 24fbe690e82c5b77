"""Courses, sessions, registrations and attendance (reminder rows: training_reminders.py).

Changes to one course's places run in one transaction that first touches the course row:
that takes SQLite's write lock and PostgreSQL's row lock at once, so two people pressing
"Register" for the last place at the same moment cannot both get it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import (
    Attendance,
    Course,
    CourseSession,
    CourseStatus,
    Registration,
    RegistrationStatus,
    ReminderState,
    TrainingNotice,
    TrainingReminder,
    User,
)
from storage.upsert import insert_ignoring_conflicts


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: int
    position: int
    starts_at: datetime
    ends_at: datetime
    place: str


@dataclass(frozen=True, slots=True)
class CourseInfo:
    id: int
    title: str
    kind: str
    description: str
    capacity: int
    registration_deadline: datetime
    audience: str
    status: str
    sessions: tuple[SessionInfo, ...]
    registered: int
    waitlisted: int

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.registered)

    @property
    def starts_at(self) -> datetime:
        return self.sessions[0].starts_at

    @property
    def ends_at(self) -> datetime:
        return max(session.ends_at for session in self.sessions)


@dataclass(frozen=True, slots=True)
class NewCourse:
    title: str
    kind: str
    description: str
    capacity: int
    registration_deadline: datetime
    audience: str
    sessions: tuple[tuple[datetime, datetime, str], ...]
    created_by: int | None


@dataclass(frozen=True, slots=True)
class PlaceChange:
    """What a registration or cancellation did: the person's status, and who moved up."""

    status: str | None
    previous: str | None
    waitlist_position: int = 0
    promoted: int | None = None


@dataclass(frozen=True, slots=True)
class Registrant:
    telegram_id: int
    name: str
    username: str | None
    status: str
    requested_at: datetime
    attended_sessions: tuple[int, ...]


def _notice(course_id: int, telegram_id: int, kind: str, now: datetime) -> TrainingNotice:
    return TrainingNotice(course_id=course_id, telegram_id=telegram_id, kind=kind,
                          created_at=now)


class TrainingRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    # -- courses --------------------------------------------------------------------------

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
            courses = await self._courses(session, [Course.id == course_id])
            return courses[0] if courses else None

    async def open_courses(self, now: datetime) -> list[CourseInfo]:
        async with self._db.session() as session:
            return await self._courses(session, [Course.status == CourseStatus.OPEN,
                                                 Course.registration_deadline > now])

    async def open_courses_after(self, now: datetime) -> list[CourseInfo]:
        """Open courses not yet over (their reminders may still matter)."""
        async with self._db.session() as session:
            ids = select(CourseSession.course_id).where(CourseSession.ends_at > now)
            return await self._courses(session, [Course.status == CourseStatus.OPEN,
                                                 Course.id.in_(ids.scalar_subquery())])

    async def open_courses_with_session(self, session_id: int) -> list[CourseInfo]:
        async with self._db.session() as session:
            course_id = select(CourseSession.course_id).where(CourseSession.id == session_id)
            return await self._courses(session, [Course.id.in_(course_id.scalar_subquery()),
                                                 Course.status == CourseStatus.OPEN])

    async def courses_of_kind(self, kind: str, now: datetime) -> list[CourseInfo]:
        async with self._db.session() as session:
            courses = await self._courses(session, [Course.status == CourseStatus.OPEN,
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
            courses = await self._courses(session, [Course.id.in_(status),
                                                    Course.status == CourseStatus.OPEN])
            result = []
            for course in courses:
                position = await self._position(session, course.id, telegram_id)
                result.append((course, status[course.id], position))
            return result

    async def _courses(self, session: AsyncSession, where: list) -> list[CourseInfo]:
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

    async def update_course(self, course_id: int, **values: object) -> None:
        async with self._db.session() as session:
            await session.execute(update(Course).where(Course.id == course_id).values(**values))

    async def set_capacity(self, course_id: int, capacity: int,
                           now: datetime) -> tuple[int, list[int]]:
        """Changes the capacity (never below those registered); returns (registered now,
        people promoted from the waitlist into the new places)."""
        async with self._db.session() as session:
            await self._lock(session, course_id)
            registered = await self._count(session, course_id, RegistrationStatus.REGISTERED)
            if capacity < registered:
                return registered, []
            await session.execute(update(Course).where(Course.id == course_id)
                                  .values(capacity=capacity))
            promoted = []
            for _ in range(capacity - registered):
                person = await self._promote_first(session, course_id)
                if person is None:
                    break
                session.add(_notice(course_id, person, "promoted", now))
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
                session.add(_notice(course_id, person, "cancelled", now))
            return people

    # -- places ---------------------------------------------------------------------------

    async def register(self, course_id: int, telegram_id: int, now: datetime) -> PlaceChange:
        async with self._db.session() as session:
            capacity = await self._lock(session, course_id)
            row = (await session.execute(select(Registration).where(
                Registration.course_id == course_id,
                Registration.telegram_id == telegram_id))).scalar_one_or_none()
            if row is not None and row.status != RegistrationStatus.CANCELLED:
                position = await self._position(session, course_id, telegram_id)
                return PlaceChange(row.status, row.status, position)
            registered = await self._count(session, course_id, RegistrationStatus.REGISTERED)
            waiting = await self._count(session, course_id, RegistrationStatus.WAITLISTED)
            status = (RegistrationStatus.REGISTERED if registered < capacity and not waiting
                      else RegistrationStatus.WAITLISTED)
            if row is None:
                session.add(Registration(course_id=course_id, telegram_id=telegram_id,
                                         status=status, requested_at=now, updated_at=now))
            else:
                row.status, row.requested_at, row.updated_at = status, now, now
            await session.flush()
            position = await self._position(session, course_id, telegram_id)
            return PlaceChange(status, None, position)

    async def cancel(self, course_id: int, telegram_id: int, now: datetime) -> PlaceChange:
        async with self._db.session() as session:
            await self._lock(session, course_id)
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
                promoted = await self._promote_first(session, course_id)
                if promoted is not None:  # told in the same transaction that moved them up
                    session.add(_notice(course_id, promoted, "promoted", now))
            return PlaceChange(RegistrationStatus.CANCELLED, previous, promoted=promoted)

    async def status_of(self, course_id: int, telegram_id: int) -> tuple[str | None, int]:
        async with self._db.session() as session:
            status = (await session.execute(select(Registration.status).where(
                Registration.course_id == course_id,
                Registration.telegram_id == telegram_id))).scalar_one_or_none()
            return status, await self._position(session, course_id, telegram_id)

    async def registered_people(self, course_id: int) -> list[int]:
        async with self._db.session() as session:
            return list((await session.execute(select(Registration.telegram_id).where(
                Registration.course_id == course_id,
                Registration.status == RegistrationStatus.REGISTERED)
                .order_by(Registration.requested_at, Registration.id))).scalars())

    async def registrants(self, course_id: int) -> list[Registrant]:
        async with self._db.session() as session:
            rows = (await session.execute(
                select(Registration, User).join(User, User.telegram_id == Registration.telegram_id)
                .where(Registration.course_id == course_id,
                       Registration.status != RegistrationStatus.CANCELLED)
                .order_by(Registration.status, Registration.requested_at, Registration.id))).all()
            attended: dict[int, list[int]] = {}
            for telegram_id, position in (await session.execute(
                    select(Attendance.telegram_id, CourseSession.position)
                    .join(CourseSession, CourseSession.id == Attendance.session_id)
                    .where(CourseSession.course_id == course_id)
                    .order_by(CourseSession.position))).all():
                attended.setdefault(telegram_id, []).append(position)
            return [
                Registrant(
                    telegram_id=user.telegram_id,
                    name=" ".join(p for p in (user.first_name, user.last_name) if p),
                    username=user.username, status=registration.status,
                    requested_at=as_utc(registration.requested_at),
                    attended_sessions=tuple(attended.get(user.telegram_id, ())),
                )
                for registration, user in rows
            ]

    async def record_attendance(self, session_id: int, telegram_id: int, now: datetime,
                                marked_by: int | None) -> bool:
        """True when this is the first check-in for that person and session."""
        async with self._db.session() as session:
            result = await session.execute(insert_ignoring_conflicts(session, Attendance, [{
                "session_id": session_id, "telegram_id": telegram_id,
                "marked_by": marked_by, "checked_in_at": now}]))
            return result.rowcount == 1

    async def _lock(self, session: AsyncSession, course_id: int) -> int:
        """Touches the course row (the write lock) and returns its capacity."""
        await session.execute(update(Course).where(Course.id == course_id)
                              .values(capacity=Course.capacity))
        return (await session.execute(select(Course.capacity)
                                      .where(Course.id == course_id))).scalar_one()

    @staticmethod
    async def _count(session: AsyncSession, course_id: int, status: str) -> int:
        return (await session.execute(select(func.count()).select_from(Registration).where(
            Registration.course_id == course_id, Registration.status == status))).scalar_one()

    @staticmethod
    async def _position(session: AsyncSession, course_id: int, telegram_id: int) -> int:
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

    @staticmethod
    async def _promote_first(session: AsyncSession, course_id: int) -> int | None:
        first = (await session.execute(select(Registration).where(
            Registration.course_id == course_id,
            Registration.status == RegistrationStatus.WAITLISTED)
            .order_by(Registration.requested_at, Registration.id).limit(1))).scalar_one_or_none()
        if first is None:
            return None
        first.status = RegistrationStatus.REGISTERED
        await session.flush()
        return first.telegram_id
