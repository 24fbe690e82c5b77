"""The reminder dispatcher: APScheduler wakes it, the database says what is due.

Each due row is claimed with a single UPDATE ... WHERE state = 'pending' before it is sent,
so two bot processes on one database (or a scheduler run overlapping a manual one) send it
once. A reminder whose session has already begun is dropped with a log line, never sent late.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_timedelta

from services.texts import Texts
from services.trainings.clock import Clock
from services.trainings.display import local_day, session_when
from services.trainings.messenger import SendOutcome, TrainingMessenger
from services.trainings.notices import NoticeSender
from storage.models import CourseStatus, ReminderState
from storage.repositories.training_reminders import DueReminder, ReminderRepository
from storage.repositories.trainings import CourseInfo, TrainingRepository

log = logging.getLogger(__name__)

BATCH = 100
# A claim this old belongs to a process that died mid-send: the row becomes pending again.
STALE_CLAIM = timedelta(minutes=10)


class ReminderDispatcher:
    def __init__(self, courses: TrainingRepository, reminders: ReminderRepository,
                 notices: NoticeSender, texts: Texts, clock: Clock, zone: ZoneInfo,
                 messenger: TrainingMessenger) -> None:
        self.courses = courses
        self.reminders = reminders
        self.notices = notices
        self.texts = texts
        self.clock = clock
        self.zone = zone
        self.messenger = messenger
        # One run at a time in this process (the scheduler's and any other caller's); other
        # processes are kept apart by the claims.
        self._running = asyncio.Lock()

    async def dispatch_due(self) -> int:
        """Sends the notices owed and every reminder due now; returns the reminders sent."""
        async with self._running:
            now = self.clock.now()
            released = (await self.reminders.release_stale_claims(now - STALE_CLAIM)
                        + await self.notices.notices.release_stale_claims(now - STALE_CLAIM))
            if released:
                log.warning("%d claims were stale and are pending again", released)
            await self.notices.send_pending(self.messenger)
            return await self._dispatch()

    async def send_notices(self) -> int:
        """Sends the notices owed now (called right after a change, not to wait for the
        next wake-up); what a crash leaves pending goes out on the next run."""
        async with self._running:
            return await self.notices.send_pending(self.messenger)

    async def _dispatch(self) -> int:
        now = self.clock.now()
        sent = 0
        tried: set[int] = set()  # a row put back for a retry waits for the next wake-up
        while True:
            ids = [i for i in await self.reminders.due_reminder_ids(now, BATCH)
                   if i not in tried]
            tried.update(ids)
            claimed = [due for due in [await self.reminders.claim(i, now) for i in ids] if due]
            if not claimed:
                return sent
            sent += await self._send_batch(claimed)
            if len(ids) < BATCH:
                return sent

    async def _send_batch(self, claimed: list[DueReminder]) -> int:
        # Several reminders of one session due together (the bot was down): only the
        # nearest is worth sending; "1 day before" 30 minutes before the start is noise.
        latest: dict[tuple[int, int, str], DueReminder] = {}
        for due in claimed:
            key = (due.telegram_id, due.course_id, due.target)
            if key not in latest or latest[key].due_at < due.due_at:
                latest[key] = due
        locales = await self.reminders.locales_of({due.telegram_id for due in claimed})
        courses: dict[int, CourseInfo | None] = {}
        sent = 0
        for due in claimed:
            now = self.clock.now()  # a long batch waits for the flood budget as it goes
            if now >= due.not_after:
                log.info("reminder %s (%s before %s, to %s) dropped: it began at %s, before "
                         "the reminder could go out", due.id, due.offset_label, due.target,
                         due.telegram_id, due.not_after.isoformat())
                await self.reminders.finish(due.id, ReminderState.DROPPED, now)
                continue
            if latest[(due.telegram_id, due.course_id, due.target)] is not due:
                log.info("reminder %s (%s) dropped: a nearer one for %s is due too", due.id,
                         due.offset_label, due.target)
                await self.reminders.finish(due.id, ReminderState.DROPPED, now)
                continue
            if due.course_id not in courses:
                courses[due.course_id] = await self.courses.get_course(due.course_id)
            course = courses[due.course_id]
            if course is None or course.status != CourseStatus.OPEN:
                await self.reminders.finish(due.id, ReminderState.DROPPED, now)
                continue
            state = await self._send(due, course, locales.get(due.telegram_id), now)
            await self.reminders.finish(due.id, state, now)
            sent += state == ReminderState.SENT
        return sent

    async def _send(self, due: DueReminder, course: CourseInfo, locale: str | None,
                    now: datetime) -> str:
        locale = locale or self.texts.default_locale
        # The time really left, not the offset: a reminder sent late after a restart, or
        # after a session moved closer, must not say "in 1 day" when it is in 12 hours.
        left = format_timedelta(due.not_after - now, threshold=1.0, locale=locale)
        if due.session_id is None:
            html = self.texts.render(locale, "trainings_exam_reminder", course=course, left=left,
                                     day=local_day(due.not_after, self.zone, locale))
            buttons: list[list[tuple[str, str]]] = []
        else:
            session = next((s for s in course.sessions if s.id == due.session_id), None)
            if session is None:
                return ReminderState.DROPPED
            html = self.texts.render(locale, "trainings_reminder", course=course, left=left,
                                     session=session, total=len(course.sessions),
                                     when=session_when(session, self.zone, locale))
            # Missing one session and giving up the course are separate choices
            # (handlers.trainings_absence answers both).
            text = self.texts.text
            buttons = [[(text(locale, "trainings.button.cant_come"),
                         f"trainings:skip:{session.id}")],
                       [(text(locale, "trainings.button.quit_course"),
                         f"trainings:quit:{course.id}")]]
        outcome = await self.messenger.send(due.telegram_id, html, buttons)
        if outcome == SendOutcome.SENT:
            log.info("reminder %s (%s before %s) sent to %s", due.id, due.offset_label,
                     due.target, due.telegram_id)
            return ReminderState.SENT
        if outcome == SendOutcome.RETRY:
            return ReminderState.PENDING
        log.info("reminder %s: %s cannot be reached", due.id, due.telegram_id)
        return ReminderState.FAILED
