"""Planning a course's reminder rows: before each session, and before the national exam for
exam-preparation courses. Every change to who holds a place re-plans the course's rows, so
what the dispatcher finds in the database is always what should be sent."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from services.trainings.clock import Clock
from services.trainings.offsets import Offset
from storage.models import CourseStatus
from storage.repositories.training_reminders import PlannedReminder, ReminderRepository
from storage.repositories.trainings import CourseInfo, TrainingRepository

# The national exam begins in the morning; reminders "7 days before" count from 09:00 local.
EXAM_STARTS = time(9, 0)


class ReminderPlanner:
    """TrainingService's planner: what reminder rows each registrant is owed."""

    def __init__(self, courses: TrainingRepository, reminders: ReminderRepository,
                 clock: Clock, zone: ZoneInfo, session_offsets: tuple[Offset, ...],
                 exam_offsets: tuple[Offset, ...], exam_date: date | None) -> None:
        self.repository = courses
        self.reminders = reminders
        self.clock = clock
        self.zone = zone
        self.session_offsets = session_offsets
        self.exam_offsets = exam_offsets
        self.exam_date = exam_date

    async def replan_open_courses(self) -> None:
        for course in await self.repository.open_courses_after(self.clock.now()):
            await self.plan_reminders(course.id)

    async def plan_registration(self, course: CourseInfo, telegram_id: int) -> None:
        """A new registrant's rows (only theirs change; the course was just read)."""
        absent = (await self.repository.absence_notices.absences(course.id)).get(telegram_id,
                                                                                  set())
        await self.reminders.plan(course.id, self.reminders_of(course, telegram_id, absent),
                                  self.clock.now(), [telegram_id])

    async def plan_reminders(self, course_id: int, people: Iterable[int] | None = None) -> None:
        """Re-plans the course's reminder rows: of `people` after their places changed (a
        registration touches only its own rows), of everyone after a course-wide change."""
        course = await self.repository.get_course(course_id)
        if course is None:
            return
        subset = set(people) if people is not None else None
        wanted: list[PlannedReminder] = []
        if course.status == CourseStatus.OPEN:
            registered = await self.repository.places.registered_people(course_id)
            absences = await self.repository.absence_notices.absences(course_id)
            for person in registered:
                if subset is None or person in subset:
                    wanted += self.reminders_of(course, person, absences.get(person, set()))
        await self.reminders.plan(course_id, wanted, self.clock.now(), subset)

    def reminders_of(self, course: CourseInfo, person: int,
                      absent: set[int]) -> list[PlannedReminder]:
        """The person's reminders: before each session but those they said they will miss."""
        wanted = [PlannedReminder(person, f"s{session.id}", session.id, offset.label,
                                  session.starts_at - offset.delta, session.starts_at)
                  for session in course.sessions if session.id not in absent
                  for offset in self.session_offsets]
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

