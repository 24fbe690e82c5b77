"""Many writers at once on one database: none refused, every row stored once, and what is
cached from a table dropped as soon as the table changes."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from storage import write_tracking
from storage.db import Database
from storage.migrate import upgrade_to_head
from storage.models import CaseMessage, ConversationEntry
from storage.repositories.hotline_cases import CaseRepository
from storage.write_tracking import written_table
from tests.test_hotline_roster import _services


@pytest.mark.parametrize(("statement", "table"), [
    ("INSERT INTO hotline_cases (asker_id) VALUES (?)", "hotline_cases"),
    ("insert or ignore into case_counters (year) values (?)", "case_counters"),
    ('UPDATE "users" SET locale=? WHERE users.telegram_id = ?', "users"),
    ("  DELETE FROM drafts WHERE drafts.telegram_id = ?", "drafts"),
    ("SELECT hotline_cases.id FROM hotline_cases", None),
    ("WITH x AS (SELECT 1) SELECT * FROM x", None),
])
def test_the_written_table_is_read_off_the_statement(statement: str, table: str | None) -> None:
    assert written_table(statement) == table


async def test_two_hundred_concurrent_writers_all_succeed(database: Database) -> None:
    async def write(n: int) -> None:
        async with database.session() as session:
            session.add(ConversationEntry(chat_id=n, direction="in", kind="text", text=f"m{n}"))
            await asyncio.sleep(0)  # other writers queue up meanwhile
            session.add(ConversationEntry(chat_id=n, direction="out", kind="text", text=f"r{n}"))

    await asyncio.gather(*[write(n) for n in range(200)])
    async with database.session() as session:
        rows = (await session.execute(select(ConversationEntry.chat_id))).scalars().all()
    assert sorted(rows) == sorted(list(range(200)) * 2)


async def test_transcript_rows_written_together_keep_their_ids_and_refuse_alone(
        database: Database) -> None:
    experts, _roster = await _services(database)
    await experts.add(1, "E1", ["legal"])
    await experts.add(7, "Asker", ["policy"])  # any known person may ask
    cases = CaseRepository(database)
    case = await cases.create(7, "legal", None, 0)

    def row(message_id: int) -> CaseMessage:
        return CaseMessage(case_id=case.id, sender_role="asker", sender_id=7, source_chat_id=7,
                           source_message_id=message_id, kind="text", text=f"m{message_id}")

    stored = await asyncio.gather(*[cases.add_message(row(n)) for n in range(1, 51)])
    assert [m.source_message_id for m in stored] == list(range(1, 51))
    assert len({m.id for m in stored}) == 50
    by_id = {m.id: m.text for m in await cases.transcript.messages(case.id)}
    assert all(by_id[m.id] == m.text for m in stored)
    # A duplicate (same message, same version) fails alone; the others of its batch are kept.
    outcomes = await asyncio.gather(cases.add_message(row(60)), cases.add_message(row(3)),
                                    cases.add_message(row(61)), return_exceptions=True)
    assert isinstance(outcomes[1], Exception)
    assert [o.source_message_id for o in (outcomes[0], outcomes[2])] == [60, 61]
    assert len(await cases.transcript.messages(case.id)) == 52


async def test_active_cases_are_cached_until_the_table_changes(database: Database) -> None:
    experts, _roster = await _services(database)
    await experts.add(1, "E1", ["legal"])
    await experts.add(7, "Asker", ["policy"])  # any known person may ask
    cases = CaseRepository(database)
    case = await cases.create(7, "legal", None, 0)
    assert [c.id for c in await cases.active_of(7)] == [case.id]
    assert await cases.active_of(1) == []
    assert await cases.changes.claim(case.id, 1)
    assert [c.expert_id for c in await cases.active_of(7)] == [1]
    assert [c.id for c in await cases.active_of(1)] == [case.id]
    assert await cases.changes.close(case.id, "expert")
    assert await cases.active_of(7) == []
    assert await cases.active_of(1) == []


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> AsyncIterator[Database]:
    """The write gate exists for SQLite only (PostgreSQL has row locks and many writers)."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'gate.db'}")
    await upgrade_to_head(database)
    yield database
    await database.close()


async def test_a_writer_waiting_on_a_writer_that_waits_for_it_fails_instead_of_hanging(
        sqlite_database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    database = sqlite_database
    monkeypatch.setattr(write_tracking, "GATE_TIMEOUT_SECONDS", 0.3)

    async def other_writer() -> None:
        async with database.session() as session:
            session.add(ConversationEntry(chat_id=2, direction="in", kind="text"))

    async with database.session() as session:
        session.add(ConversationEntry(chat_id=1, direction="in", kind="text"))
        await session.flush()  # holds the gate from here to the end of the session
        # A fresh context: another task's session, not one sharing this one's turn.
        other = asyncio.create_task(other_writer(), context=contextvars.Context())
        with pytest.raises(OperationalError, match="database is locked"):
            await other
    async with database.session() as session:
        rows = (await session.execute(select(ConversationEntry.chat_id))).scalars().all()
    assert rows == [1]
