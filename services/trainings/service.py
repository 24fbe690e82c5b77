"""Courses and places: creating and changing courses, registering, the waitlist, attendance.

Every change to who holds a place re-plans the course's reminder rows, so what the
dispatcher finds in the database is always what should be sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.trainings.clock import Clock
from services.trainings.courses import (
    DESCRIPTION_MAX,
    PLACE_MAX,
    TITLE_MAX,
    CourseInputError,
    CoursePlan,
    clean_capacity,
    clean_text,
    parse_datetime,
    parse_session_lines,
)
from services.trainings.offsets import Offset
from storage.models import CourseStatus, RegistrationStatus, Role
from storage.repositories.training_notices import NoticeRepository
from storage.repositories.training_reminders import PlannedReminder, ReminderRepository
from storage.repositories.trainings import (
    CourseInfo,
    NewCourse,
    PlaceChange,
    Registrant,
    SessionInfo,
    TrainingRepository,
)

log = logging.getLogger(__name__)

# The national exam begins in the morning; reminders "7 days before" count from 09:00 local.
EXAM_STARTS = time(9, 0)
# Check-in opens this long before a session starts and closes when it ends.
CHECK_IN_OPENS = timedelta(minutes=30)
# Who may register for a course of each audience (staff may join any, to try it out).
_AUDIENCE_ROLES = {
    "everyone": frozenset(Role),
    "social_workers": frozenset({Role.SOCIAL_WORKER, Role.EXPERT, Role.STAFF, Role.ADMIN}),
    "organisations": frozenset({Role.SOCIAL_WORKER, Role.EXPERT, Role.STAFF, Role.ADMIN}),
}
EDITABLE = ("title", "description", "capacity", "deadline", "place")
REFUSAL_KEYS = frozenset({
    "trainings.refused.unavailable", "trainings.refused.closed", "trainings.refused.audience",
    "trainings.refused.not_registered", "trainings.refused.check_in_closed",
})


class TrainingRefusal(Exception):
    """The action is not possible now; `reason` is the text key telling the person why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Change:
    """What staff changed, for the message to every registrant."""

    course: CourseInfo
    field: str
    session: SessionInfo | None = None
    promoted: tuple[int, ...] = ()
    told: int = 0  # registrants owed a notice of it (the promoted get their own)


