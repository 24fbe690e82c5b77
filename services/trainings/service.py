"""Courses and places: creating and changing courses, registering, the waitlist, attendance.

Every change to who holds a place re-plans the course's reminder rows, so what the
dispatcher finds in the database is always what should be sent. Staff's changes to a course
are in course_changes, the planning of reminder rows in reminder_planning.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from services.trainings.board import TrainingBoard
from services.trainings.clock import Clock
from services.trainings.course_changes import EDITABLE, Change, CourseChanges, session_at
from services.trainings.courses import CoursePlan
from services.trainings.offsets import Offset
from services.trainings.reminder_planning import ReminderPlanning
from storage.models import CourseStatus, RegistrationStatus, Role
from storage.repositories.training_notices import NoticeRepository
from storage.repositories.training_reminders import ReminderRepository
from storage.repositories.training_sessions import TrainingSessionRepository
from storage.repositories.trainings import (
    CourseInfo,
    NewCourse,
    PlaceChange,
    Registrant,
    SessionInfo,
    TrainingRepository,
)

# Imported from here by the handlers, the console and the other training services.
__all__ = ["CHECK_IN_OPENS", "EDITABLE", "REFUSAL_KEYS", "Change", "TrainingRefusal",
           "TrainingService"]

log = logging.getLogger(__name__)

# Check-in opens this long before a session starts and closes when it ends.
CHECK_IN_OPENS = timedelta(minutes=30)
# Who may register for a course of each audience (staff may join any, to try it out).
_AUDIENCE_ROLES = {
    "everyone": frozenset(Role),
    "social_workers": frozenset({Role.SOCIAL_WORKER, Role.EXPERT, Role.STAFF, Role.ADMIN}),
    "organisations": frozenset({Role.SOCIAL_WORKER, Role.EXPERT, Role.STAFF, Role.ADMIN}),
}
REFUSAL_KEYS = frozenset({
    "trainings.refused.unavailable", "trainings.refused.closed", "trainings.refused.audience",
    "trainings.refused.not_registered", "trainings.refused.check_in_closed",
    "trainings.refused.session_started",
})


class TrainingRefusal(Exception):
    """The action is not possible now; `reason` is the text key telling the person why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TrainingService(CourseChanges, ReminderPlanning):
    def __init__(self, repository: TrainingRepository, reminders: ReminderRepository,
                 notices: NoticeRepository, clock: Clock, zone: ZoneInfo,
                 session_offsets: tuple[Offset, ...], exam_offsets: tuple[Offset, ...],
                 exam_date: date | None, *, board: TrainingBoard,
                 sessions: TrainingSessionRepository) -> None:
        # Imported here: CourseSessions works through this service's own doors (and its
        # module imports this one), so the service makes it, complete, with itself.
        from services.trainings.sessions import CourseSessions

        self.repository = repository
        self.reminders = reminders
        self.notices = notices
        self.clock = clock
        self.zone = zone
        self.session_offsets = session_offsets
        self.exam_offsets = exam_offsets
        self.exam_date = exam_date
        self.board = board  # the web console's paged list of courses
        # Sessions added to or removed from an open course (the console's course page).
        self.sessions = CourseSessions(self, sessions)

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

    async def registrants(self, course_id: int, *, with_history: bool = False
                          ) -> list[Registrant]:
        """with_history: also who attended and cancelled later (for exports)."""
        return await self.repository.registrants(course_id, with_history=with_history)

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
            absent = (await self.repository.absences(course_id)).get(telegram_id, set())
            await self.reminders.plan(course_id, self._reminders_of(course, telegram_id, absent),
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

    async def skip_session(self, session_id: int, telegram_id: int
                           ) -> tuple[CourseInfo, SessionInfo, bool]:
        """Notes that a registrant cannot come to one session (before it begins): the place
        on the course stays theirs, that session's reminders stop. True when first noted."""
        course, session = await self._find_session(session_id)
        status, _ = await self.repository.status_of(course.id, telegram_id)
        if status != RegistrationStatus.REGISTERED:
            raise TrainingRefusal("trainings.refused.not_registered")
        now = self.clock.now()
        if session.starts_at <= now:
            raise TrainingRefusal("trainings.refused.session_started")
        first = await self.repository.note_absence(session_id, telegram_id, now)
        if first:
            await self.plan_reminders(course.id, [telegram_id])
        log.info("course %s: %s cannot come to session %s", course.id, telegram_id,
                 session.position)
        return course, session, first

    async def come_after_all(self, session_id: int, telegram_id: int
                             ) -> tuple[CourseInfo, SessionInfo, bool]:
        """Takes an absence notice back while the session has not begun: its reminders are
        planned again. True when there was a notice to take back."""
        course, session = await self._find_session(session_id)
        status, _ = await self.repository.status_of(course.id, telegram_id)
        if status != RegistrationStatus.REGISTERED:
            raise TrainingRefusal("trainings.refused.not_registered")
        if session.starts_at <= self.clock.now():
            raise TrainingRefusal("trainings.refused.session_started")
        withdrawn = await self.repository.withdraw_absence(session_id, telegram_id)
        if withdrawn:
            await self.plan_reminders(course.id, [telegram_id])
        return course, session, withdrawn

    async def absent_sessions(self, course_id: int, telegram_id: int) -> set[int]:
        """Ids of the course's sessions the person said they cannot come to."""
        return (await self.repository.absences(course_id)).get(telegram_id, set())

    def next_session(self, course: CourseInfo) -> SessionInfo | None:
        """The first session not yet begun (what an older reminder's button meant)."""
        now = self.clock.now()
        return next((s for s in course.sessions if s.starts_at > now), None)

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
        session = session_at(course, position)
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
