"""/forget's storage side on SQLite and PostgreSQL: supports and reports leave the counts
consistent, queued messages are cancelled, subscriptions and console access go."""

from __future__ import annotations

from datetime import timedelta

from storage.db import Database
from storage.models import utcnow
from storage.repositories.announcements import AnnouncementRepository
from storage.repositories.console import ConsoleRepository
from storage.repositories.idea_erasure import IdeaErasureRepository
from storage.repositories.ideas import IdeaRepository
from storage.repositories.outbox import OutboxRepository, Recipient
from storage.repositories.users import UserRepository
from tests.test_ideas_storage import FIELDS, authors


async def test_erasing_supports_and_reports_keeps_the_counts_true(database: Database) -> None:
    await authors(database, 1, 2, 3, 4)
    ideas = IdeaRepository(database)
    later = utcnow() + timedelta(minutes=30)
    idea = await ideas.create(2026, {**FIELDS, "author_id": 1}, "accepted", later)
    other = await ideas.create(2026, {**FIELDS, "author_id": 1}, "accepted", later)
    for person in (2, 3):
        await ideas.support(idea.id, person)
    await ideas.support(other.id, 2)
    # Reports by 2 and 3 hide the idea (threshold 2); staff restore it (the count starts
    # again from 0); then 4 reports it.
    for person in (2, 3):
        await ideas.report(idea.id, person, "spam", 2)
    assert (await ideas.get(idea.id)).hidden_at is not None
    assert await ideas.staff_changes.unhide(idea.id, actor_id=1)
    await ideas.report(idea.id, 4, "spam", 2)
    assert (await ideas.get(idea.id)).report_count == 1

    votes = IdeaErasureRepository(database)
    assert await votes.erase_supports(2) == 2
    assert (await ideas.get(idea.id)).support_count == 1
    assert (await ideas.get(other.id)).support_count == 0
    # 2's report came before the restore: it no longer counted, so the count stays 1.
    assert await votes.erase_reports(2) == 1
    assert (await ideas.get(idea.id)).report_count == 1
    # 4's report counted: it comes off the count.
    assert await votes.erase_reports(4) == 1
    assert (await ideas.get(idea.id)).report_count == 0
    assert await votes.erase_supports(2) == 0 and await votes.erase_reports(2) == 0
    # Having been forgotten, 2 may support again, counted once.
    assert (await ideas.support(idea.id, 2)) == (True, 2)


async def test_queued_messages_subscriptions_and_console_access_go(database: Database) -> None:
    await authors(database, 1, 2)
    outbox = OutboxRepository(database)
    soon = utcnow() + timedelta(hours=1)
    await outbox.enqueue("announcement", 7, [Recipient(1, "en"), Recipient(2, "en")],
                         not_before=soon)
    await outbox.enqueue("announcement", 8, [Recipient(1, "en")], not_before=soon)
    assert await outbox.cancel_for_chat(1) == 2
    assert await outbox.counts("announcement", 7) == {"cancelled": 1, "pending": 1}
    assert await outbox.cancel_for_chat(1) == 0

    announcements = AnnouncementRepository(database)
    await announcements.subscriptions.set_topic(1, "policy", True)
    await announcements.subscriptions.set_street(1, "太和街道")
    assert await announcements.subscriptions.erase_subscriber(1) == 1
    settings = await announcements.subscriptions.subscriber(1)
    assert settings.topics == frozenset() and settings.street is None

    console = ConsoleRepository(database)
    await console.add_token("a" * 64, 1, utcnow() + timedelta(minutes=10))
    await console.add_token("b" * 64, 2, utcnow() + timedelta(minutes=10))
    assert await console.erase_person(1) == 1
    assert await console.token_owner("b" * 64) == 2

    users = UserRepository(database)
    await users.save_profile(1, "Emma", "Station", "Taihe")
    assert await users.erase_profile(1) == 1 and await users.get_profile(1) is None
