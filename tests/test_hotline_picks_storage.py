"""Pending "which case?" picks on both databases: taken exactly once, refused when stale."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage.db import Database
from storage.models import PendingPick, User, utcnow
from storage.repositories.hotline_cases import CaseRepository
from storage.repositories.hotline_picks import PendingPickRepository


async def test_a_pick_is_taken_once_and_purged_when_stale(database: Database) -> None:
    now = utcnow()
    async with database.session() as session:
        session.add(User(telegram_id=42, created_at=now, last_seen_at=now))
    cases = CaseRepository(database)
    first = await cases.create(42, "legal", None, 0)
    second = await cases.create(42, "legal", None, 0)
    picks = PendingPickRepository(database)
    pick = PendingPick(user_id=42, chat_id=42, message_id=7, kind="text", text="Hello")
    await picks.add(pick)
    await picks.add(PendingPick(user_id=42, chat_id=42, message_id=7, kind="text", text="Dup"))
    assert await picks.change_text(42, 7, "Hello again")

    # Two presses at once, for different cases: exactly one takes the message.
    taken = await asyncio.gather(picks.take(42, 7, first.id, now - timedelta(hours=48)),
                                 picks.take(42, 7, second.id, now - timedelta(hours=48)))
    [winner] = [t for t in taken if t is not None]
    assert (winner.text, winner.message_id) == ("Hello again", 7)
    assert (await picks.get(42, 7)).case_id == winner.case_id
    assert not await picks.change_text(42, 7, "Too late")

    await picks.add(PendingPick(user_id=42, chat_id=42, message_id=8, kind="text", text="Old"))
    assert await picks.take(42, 8, first.id, utcnow() + timedelta(seconds=1)) is None
    assert await picks.purge(utcnow() + timedelta(seconds=1)) == 2
    assert await picks.get(42, 7) is None


async def test_forget_erases_only_the_persons_waiting_messages(database: Database) -> None:
    now = utcnow()
    async with database.session() as session:
        session.add_all([User(telegram_id=42, created_at=now, last_seen_at=now),
                         User(telegram_id=43, created_at=now, last_seen_at=now)])
    picks = PendingPickRepository(database)
    for user_id, message_id in ((42, 1), (42, 2), (43, 1)):
        await picks.add(PendingPick(user_id=user_id, chat_id=user_id, message_id=message_id,
                                    kind="text", text="private words"))
    assert await picks.erase_user(42) == 2
    assert await picks.get(42, 1) is None and await picks.get(42, 2) is None
    assert (await picks.get(43, 1)).text == "private words"
