"""The database lists every changed case, whichever process changed it (triggers), and the
case event hub of the console's live pages follows that list: a change committed through
another engine on the same database (another process) reaches this process's listeners."""

from __future__ import annotations

import asyncio

from services.hotline.case_events import CaseEvents
from storage.db import Database
from storage.models import User, utcnow
from storage.repositories.hotline_cases import CaseRepository
from storage.repositories.hotline_changed_cases import ChangedCaseRepository
from storage.repositories.hotline_notes import CaseNoteRepository


async def _people(database: Database, *ids: int) -> None:
    now = utcnow()
    async with database.session() as session:
        for telegram_id in ids:
            session.add(User(telegram_id=telegram_id, created_at=now, last_seen_at=now))


async def next_case(queue: asyncio.Queue[int]) -> int:
    return await asyncio.wait_for(queue.get(), 2.0)


async def test_changes_of_another_process_reach_the_listeners(database: Database) -> None:
    await _people(database, 42, 7)
    await database.watch_changes()
    changes = ChangedCaseRepository(database)
    before = await changes.latest()
    events = CaseEvents(changes)
    other = Database(database.url)  # another process's engine on the same database
    try:
        theirs = CaseRepository(other)
        with events.listen() as queue:
            await asyncio.sleep(0.2)  # the follower has taken its starting point
            case = await theirs.create(42, "legal", None, 0)
            assert await next_case(queue) == case.id
            assert await theirs.changes.claim(case.id, 7)
            assert await next_case(queue) == case.id
            await CaseNoteRepository(other).add(case.id, 7, "a note")
            assert await next_case(queue) == case.id
            await asyncio.sleep(0.3)
            assert queue.empty()  # each change once
        # Created, claimed (one update), noted: what the triggers listed, in order.
        listed = await changes.since(before, 10)
        assert [case_id for _, case_id in listed] == [case.id] * 3
    finally:
        events.stop()
        await other.close()

