"""The console's one-time form tokens and course session changes on real databases (SQLite,
and PostgreSQL when it answers)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from services.console_forms import LIFETIME, FormTokens, Outcome, token_hash
from storage.db import Database
from storage.models import utcnow
from storage.repositories.console_forms import ConsoleFormRepository
from storage.repositories.training_sessions import TrainingSessionRepository
from storage.repositories.trainings import NewCourse, TrainingRepository
from storage.repositories.users import UserRepository
from tests.trainings_support import local

STAFF, OTHER = 6100000001, 6100000002
PAGE = "/console/trainings/1"


async def test_a_form_token_is_claimed_once_and_remembers_its_result(
        database: Database) -> None:
    users = UserRepository(database)
    for person in (STAFF, OTHER):
        await users.ensure_exists(person, "en")
    tokens = FormTokens(ConsoleFormRepository(database))
    token = await tokens.issue(STAFF, PAGE)
    assert await tokens.payload(token, STAFF, PAGE) is None
    assert await tokens.attach(token, STAFF, PAGE, {"kind": "photo", "file_id": "AgAD"})
    assert not await tokens.attach(token, OTHER, PAGE, None)  # not their form
    assert await tokens.payload(token, STAFF, PAGE) == {"kind": "photo", "file_id": "AgAD"}
    assert await tokens.payload(token, OTHER, PAGE) is None
    assert (await tokens.claim(token, OTHER, PAGE)).outcome == Outcome.UNKNOWN
    assert (await tokens.claim(token, STAFF, "/console/ideas/1")).outcome == Outcome.UNKNOWN
    racing = await asyncio.gather(*(tokens.claim(token, STAFF, PAGE) for _ in range(4)))
    assert sorted(c.outcome for c in racing) == [Outcome.CLAIMED] + [Outcome.RUNNING] * 3
    won = next(c for c in racing if c.outcome == Outcome.CLAIMED)
    assert won.payload == {"kind": "photo", "file_id": "AgAD"}
    assert await tokens.payload(token, STAFF, PAGE) is None  # used: nothing to carry on
    assert not await tokens.attach(token, STAFF, PAGE, None)
    await tokens.release(won)  # the change failed: the form may be sent again
    again = await tokens.claim(token, STAFF, PAGE)
    assert again.outcome == Outcome.CLAIMED
    await tokens.finish(again, "/console/trainings/1")
    await tokens.release(again)  # a finished token is never given back
    replay = await tokens.claim(token, STAFF, PAGE)
    assert (replay.outcome, replay.result) == (Outcome.DONE, "/console/trainings/1")
    assert (await tokens.claim("", STAFF, PAGE)).outcome == Outcome.UNKNOWN


async def test_old_form_tokens_cannot_be_claimed_and_are_forgotten(database: Database) -> None:
    await UserRepository(database).ensure_exists(STAFF, "en")
    repository = ConsoleFormRepository(database)
    long_ago = utcnow() - LIFETIME - timedelta(minutes=1)
    await repository.add(token_hash("old"), STAFF, PAGE, "", long_ago, long_ago - LIFETIME)
    tokens = FormTokens(repository)
    assert (await tokens.claim("old", STAFF, PAGE)).outcome == Outcome.UNKNOWN
    assert not await tokens.usable("old", STAFF, PAGE)
    await tokens.issue(STAFF, PAGE)  # issuing purges what is past its lifetime
    assert await repository.get(token_hash("old")) is None


async def test_sessions_are_added_and_removed_in_time_order(database: Database) -> None:
    courses = TrainingRepository(database)
    course_id = await courses.create_course(NewCourse(
        title="T", kind="other", description="", capacity=5,
        registration_deadline=local(2030, 1, 1, 18), audience="everyone",
        sessions=((local(2030, 1, 5, 9), local(2030, 1, 5, 12), "A"),
                  (local(2030, 1, 19, 9), local(2030, 1, 19, 12), "C")),
        created_by=None))
    sessions = TrainingSessionRepository(database)
    added = await sessions.add(course_id, local(2030, 1, 12, 9), local(2030, 1, 12, 12), "B",
                               most=3)
    assert added is not None
    assert await sessions.add(course_id, local(2030, 1, 26, 9), local(2030, 1, 26, 12), "D",
                              most=3) is None  # the limit is checked in the transaction
    course = await courses.get_course(course_id)
    assert [(s.position, s.place) for s in course.sessions] == [(1, "A"), (2, "B"), (3, "C")]
    first = course.sessions[0]
    assert not await sessions.remove(course_id, first.id, local(2030, 1, 5, 10))  # begun
    assert await sessions.remove(course_id, first.id, local(2030, 1, 1, 0))
    course = await courses.get_course(course_id)
    assert [(s.position, s.place) for s in course.sessions] == [(1, "B"), (2, "C")]
    assert await sessions.remove(course_id, course.sessions[0].id, local(2030, 1, 1, 0))
    last = (await courses.get_course(course_id)).sessions[0]
    assert not await sessions.remove(course_id, last.id, local(2030, 1, 1, 0))  # the last one
    await courses.cancel_course(course_id, utcnow())
    assert await sessions.add(course_id, local(2030, 2, 2, 9), local(2030, 2, 2, 12), "E",
                              most=3) is None  # a cancelled course takes no sessions
