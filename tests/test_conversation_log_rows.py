"""A bad row never blocks a batch: the conversation log and the group-committed writer store
the good rows, set the bad one aside with one log line, and go on; U+0000 is stored as U+FFFD
and ids beyond 64 bits are refused before they reach the database. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.conversation_log import HIGH_WATER, ConversationLog, LogEntry
from storage.db import Database
from storage.group_insert import GroupInsert
from storage.migrate import upgrade_to_head
from storage.models import ConversationEntry
from storage.repositories.conversation import ConversationRepository
from tests.driver import wait_reply

CHAT = 501


def entry(text: str | None, *, chat_id: int | None = CHAT, message_id: int = 1) -> LogEntry:
    return LogEntry(chat_id=chat_id, direction="in", kind="text",  # type: ignore[arg-type]
                    telegram_id=CHAT, message_id=message_id, text=text)


async def stored_texts(database: Database) -> list[str | None]:
    async with database.session() as session:
        rows = await session.execute(select(ConversationEntry.text)
                                     .order_by(ConversationEntry.message_id))
        return list(rows.scalars())


def set_aside_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "set aside" in r.getMessage()]


async def test_a_bad_entry_amid_good_ones_is_set_aside_and_the_log_goes_on(
        database: Database, caplog: pytest.LogCaptureFixture) -> None:
    log = ConversationLog(ConversationRepository(database))
    log.start()
    try:
        log.record(entry("first", message_id=1))
        log.record(entry("nul \x00 inside", message_id=2))
        log.record(entry("no chat", chat_id=None, message_id=3))  # NOT NULL: refused
        log.record(entry("huge", chat_id=2**63, message_id=4))  # refused before the database
        log.record(entry("last", message_id=5))
        assert await log.flush() == 3
        log.record(entry("after", message_id=6))  # the writer goes on
        await log.flush()
        assert await stored_texts(database) == ["first", "nul \ufffd inside", "last", "after"]
        assert log.pending == 0 and log.set_aside == 2
        lines = set_aside_lines(caplog)
        assert len(lines) == 2
        assert "chat_id does not fit in 64 bits" in lines[0].getMessage()
        assert "chat_id" in lines[1].getMessage() and "null" in lines[1].getMessage().lower()
        assert [e.text for e in await log.history(CHAT)] == [
            "first", "nul \ufffd inside", "last", "after"]
    finally:
        await log.close()  # never raises


async def test_while_the_database_fails_entries_are_kept_not_set_aside(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'late.db'}")  # no tables yet
    log = ConversationLog(ConversationRepository(database))
    try:
        for n in range(3):
            log.record(entry(f"message {n}", message_id=n))
        with pytest.raises(Exception, match="no such table"):
            await log.flush()
        assert log.pending == 3 and log.set_aside == 0 and not set_aside_lines(caplog)
        await upgrade_to_head(database)
        assert await log.flush() == 3
        assert await stored_texts(database) == ["message 0", "message 1", "message 2"]
    finally:
        await log.close()
        await database.close()


async def test_close_never_raises_and_says_what_was_lost(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")
    log = ConversationLog(ConversationRepository(database), flush_interval=0.05)
    log.start()
    log.record(entry("never stored"))
    await log.close()
    await database.close()
    [line] = [r for r in caplog.records if "could not be written at shutdown" in r.getMessage()]
    assert line.getMessage().startswith("conversation log: 1 entries")


async def test_past_the_high_water_mark_the_log_asks_updates_to_wait(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")
    log = ConversationLog(ConversationRepository(database))
    try:
        for n in range(HIGH_WATER - 1):
            log.record(entry("x", message_id=n))
        assert not log.behind
        log.record(entry("x", message_id=HIGH_WATER))
        assert log.behind
    finally:
        await log.close()  # a database without tables: it says so and returns
        await database.close()


async def test_group_insert_stores_the_good_rows_and_fails_only_the_bad_one(
        database: Database, caplog: pytest.LogCaptureFixture) -> None:
    writer = GroupInsert(database, ConversationEntry.__table__)

    def row(message_id: int, text: str, chat_id: int | None = CHAT) -> dict:
        return {"chat_id": chat_id, "direction": "in", "kind": "text", "telegram_id": CHAT,
                "message_id": message_id, "version": 0, "text": text,
                "created_at": entry("").created_at}

    results = await asyncio.gather(
        writer.insert(row(1, "good")), writer.insert(row(2, "bad", chat_id=None)),
        writer.insert(row(3, "nul\x00")), writer.insert(row(4, "good too")),
        return_exceptions=True)
    assert isinstance(results[1], IntegrityError)
    assert all(isinstance(r, int) for r in (results[0], results[2], results[3]))
    assert await stored_texts(database) == ["good", "nul\ufffd", "good too"]
    assert len(set_aside_lines(caplog)) == 1
    assert isinstance(await writer.insert(row(5, "later")), int)  # it goes on


async def test_privacy_answers_after_an_unwritable_entry(hotline: Hotline,
                                                         sandbox: SandboxClient) -> None:
    user = await sandbox.add_user("Emma", language_code="en")
    hotline.services.conversation_log.record(entry("broken", chat_id=None))
    await sandbox.send_text(user["id"], "/start")
    await wait_reply(sandbox, user["id"])
    await sandbox.send_text(user["id"], "/privacy")
    reply = await wait_reply(sandbox, user["id"],
                             lambda m: m["text"].startswith("What we store about you"))
    assert "Name: Emma" in reply["text"]
    history = await hotline.services.conversation_log.history(user["id"])
    assert [e.text for e in history if e.direction == "in"][:2] == ["/start", "/privacy"]