class TrainingService:
    def __init__(self, repository: TrainingRepository, reminders: ReminderRepository,
                 notices: NoticeRepository, clock: Clock, zone: ZoneInfo,
                 session_offsets: tuple[Offset, ...], exam_offsets: tuple[Offset, ...],
                 exam_date: date | None) -> None:
        self.repository = repository
        self.reminders = reminders
        self.notices = notices
        self.clock = clock
        self.zone = zone
        self.session_offsets = session_offsets
        self.exam_offsets = exam_offsets
        self.exam_date = exam_date

    # -- courses --------------------------------------------------------------------------

    async def create(self, plan: CoursePlan, created_by: int | None) -> int:
        course_id = await self.repository.create_course(NewCourse(
            title=plan.title, kind=plan.kind, description=plan.description,
            capacity=plan.capacity, registration_deadline=plan.registration_deadline,
            audience=plan.audience,
            sessions=tuple((s.starts_at, s.ends_at, s.place) for s in plan.sessions),
            created_by=created_by))
        log.info("course %s created by %s: %s", course_id, created_by, plan.title)
        return course_id

    async def course(self, course_id: int) -> CourseInfo | None:
        return await self.repository.get_course(course_id)

    async def open_course(self, course_id: int) -> CourseInfo:
        course = await self.repository.get_course(course_id)
        if course is None or course.status != CourseStatus.OPEN:
            raise TrainingRefusal("trainings.refused.unavailable")
        return course

    async def open_courses(self) -> list[CourseInfo]:
        return await self.repository.open_courses(self.clock.now())

    async def exam_courses(self) -> list[CourseInfo]:
        return await self.repository.courses_of_kind("exam_prep", self.clock.now())

    def exam_countdown(self) -> int | None:
        """Whole days from today (local) to the exam; None when no date is set or it passed."""
        if self.exam_date is None:
            return None
        days = (self.exam_date - self.clock.now().astimezone(self.zone).date()).days
        return days if days >= 0 else None

    async def my_courses(self, telegram_id: int) -> list[tuple[CourseInfo, str, int]]:
        now = self.clock.now()
        mine = await self.repository.courses_of(telegram_id)
        return [entry for entry in mine if entry[0].ends_at > now]

    async def registrants(self, course_id: int) -> list[Registrant]:
        return await self.repository.registrants(course_id)

    async def status_of(self, course_id: int, telegram_id: int) -> tuple[str | None, int]:
        return await self.repository.status_of(course_id, telegram_id)

    # -- places ---------------------------------------------------------------------------

    def may_join(self, course: CourseInfo, roles: frozenset[str]) -> bool:
        allowed = _AUDIENCE_ROLES.get(course.audience, frozenset())
        return bool({role.value for role in allowed} & (roles or {Role.RESIDENT.value}))

    async def register(self, course_id: int, telegram_id: int,
                       roles: frozenset[str]) -> tuple[CourseInfo, PlaceChange]:
        course = await self.open_course(course_id)
        if course.registration_deadline <= self.clock.now():
            raise TrainingRefusal("trainings.refused.closed")
        if not self.may_join(course, roles):
            raise TrainingRefusal("trainings.refused.audience")
        change = await self.repository.register(course_id, telegram_id, self.clock.now())
        if change.previous is None and change.status == RegistrationStatus.REGISTERED:
            # Only this person's rows change; the course was read just above.
            await self.reminders.plan(course_id, self._reminders_of(course, telegram_id),
                                      self.clock.now(), [telegram_id])
        log.info("course %s: %s is %s", course_id, telegram_id, change.status)
        return course, change

    async def cancel(self, course_id: int, telegram_id: int) -> PlaceChange:
        """Gives the place back; the first on the waitlist takes it (the caller tells them)."""
        await self.open_course(course_id)
        change = await self.repository.cancel(course_id, telegram_id, self.clock.now())
        if change.previous == RegistrationStatus.REGISTERED:
            moved = [telegram_id] + ([change.promoted] if change.promoted else [])
            await self.plan_reminders(course_id, moved)
        log.info("course %s: %s cancelled (was %s), promoted %s", course_id, telegram_id,
                 change.previous, change.promoted)
        return change

    async def check_in(self, session_id: int, telegram_id: int) -> tuple[CourseInfo, bool]:
        """Self check-in, only while the session's window is open and only with a place."""
        course, session = await self._find_session(session_id)
        status, _ = await self.repository.status_of(course.id, telegram_id)
        if status != RegistrationStatus.REGISTERED:
            raise TrainingRefusal("trainings.refused.not_registered")
        now = self.clock.now()
        if not session.starts_at - CHECK_IN_OPENS <= now <= session.ends_at:
            raise TrainingRefusal("trainings.refused.check_in_closed")
        first = await self.repository.record_attendance(session_id, telegram_id, now, None)
        return course, first

    def check_in_open(self, session: SessionInfo) -> bool:
        now = self.clock.now()
        return session.starts_at - CHECK_IN_OPENS <= now <= session.ends_at

    async def mark_attendance(self, course_id: int, position: int, telegram_id: int,
                              staff_id: int) -> bool:
        course = await self.open_course(course_id)
        session = _session_at(course, position)
        status, _ = await self.repository.status_of(course_id, telegram_id)
        if status != RegistrationStatus.REGISTERED:
            raise TrainingRefusal("trainings.refused.not_registered")
        return await self.repository.record_attendance(session.id, telegram_id,
                                                       self.clock.now(), staff_id)

    async def _find_session(self, session_id: int) -> tuple[CourseInfo, SessionInfo]:
        for course in await self.repository.open_courses_with_session(session_id):
            for session in course.sessions:
                if session.id == session_id:
                    return course, session
        raise TrainingRefusal("trainings.refused.unavailable")

    # -- staff changes --------------------------------------------------------------------

    async def reschedule(self, course_id: int, position: int, line: str) -> Change:
        """Moves session `position` to "2026-12-06 09:00-12:00" (its place stays)."""
        course = await self.open_course(course_id)
        session = _session_at(course, position)
        try:
            moved = parse_session_lines(f"{line.strip()} {session.place}", self.zone)
        except CourseInputError as error:
            if "line" in error.values:  # the refusal names the session being moved
                error.values["line"] = position
            raise
        if len(moved) != 1:
            raise CourseInputError("sessions", "trainings.error.bad_session_line",
                                   line=position)
        new = moved[0]
        now = self.clock.now()
        if new.starts_at <= now:
            raise CourseInputError("sessions", "trainings.error.in_past")
        first_start = min([new.starts_at] + [s.starts_at for s in course.sessions
                                             if s.id != session.id])
        if course.registration_deadline > first_start:
            raise CourseInputError("deadline", "trainings.error.deadline_after_start")
        await self.repository.reschedule(session.id, new.starts_at, new.ends_at)
        await self.plan_reminders(course_id)
        return await self._announce(Change(await self.open_course(course_id), "sessions",
                                           session))

    async def edit(self, course_id: int, field: str, raw: str) -> Change:
        """One field of an open course: title, description, capacity, deadline, place N."""
        course = await self.open_course(course_id)
        promoted: tuple[int, ...] = ()
        session = None
        if field == "title":
            await self.repository.update_course(course_id, title=clean_text(
                "title", raw, TITLE_MAX))
        elif field == "description":
            await self.repository.update_course(course_id, description=clean_text(
                "description", raw, DESCRIPTION_MAX, required=False))
        elif field == "capacity":
            capacity = clean_capacity(raw, course.registered)
            registered, people = await self.repository.set_capacity(course_id, capacity,
                                                                    self.clock.now())
            clean_capacity(capacity, registered)  # someone registered in between
            promoted = tuple(people)
        elif field == "deadline":
            deadline = parse_datetime("deadline", raw, self.zone)
            if deadline <= self.clock.now():
                raise CourseInputError("deadline", "trainings.error.in_past")
            if deadline > course.starts_at:
                raise CourseInputError("deadline", "trainings.error.deadline_after_start")
            await self.repository.update_course(course_id, registration_deadline=deadline)
        elif field == "place":
            number, _, place = raw.strip().partition(" ")
            if not number.isdigit():
                raise CourseInputError("sessions", "trainings.error.not_a_number")
            session = _session_at(course, int(number))
            await self.repository.move_session(session.id, clean_text("sessions", place,
                                                                      PLACE_MAX))
        else:
            raise CourseInputError("file", "trainings.error.unknown_choice")
        if promoted:
            await self.plan_reminders(course_id, promoted)
        return await self._announce(Change(await self.open_course(course_id), field, session,
                                           promoted))

    async def _announce(self, change: Change) -> Change:
        """Owes every registrant (but those just moved up, told already) a notice."""
        people = [person for person in await self.repository.registered_people(change.course.id)
                  if person not in change.promoted]
        told = await self.notices.add(change.course.id, people, "changed", self.clock.now(),
                                      field=change.field,
                                      session_id=change.session.id if change.session else None)
        return Change(change.course, change.field, change.session, change.promoted, told)

    async def cancel_course(self, course_id: int) -> tuple[CourseInfo, list[int]]:
        course = await self.open_course(course_id)
        people = await self.repository.cancel_course(course_id, self.clock.now())
        log.info("course %s cancelled; %d people to tell", course_id, len(people))
        return course, people

    # -- reminders ------------------------------------------------------------------------

    async def replan_open_courses(self) -> None:
        for course in await self.repository.open_courses_after(self.clock.now()):
            await self.plan_reminders(course.id)

    async def plan_reminders(self, course_id: int, people: Iterable[int] | None = None) -> None:
        """Re-plans the course's reminder rows: of `people` after their places changed (a
        registration touches only its own rows), of everyone after a course-wide change."""
        course = await self.repository.get_course(course_id)
        if course is None:
            return
        subset = set(people) if people is not None else None
        wanted: list[PlannedReminder] = []
        if course.status == CourseStatus.OPEN:
            registered = await self.repository.registered_people(course_id)
            for person in registered:
                if subset is None or person in subset:
                    wanted += self._reminders_of(course, person)
        await self.reminders.plan(course_id, wanted, self.clock.now(), subset)

    def _reminders_of(self, course: CourseInfo, person: int) -> list[PlannedReminder]:
        wanted = [PlannedReminder(person, f"s{session.id}", session.id, offset.label,
                                  session.starts_at - offset.delta, session.starts_at)
                  for session in course.sessions for offset in self.session_offsets]
        exam = self._exam_start()
        if course.kind == "exam_prep" and exam is not None:
            wanted += [PlannedReminder(person, "exam", None, offset.label,
                                       exam - offset.delta, exam)
                       for offset in self.exam_offsets]
        return wanted

    def _exam_start(self) -> datetime | None:
        if self.exam_date is None:
            return None
        # Stored times are UTC (SQLite keeps no zone); zoneinfo works out the offset.
        local = datetime.combine(self.exam_date, EXAM_STARTS, tzinfo=self.zone)
        return local.astimezone(UTC)


def _session_at(course: CourseInfo, position: int) -> SessionInfo:
    for session in course.sessions:
        if session.position == position:
            return session
    raise CourseInputError("sessions", "trainings.error.out_of_range", low=1,
                           high=len(course.sessions))
