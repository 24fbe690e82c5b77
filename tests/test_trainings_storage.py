"""Trainings storage on SQLite and PostgreSQL: atomic claims across two dispatchers, the last
place under concurrent presses, and the waitlist order."""

from __future__ import annotations

import asyncio

import pytest

from services.audit import AuditLog
from services.texts import Texts
from services.trainings.board import TrainingBoard
from services.trainings.clock import Clock
from services.trainings.messenger import Buttons, SendOutcome
from services.trainings.notices import NoticeSender
from services.trainings.offsets import parse_offsets
from services.trainings.reminders import ReminderDispatcher
from services.trainings.service import TrainingRefusal, TrainingService
from storage.db import Database
from storage.repositories.audit import AuditRepository
from storage.repositories.training_board import TrainingBoardRepository
from storage.repositories.training_notices import NoticeRepository
from storage.repositories.training_reminders import ReminderRepository
from storage.repositories.training_sessions import TrainingSessionRepository
from storage.repositories.trainings import TrainingRepository
from storage.repositories.users import UserRepository
from tests.ideas_helpers import staff_actor
from tests.trainings_support import NOW, SHANGHAI, course_plan, local

STAFF = staff_actor(9)  # a staff member acting from the console
PEOPLE = range(5001, 5021)


class RecordingMessenger:
    """The outer edge: records what would have gone to Telegram."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send(self, chat_id: int, html: str, buttons: Buttons = ()) -> SendOutcome:
        await asyncio.sleep(0)  # let the other dispatcher run in between
        self.sent.append((chat_id, html))
        return SendOutcome.SENT

    async def send_file(self, chat_id: int, filename: str, data: bytes,
                        caption_html: str) -> SendOutcome:
        return SendOutcome.SENT


def _service(database: Database, clock: Clock) -> TrainingService:
    return TrainingService(TrainingRepository(database), ReminderRepository(database),
                           NoticeRepository(database), clock, SHANGHAI,
                           parse_offsets("1d,1h"), parse_offsets("7d"), None,
                           audit=AuditLog(AuditRepository(database)),
                           board=TrainingBoard(TrainingBoardRepository(database)),
                           sessions=TrainingSessionRepository(database))


def _dispatcher(trainings: TrainingService, texts: Texts,
                messenger: RecordingMessenger) -> ReminderDispatcher:
    notices = NoticeSender(trainings.notices, trainings.repository, trainings.reminders, texts,
                           trainings.clock, SHANGHAI)
    return ReminderDispatcher(trainings.repository, trainings.reminders, notices, texts,
                              trainings.clock, SHANGHAI, messenger)


async def _people(database: Database) -> None:
    users = UserRepository(database)
    for telegram_id in PEOPLE:
        await users.ensure_exists(telegram_id, "en")


async def test_two_dispatchers_on_one_database_send_each_reminder_once(
        database: Database) -> None:
    await _people(database)
    clock = Clock()
    clock.freeze(NOW)
    trainings = _service(database, clock)
    course_id = await trainings.create(course_plan(capacity=len(PEOPLE)), None)
    for telegram_id in PEOPLE:
        await trainings.register(course_id, telegram_id, frozenset({"resident"}))
    # A second process: its own engine and dispatcher on the same database.
    other = Database(database.url)
    try:
        texts = Texts(("zh_CN", "en"), "zh_CN")
        one, two = RecordingMessenger(), RecordingMessenger()
        first = _dispatcher(_service(database, clock), texts, one)
        second = _dispatcher(_service(other, clock), texts, two)
        clock.freeze(local(2026, 12, 4, 9, 0))
        counts = await asyncio.gather(first.dispatch_due(), second.dispatch_due())
        assert sum(counts) == len(PEOPLE)
        recipients = [chat for chat, _ in one.sent + two.sent]
        assert sorted(recipients) == sorted(PEOPLE)
        assert await asyncio.gather(first.dispatch_due(), second.dispatch_due()) == [0, 0]
        # Notices are rows too: a course cancelled, everyone told once by either process.
        await trainings.cancel_course(STAFF, course_id)
        one.sent.clear()
        two.sent.clear()
        assert sum(await asyncio.gather(first.send_notices(), second.send_notices())) == len(
            PEOPLE)
        assert sorted(chat for chat, _ in one.sent + two.sent) == sorted(PEOPLE)
        assert await first.send_notices() == 0
    finally:
        await other.close()
    rows = await trainings.reminders.reminders_of(course_id)
    assert sum(r.state == "sent" for r in rows) == len(PEOPLE)
    assert not [r for r in rows if r.state == "pending"]  # the cancellation removed them


async def test_the_last_place_goes_to_one_of_two_simultaneous_presses(
        database: Database) -> None:
    await _people(database)
    clock = Clock()
    clock.freeze(NOW)
    trainings = _service(database, clock)
    course_id = await trainings.create(course_plan(capacity=1), None)
    results = await asyncio.gather(*(trainings.register(course_id, person, frozenset())
                                     for person in (5001, 5002, 5003)))
    statuses = sorted(change.status for _, change in results)
    assert statuses == ["registered", "waitlisted", "waitlisted"]
    positions = sorted(change.waitlist_position for _, change in results)
    assert positions == [0, 1, 2]
    holder = next(p for p, (_, c) in zip((5001, 5002, 5003), results, strict=True)
                  if c.status == "registered")
    change = await trainings.cancel(course_id, holder)
    first_waiting = min((c.waitlist_position, p) for p, (_, c) in
                        zip((5001, 5002, 5003), results, strict=True)
                        if c.status == "waitlisted")[1]
    assert change.promoted == first_waiting
    course = await trainings.course(course_id)
    assert (course.registered, course.waitlisted) == (1, 1)


async def test_absences_and_the_attendance_of_those_who_cancelled(database: Database) -> None:
    await _people(database)
    clock = Clock()
    clock.freeze(NOW)
    trainings = _service(database, clock)
    course_id = await trainings.create(course_plan(capacity=5), None)
    first, second = (await trainings.course(course_id)).sessions
    for person in (5001, 5002, 5003):
        await trainings.register(course_id, person, frozenset())
    # A double press stores one notice; the session's reminders go, the other's stay.
    assert (await trainings.skip_session(second.id, 5001))[2] is True
    assert (await trainings.skip_session(second.id, 5001))[2] is False
    rows = await trainings.reminders.reminders_of(course_id)
    assert {r.target for r in rows if r.telegram_id == 5001} == {f"s{first.id}"}
    await trainings.repository.places.record_attendance(first.id, 5002, NOW, None)
    await trainings.cancel(course_id, 5002)
    await trainings.cancel(course_id, 5003)
    people = {p.telegram_id: (p.status, p.attended_sessions, p.absent_sessions)
              for p in await trainings.registrants(course_id, with_history=True)}
    assert people == {5001: ("registered", (), (2,)), 5002: ("cancelled", (1,), ())}
    assert [p.telegram_id for p in await trainings.registrants(course_id)] == [5001]
    # Taken back: the reminders return.
    assert (await trainings.come_after_all(second.id, 5001))[2] is True
    rows = await trainings.reminders.reminders_of(course_id)
    assert {r.target for r in rows if r.telegram_id == 5001} == {f"s{first.id}",
                                                                 f"s{second.id}"}
    clock.freeze(local(2026, 12, 12, 15))  # session 2 has begun
    with pytest.raises(TrainingRefusal) as refused:
        await trainings.skip_session(second.id, 5001)
    assert refused.value.reason == "trainings.refused.session_started"
