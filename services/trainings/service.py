"""Courses and places: creating and changing courses, registering, the waitlist, attendance.

TrainingService is the front door: staff's actions (create_course, edit, reschedule,
cancel_course, mark_attendance) take the actor, check them, change, write the audit entry,
store the notices registrants are owed and ask for them to be sent (where a bot runs), alike
for the bot, the console and the CLI. It
works with two collaborators: CourseChanges (course_changes.py: what a change to an open
course does) and ReminderPlanner (reminder_planning.py: every change to who holds a place
re-plans the course's reminder rows, so what the dispatcher finds in the database is always
what should be sent).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.actors import Actor, record_action
from services.audit import AuditLog
from services.trainings.board import TrainingBoard
from services.trainings.clock import Clock
from services.trainings.course_changes import EDITABLE, Change, CourseChanges, session_at
from services.trainings.courses import CoursePlan
from services.trainings.offsets import Offset
from services.trainings.refusals import REFUSAL_KEYS, TrainingRefusal, open_course
from services.trainings.reminder_planning import ReminderPlanner
from storage.models import RegistrationStatus, Role
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


class TrainingService:
    def __init__(self, repository: TrainingRepository, reminders: ReminderRepository,
                 notices: NoticeRepository, clock: Clock, zone: ZoneInfo,
                 session_offsets: tuple[Offset, ...], exam_offsets: tuple[Offset, ...],
                 exam_date: date | None, *, audit: AuditLog, board: TrainingBoard,
                 sessions: TrainingSessionRepository,
                 send_notices: Callable[[], None] | None = None) -> None:
        """`send_notices`: starts sending the stored notices off the caller's path (the bot's
        scheduler); None in a process with no bot (the CLI), whose notices stay stored until
        the running bot's dispatcher wakes."""
        # Imported here: CourseSessions works through this service's own doors (and its
        # module imports this one), so the service makes it, complete, with itself.
        from services.trainings.sessions import CourseSessions

        self.repository = repository
        self.reminders = reminders
        self.notices = notices
        self.clock = clock
        self.zone = zone
        self._audit = audit
        self._send_notices = send_notices
        self.planner = ReminderPlanner(repository, reminders, clock, zone, session_offsets,
                                       exam_offsets, exam_date)
        self.changes = CourseChanges(repository, notices, self.planner, clock, zone)
        self.board = board  # the web console's paged list of courses
        # Sessions added to or removed from an open course (the console's course page).
        self.sessions = CourseSessions(self, sessions)

    @property
    def exam_date(self) -> date | None:
        """The national exam's date: one value, the planner's (it plans the exam reminders)."""
        return self.planner.exam_date

    @exam_date.setter
    def exam_date(self, value: date | None) -> None:
        self.planner.exam_date = value

    def ask_for_notices(self) -> None:
        """Has the notices a change just stored sent soon (not at the next wake-up)."""
        if self._send_notices is not None:
            self._send_notices()

    # -- staff's front doors --------------------------------------------------------------

    async def create_course(self, actor: Actor, plan: CoursePlan, *,
                            file: str | None = None) -> int:
        """Stores a checked course (the staff dialog, the console's form, a course file)."""
        actor.require_staff()
        # The command line has no Telegram account: its courses have no creator (as before).
        course_id = await self.create(plan, actor.telegram_id or None)
        detail: dict[str, Any] = {"title": plan.title, "sessions": len(plan.sessions),
                                  "capacity": plan.capacity}
        if file is not None:
            detail["file"] = file
        await self._record(actor, "trainings.create", course_id, detail)
        return course_id

    async def edit(self, actor: Actor, course_id: int, field: str, raw: str) -> Change:
        """/training_edit: title, description, capacity, deadline, or "place N PLACE"."""
        actor.require_staff()
        change = await self.changes.edit(course_id, field, raw)
        if field == "place":
            number, _, place = raw.strip().partition(" ")
            await self._record(actor, "trainings.place", course_id, {
                "session": int(number), "place": place.strip(), "told": _told(change)})
        else:
            await self._record(actor, "trainings.edit", course_id, {
                "field": field, "value": raw, "told": _told(change)})
        self.ask_for_notices()
        return change

    async def reschedule(self, actor: Actor, course_id: int, position: int,
                         line: str) -> Change:
        """/training_move: session `position` to "2026-12-06 09:00-12:00"."""
        actor.require_staff()
        change = await self.changes.reschedule(course_id, position, line)
        await self._record(actor, "trainings.reschedule", course_id, {
            "session": position, "to": line, "told": _told(change)})
        self.ask_for_notices()
        return change

    async def cancel_course(self, actor: Actor, course_id: int
                            ) -> tuple[CourseInfo, list[int]]:
        """Cancels it for good: reminders go, everyone who held or wanted a place is told
        (returned)."""
        actor.require_staff()
        course, people = await self.changes.cancel_course(course_id)
        await self._record(actor, "trainings.cancel", course_id,
                           {"title": course.title, "told": len(people)})
        self.ask_for_notices()
        return course, people

    async def mark_attendance(self, actor: Actor, course_id: int, position: int,
                              telegram_id: int) -> bool:
        """Marks a registrant present at session `position`; True (and audited) the first
        time."""
        actor.require_staff()
        course = await self.open_course(course_id)
        session = session_at(course, position)
        status, _ = await self.repository.places.status_of(course_id, telegram_id)
        if status != RegistrationStatus.REGISTERED:
            raise TrainingRefusal("trainings.refused.not_registered")
        first = await self.repository.places.record_attendance(
            session.id, telegram_id, self.clock.now(), actor.telegram_id)
        if first:
            await self._record(actor, "trainings.attendance", course_id,
                               {"session": position, "person": telegram_id})
        return first

    async def _record(self, actor: Actor, action: str, course_id: int,
                      detail: Mapping[str, Any]) -> None:
        await record_action(self._audit, actor, action, f"course {course_id}", detail)

    # -- reminders --------------------------------------------------------------------------

    async def plan_reminders(self, course_id: int, people: Iterable[int] | None = None) -> None:
        await self.planner.plan_reminders(course_id, people)

    async def replan_open_courses(self) -> None:
        await self.planner.replan_open_courses()

    # -- courses --------------------------------------------------------------------------

    async def create(self, plan: CoursePlan, created_by: int | None) -> int:
        """Stores a course with no one acting (the demo world, tests); people's courses come
        through create_course."""
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
        return await open_course(self.repository, course_id)

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
        return await self.repository.places.registrants(course_id, with_history=with_history)

    async def status_of(self, course_id: int, telegram_id: int) -> tuple[str | None, int]:
        return await self.repository.places.status_of(course_id, telegram_id)

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
        change = await self.repository.places.register(course_id, telegram_id,
                                                       self.clock.now())
        if change.previous is None and change.status == RegistrationStatus.REGISTERED:
            await self.planner.plan_registration(course, telegram_id)
        log.info("course %s: %s is %s", course_id, telegram_id, change.status)
        return course, change

    async def cancel(self, course_id: int, telegram_id: int) -> PlaceChange:
        """Gives the place back; the first on the waitlist takes it and is told."""
        await self.open_course(course_id)
        change = await self.repository.places.cancel(course_id, telegram_id, self.clock.now())
        if change.previous == RegistrationStatus.REGISTERED:
            moved = [telegram_id] + ([change.promoted] if change.promoted else [])
            await self.plan_reminders(course_id, moved)
        if change.promoted is not None:
            self.ask_for_notices()
        log.info("course %s: %s cancelled (was %s), promoted %s", course_id, telegram_id,
                 change.previous, change.promoted)
        return change

    async def skip_session(self, session_id: int, telegram_id: int
                           ) -> tuple[CourseInfo, SessionInfo, bool]:
        """Notes that a registrant cannot come to one session (before it begins): the place
        on the course stays theirs, that session's reminders stop. True when first noted."""
        course, session = await self._find_session(session_id)
        status, _ = await self.repository.places.status_of(course.id, telegram_id)
        if status != RegistrationStatus.REGISTERED:
            raise TrainingRefusal("trainings.refused.not_registered")
        now = self.clock.now()
        if session.starts_at <= now:
            raise TrainingRefusal("trainings.refused.session_started")
        first = await self.repository.absence_notices.note_absence(session_id, telegram_id, now)
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
        status, _ = await self.repository.places.status_of(course.id, telegram_id)
        if status != RegistrationStatus.REGISTERED:
            raise TrainingRefusal("trainings.refused.not_registered")
        if session.starts_at <= self.clock.now():
            raise TrainingRefusal("trainings.refused.session_started")
        withdrawn = await self.repository.absence_notices.withdraw_absence(session_id, telegram_id)
        if withdrawn:
            await self.plan_reminders(course.id, [telegram_id])
        return course, session, withdrawn

    async def absent_sessions(self, course_id: int, telegram_id: int) -> set[int]:
        """Ids of the course's sessions the person said they cannot come to."""
        return (await self.repository.absence_notices.absences(course_id)).get(telegram_id, set())

    def next_session(self, course: CourseInfo) -> SessionInfo | None:
        """The first session not yet begun (what an older reminder's button meant)."""
        now = self.clock.now()
        return next((s for s in course.sessions if s.starts_at > now), None)

    async def check_in(self, session_id: int, telegram_id: int) -> tuple[CourseInfo, bool]:
        """Self check-in, only while the session's window is open and only with a place."""
        course, session = await self._find_session(session_id)
        status, _ = await self.repository.places.status_of(course.id, telegram_id)
        if status != RegistrationStatus.REGISTERED:
            raise TrainingRefusal("trainings.refused.not_registered")
        now = self.clock.now()
        if not session.starts_at - CHECK_IN_OPENS <= now <= session.ends_at:
            raise TrainingRefusal("trainings.refused.check_in_closed")
        first = await self.repository.places.record_attendance(session_id, telegram_id, now, None)
        return course, first

    def check_in_open(self, session: SessionInfo) -> bool:
        now = self.clock.now()
        return session.starts_at - CHECK_IN_OPENS <= now <= session.ends_at

    async def _find_session(self, session_id: int) -> tuple[CourseInfo, SessionInfo]:
        for course in await self.repository.open_courses_with_session(session_id):
            for session in course.sessions:
                if session.id == session_id:
                    return course, session
        raise TrainingRefusal("trainings.refused.unavailable")


def _told(change: Change) -> int:
    """Registrants owed a notice of the change, those moved up from the waitlist included."""
    return change.told + len(change.promoted)
