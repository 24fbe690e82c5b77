"""Adding a session to an open course, or removing one, after registration opened.

Registrants are told as after any other change (a "changed" notice per registrant, sent by
the same NoticeSender, with the updated calendar file), and the course's reminder rows are
planned again, so a new session gets its reminders and a removed one loses them.
"""

from __future__ import annotations

import logging

from services.trainings.course_changes import session_at
from services.trainings.courses import (
    SESSIONS_MAX,
    CourseInputError,
    parse_session_lines,
)
from services.trainings.service import CHECK_IN_OPENS, Change, TrainingService
from storage.repositories.training_sessions import TrainingSessionRepository

log = logging.getLogger(__name__)

# TrainingNotice.field values of these changes (the notice template words each).
ADDED, REMOVED = "session_added", "session_removed"
# The refusals of these changes that the course checks do not already have.
OVERLAP = "console_comms.trainings.error.overlap"
BEFORE_DEADLINE = "console_comms.trainings.error.before_deadline"
LAST_SESSION = "console_comms.trainings.error.last_session"
ALREADY_BEGUN = "console_comms.trainings.error.begun"
REFUSAL_KEYS = frozenset({OVERLAP, BEFORE_DEADLINE, LAST_SESSION, ALREADY_BEGUN})


class CourseSessions:
    def __init__(self, trainings: TrainingService, repository: TrainingSessionRepository) -> None:
        self._trainings = trainings
        self._repo = repository

    async def add(self, course_id: int, line: str) -> Change:
        """Adds "2026-12-06 09:00-12:00 Room 301": ahead, after registration closes, not
        overlapping another session, and within the course's limit of sessions."""
        trainings = self._trainings
        course = await trainings.open_course(course_id)
        if len(course.sessions) >= SESSIONS_MAX:
            raise CourseInputError("sessions", "trainings.error.too_many_sessions",
                                   limit=SESSIONS_MAX)
        planned = parse_session_lines(line, trainings.zone)
        if len(planned) != 1:
            raise CourseInputError("sessions", "trainings.error.bad_session_line", line=1)
        new = planned[0]
        if new.starts_at <= trainings.clock.now():
            raise CourseInputError("sessions", "trainings.error.in_past")
        if new.starts_at < course.registration_deadline:
            raise CourseInputError("sessions", BEFORE_DEADLINE)
        clash = next((s for s in course.sessions
                      if s.starts_at < new.ends_at and new.starts_at < s.ends_at), None)
        if clash is not None:
            raise CourseInputError("sessions", OVERLAP, number=clash.position)
        session_id = await self._repo.add(course_id, new.starts_at, new.ends_at, new.place,
                                          SESSIONS_MAX)
        if session_id is None:  # cancelled, or filled up with sessions, meanwhile
            raise CourseInputError("sessions", "trainings.error.too_many_sessions",
                                   limit=SESSIONS_MAX)
        log.info("course %s: session %s added (%s)", course_id, session_id,
                 new.starts_at.isoformat())
        return await self._replanned(course_id, ADDED, session_id)

    async def remove(self, course_id: int, position: int) -> Change:
        """Removes session `position`, unless it is the only one or its check-in opened."""
        trainings = self._trainings
        course = await trainings.open_course(course_id)
        session = session_at(course, position)
        if len(course.sessions) <= 1:
            raise CourseInputError("sessions", LAST_SESSION)
        not_before = trainings.clock.now() + CHECK_IN_OPENS
        if session.starts_at < not_before:
            raise CourseInputError("sessions", ALREADY_BEGUN, number=position)
        if not await self._repo.remove(course_id, session.id, not_before):
            raise CourseInputError("sessions", LAST_SESSION)
        log.info("course %s: session %s (number %s) removed", course_id, session.id, position)
        return await self._replanned(course_id, REMOVED, None)

    async def _replanned(self, course_id: int, field: str, session_id: int | None) -> Change:
        """Reminders planned again for everyone, and every registrant owed a notice."""
        trainings = self._trainings
        await trainings.plan_reminders(course_id)
        course = await trainings.open_course(course_id)
        people = await trainings.repository.places.registered_people(course_id)
        told = await trainings.notices.add(course_id, people, "changed", trainings.clock.now(),
                                           field=field, session_id=session_id)
        trainings.ask_for_notices()
        session = next((s for s in course.sessions if s.id == session_id), None)
        return Change(course, field, session, (), told)
