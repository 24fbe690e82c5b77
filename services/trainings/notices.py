"""Sends the notices owed to registrants (moved up, course changed, course cancelled).

The rows are written with the change itself; this sends what is pending, claiming each row
first, so a restart half-way through telling a course's registrants tells the rest, once.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from services.texts import Texts
from services.trainings.clock import Clock
from services.trainings.display import local_time, session_when, sessions_view
from services.trainings.ics import calendar_filename, course_calendar
from services.trainings.messenger import SendOutcome, TrainingMessenger
from storage.models import ReminderState
from storage.repositories.training_notices import Notice, NoticeRepository
from storage.repositories.training_reminders import ReminderRepository
from storage.repositories.trainings import CourseInfo, TrainingRepository

log = logging.getLogger(__name__)

# Changes after which registrants get the course's calendar file again: a session moved,
# added or removed (services.trainings.sessions).
CALENDAR_FIELDS = frozenset({"sessions", "session_added", "session_removed"})


class NoticeSender:
    def __init__(self, notices: NoticeRepository, courses: TrainingRepository,
                 reminders: ReminderRepository, texts: Texts, clock: Clock,
                 zone: ZoneInfo) -> None:
        self.notices = notices
        self.courses = courses
        self.reminders = reminders
        self.texts = texts
        self.clock = clock
        self.zone = zone

    async def send_pending(self, messenger: TrainingMessenger) -> int:
        sent = 0
        tried: set[int] = set()  # a notice put back for a retry waits for the next wake-up
        while True:
            ids = [i for i in await self.notices.pending_ids() if i not in tried]
            if not ids:
                return sent
            tried.update(ids)
            for notice_id in ids:
                notice = await self.notices.claim(notice_id, self.clock.now())
                if notice is None:  # another process has it
                    continue
                state = await self._send(messenger, notice)
                await self.notices.finish(notice.id, state, self.clock.now())
                sent += state == ReminderState.SENT

    async def _send(self, messenger: TrainingMessenger, notice: Notice) -> str:
        course = await self.courses.get_course(notice.course_id)
        if course is None:
            return ReminderState.DROPPED
        locales = await self.reminders.locales_of([notice.telegram_id])
        locale = locales.get(notice.telegram_id) or self.texts.default_locale
        html = self._render(notice, course, locale)
        outcome = await messenger.send(notice.telegram_id, html)
        calendar = notice.kind == "promoted" or (notice.kind == "changed"
                                                 and notice.field in CALENDAR_FIELDS)
        if outcome == SendOutcome.SENT and calendar:
            # The file carries the same event ids, so calendars update the old entries.
            await messenger.send_file(
                notice.telegram_id, calendar_filename(course),
                course_calendar(course, self.zone, self.clock.now()),
                self.texts.html(locale, "trainings.calendar_caption", title=course.title))
        log.info("notice %s (%s of course %s) to %s: %s", notice.id, notice.kind,
                 notice.course_id, notice.telegram_id, outcome)
        if outcome == SendOutcome.SENT:
            return ReminderState.SENT
        return ReminderState.PENDING if outcome == SendOutcome.RETRY else ReminderState.FAILED

    def _render(self, notice: Notice, course: CourseInfo, locale: str) -> str:
        if notice.kind == "promoted":
            return self.texts.render(locale, "trainings_promoted", course=course,
                                     sessions=sessions_view(course, self.zone, locale))
        if notice.kind == "cancelled":
            return self.texts.render(locale, "trainings_course_cancelled", course=course)
        session = next((s for s in course.sessions if s.id == notice.session_id), None)
        return self.texts.render(
            locale, "trainings_changed", course=course, field=notice.field, session=session,
            sessions=sessions_view(course, self.zone, locale),
            when=session_when(session, self.zone, locale) if session else None,
            deadline=local_time(course.registration_deadline, self.zone, locale))
