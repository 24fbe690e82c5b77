"""The workspace's storage on SQLite and PostgreSQL: notes, alerts given once (two runners
racing), canned replies by category and owner, the case log, the inbox's query and the
expert-scoped case list."""

from __future__ import annotations

import asyncio

from storage.db import Database
from storage.models import CaseMessage, CaseStatus, User, utcnow
from storage.repositories.hotline_browsing import CaseQuery, HotlineBrowsingRepository
from storage.repositories.hotline_cases import CaseRepository
from storage.repositories.hotline_notes import (
    CaseAlertRepository,
    CaseNoteRepository,
    SnippetRepository,
)


async def _people(database: Database, *ids: int) -> None:
    now = utcnow()
    async with database.session() as session:
        for telegram_id in ids:
            session.add(User(telegram_id=telegram_id, created_at=now, last_seen_at=now))


async def test_workspace_rows_on_both_databases(database: Database) -> None:
    await _people(database, 42, 7, 8)
    cases = CaseRepository(database)
    held = await cases.create(42, "legal", None, 0)
    waiting = await cases.create(42, "legal", None, 0)
    other = await cases.create(42, "finance", None, 0)
    assert await cases.changes.claim(held.id, 7)
    await cases.add_offer(waiting.id, 7, 7, 100, 0)
    await cases.add_offer(other.id, 8, 8, 101, 0)

    browsing = HotlineBrowsingRepository(database)
    rows, total = await browsing.search_cases(CaseQuery(visible_to=7), 0, 25)
    assert total == 2 and {r.case.id for r in rows} == {held.id, waiting.id}
    active = await browsing.active_cases(category=None, status=CaseStatus.OFFERED,
                                         expert_id=None, visible_to=7, limit=10)
    assert [c.id for c in active] == [waiting.id]
    assert len(await browsing.active_cases(category="legal", status=None, expert_id=None,
                                           visible_to=None, limit=10)) == 2

    notes = CaseNoteRepository(database)
    await notes.add(held.id, 7, "first")
    await notes.add(held.id, 8, "second")
    assert [n.text for n in await notes.of_case(held.id)] == ["first", "second"]
    assert (await notes.of_case(held.id))[0].created_at.tzinfo is not None

    alerts = CaseAlertRepository(database)
    results = await asyncio.gather(*(alerts.claim(held.id, "overdue", "2026-12-06T08:00")
                                     for _ in range(4)))
    assert sorted(results) == [False, False, False, True]
    assert await alerts.claim(held.id, "overdue", "2026-12-06T09:00")  # a new waiting period
    await cases.add_message(CaseMessage(
        case_id=held.id, sender_role="asker", sender_id=42, source_chat_id=42,
        source_message_id=1, kind="text", text="hello"))
    await cases.add_message(CaseMessage(
        case_id=held.id, sender_role="expert", sender_id=7, source_chat_id=7,
        source_message_id=2, kind="text", text="hi"))
    latest = await alerts.last_messages([held.id, waiting.id])
    assert list(latest) == [held.id] and latest[held.id].sender_role == "expert"

    snippets = SnippetRepository(database)
    await snippets.add("legal", None, "Shared legal", "a")
    await snippets.add("finance", None, "Shared finance", "b")
    mine = await snippets.add(None, 7, "Mine", "c")
    await snippets.add(None, 8, "Someone else's", "d")
    assert [s.title for s in await snippets.usable("legal", 7)] == ["Shared legal", "Mine"]
    assert [s.title for s in await snippets.library(7)] == [
        "Shared finance", "Shared legal", "Mine"]
    assert await snippets.remove(mine.id) and not await snippets.remove(mine.id)

    await cases.log.log_event(held.id, "handed_over", 8)
    await cases.log.log_event(held.id, "reopened", 42)
    assert [(e.kind, e.person_id) for e in await cases.log.logged_events(held.id)] == [
        ("handed_over", 8), ("reopened", 42)]
