"""Staff's changes to an open course: a session moved, a field edited, the course
cancelled; every registrant is owed a notice of it (those moved up from the waitlist get
their own)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from services.trainings.clock import Clock
from services.trainings.courses import (
    DESCRIPTION_MAX,
    PLACE_MAX,
    TITLE_MAX,
    CourseInputError,
    clean_capacity,
    clean_text,
    parse_datetime,
    parse_session_lines,
)
from services.trainings.refusals import open_course
from services.trainings.reminder_planning import ReminderPlanner
from storage.repositories.training_notices import NoticeRepository
from storage.repositories.trainings import CourseInfo, SessionInfo, TrainingRepository

log = logging.getLogger(__name__)

EDITABLE = ("title", "description", "capacity", "deadline", "place")


@dataclass(frozen=True, slots=True)
class Change:
    """What staff changed, for the message to every registrant."""

    course: CourseInfo
    field: str
    session: SessionInfo | None = None
    promoted: tuple[int, ...] = ()
    told: int = 0  # registrants owed a notice of it (the promoted get their own)


class CourseChanges:
    """TrainingService's changes to an open course; every registrant is owed a notice (the
    planner re-plans their reminders). The service checks who acts and audits."""

    def __init__(self, courses: TrainingRepository, notices: NoticeRepository,
                 planner: ReminderPlanner, clock: Clock, zone: ZoneInfo) -> None:
        self.repository = courses
        self.notices = notices
        self.planner = planner
        self.clock = clock
        self.zone = zone

    async def open_course(self, course_id: int) -> CourseInfo:
        return await open_course(self.repository, course_id)

    async def plan_reminders(self, course_id: int, people: Iterable[int] | None = None) -> None:
        await self.planner.plan_reminders(course_id, people)

    async def reschedule(self, course_id: int, position: int, line: str) -> Change:
        """Moves session `position` to "2026-12-06 09:00-12:00" (its place stays)."""
        course = await self.open_course(course_id)
        session = session_at(course, position)
        try:
            moved = parse_session_lines(f"{line.strip()} {session.place}", self.zone)
        except CourseInputError as error:
            if "line" in error.values:  # the refusal names the session being moved
                raise CourseInputError(error.field, error.key,
                                       **{**error.values, "line": position}) from None
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
            session = session_at(course, int(number))
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
        people = [person for person in
                  await self.repository.places.registered_people(change.course.id)
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

def session_at(course: CourseInfo, position: int) -> SessionInfo:
    for session in course.sessions:
        if session.position == position:
            return session
    raise CourseInputError("sessions", "trainings.error.out_of_range", low=1,
                           high=len(course.sessions))
