"""A case's history on both databases: one rating per closing (a double press rates once),
every rating kept across a reopening, claims in the category they were made in, and copies
that lead back to their case."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from alembic import command
from sqlalchemy import insert

from storage.db import Database
from storage.migrate import alembic_config, upgrade_to_head
from storage.models import Case, CaseMessage, CaseStatus, User, utcnow
from storage.repositories.hotline_cases import CaseRepository


async def _people(database: Database, *ids: int) -> None:
    now = utcnow()
    async with database.session() as session:
        for telegram_id in ids:
            session.add(User(telegram_id=telegram_id, created_at=now, last_seen_at=now))


async def test_ratings_are_kept_one_per_closing(database: Database) -> None:
    await _people(database, 42, 7)
    cases = CaseRepository(database)
    case = await cases.create(42, "legal", None, 0)
    assert await cases.changes.claim(case.id, 7)
    assert not await cases.history.rate(case.id, 42, 5)  # open: nothing to rate yet
    assert await cases.changes.close(case.id, "expert")
    # Two presses at once: one rating.
    results = await asyncio.gather(cases.history.rate(case.id, 42, 4),
                                   cases.history.rate(case.id, 42, 5))
    assert sorted(results) == [False, True]
    assert not await cases.history.rate(case.id, 43, 1)  # not the asker's
    assert await cases.history.comment(case.id, 42, "Clear")
    assert await cases.changes.reopen(case.id, utcnow() - timedelta(hours=48))
    reopened = await cases.get(case.id)
    assert reopened.status == CaseStatus.OPEN and reopened.rating in (4, 5)
    assert await cases.changes.close(case.id, "asker")
    assert await cases.history.rate(case.id, 42, 2)
    ratings = await cases.history.ratings(case.id)
    assert [r.comment for r in ratings] == ["Clear", None]
    assert ratings[1].stars == 2 and (await cases.get(case.id)).rating == 2
    assert (await cases.history.rating_of_closing(await cases.get(case.id))).stars == 2


async def test_claims_stay_in_their_category_and_copies_route(database: Database) -> None:
    await _people(database, 42, 7, 8)
    cases = CaseRepository(database)
    case = await cases.create(42, "legal", None, 0)
    assert await cases.changes.claim(case.id, 7)
    assert await cases.changes.transfer(case.id, 7, "finance", utcnow())
    moved = await cases.get(case.id)
    assert (moved.status, moved.claimed_at, moved.category) == (CaseStatus.OFFERED, None,
                                                                 "finance")
    assert await cases.changes.claim(case.id, 8)
    assert await cases.changes.unclaim(case.id, 8, utcnow())  # undone: that claim is forgotten
    assert await cases.changes.claim(case.id, 8)
    claims = await cases.history.claims_of([case.id])
    assert [(c.category, c.expert_id) for c in claims] == [("legal", 7), ("finance", 8)]
    assert claims[1].waiting_since >= claims[0].claimed_at

    row = await cases.add_message(CaseMessage(
        case_id=case.id, sender_role="asker", sender_id=42, source_chat_id=42,
        source_message_id=5, kind="text", text="Hi", target_chat_id=7, target_message_id=9))
    await cases.history.add_copy(case.id, 8, 31, row.id)
    await cases.history.add_copy(case.id, 8, 32)
    assert await cases.case_of_message(8, 31) == case.id
    assert await cases.case_of_message(8, 32) == case.id
    assert (await cases.history.copied_message(case.id, 8, 31)).source_message_id == 5
    assert await cases.history.copied_message(case.id, 8, 32) is None


async def test_the_migration_keeps_earlier_ratings_and_claims(database_url: str) -> None:
    database = Database(database_url)
    try:
        def _upgrade_to(revision: str):  # a callable for run_sync
            def run(connection) -> None:
                config = alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            return run

        async with database.engine.begin() as connection:
            await connection.run_sync(_upgrade_to("hotline_0002"))
            # Through the tables' own column types, as the bot of that version wrote them.
            now = utcnow()
            await connection.execute(insert(User.__table__), [
                {"telegram_id": 42, "locale": "en", "created_at": now, "last_seen_at": now},
                {"telegram_id": 7, "locale": "en", "created_at": now, "last_seen_at": now}])
            await connection.execute(insert(Case.__table__).values(
                number="C-2026-0001", asker_id=42, category="legal", status="closed",
                expert_id=7, escalation_level=0, created_at=now - timedelta(hours=2),
                claimed_at=now - timedelta(hours=1), closed_at=now, rating=4,
                rating_comment="Good"))
        await upgrade_to_head(database)
        cases = CaseRepository(database)
        case = await cases.by_number("C-2026-0001")
        [rating] = await cases.history.ratings(case.id)
        assert (rating.stars, rating.comment) == (4, "Good")
        [claim] = await cases.history.claims_of([case.id])
        assert (claim.category, claim.expert_id) == ("legal", 7)
        assert case.waiting_since is not None
        assert not await cases.history.rate(case.id, 42, 5)  # that closing is rated already
    finally:
        await database.close()
